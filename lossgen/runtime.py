"""Stage 4: the kernels users call. Loads generated modules and gives them one checked API.

``Kernel.loss/grad/loss_and_grad/hess`` validate every argument (dtype, shape, parameters and
their domains, target domain, reduction, ``out``) and raise ``TypeError``/``ValueError`` naming
the problem, then call the generated code. The Numba kernels check the domains of the inputs
in their DOMAIN_CHECKED themselves, on the way; the error for those is raised after the call.
Neither SymPy nor (for the NumPy backend) Numba is imported here.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import numbers
import sys
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from .catalog import Project
from .domains import DOMAINS
from .errors import StaleBuildError

BACKENDS = ("numpy", "numba")
#: "float64": every element is computed in float64 and a float32 result is rounded once (the
#: default); "input": float32 inputs are computed in float32 arithmetic, as PyTorch and JAX do
#: (Numba backend only; float64 inputs are computed in float64 either way).
ARITHMETICS = ("float64", "input")
REDUCTIONS = ("mean", "sum", "none")
_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_NO_WEIGHTS = {dtype: np.empty(0, dtype) for dtype in _FLOAT_DTYPES}

_modules: dict[tuple[str, str, str], ModuleType] = {}


def load_generated(project: Project, backend: str, name: str) -> ModuleType:
    """Import ``generated/<backend>/<name>.py`` under a stable module name.

    The module is registered in ``sys.modules`` before it runs: Numba's on-disk cache finds
    functions by module name and file, so a module imported by path without that could never
    load its compiled kernels from the cache in a new process.
    """
    path = project.generated / backend / f"{name}.py"
    expected_sha = project.spec_sha256(name)  # also raises for an unknown name
    if not path.is_file():
        raise StaleBuildError(f"{project.relative(path)} is missing: run `lossgen build`")
    root_tag = hashlib.sha256(str(project.root).encode()).hexdigest()[:8]
    module_name = f"_lossgen_generated_{root_tag}_{backend}_{name}"
    key = (str(project.root), backend, name)
    module = _modules.get(key)
    if module is None or module.SPEC_SHA256 != expected_sha:
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[module_name]
            raise
        _modules[key] = module
    if module.SPEC_SHA256 != expected_sha:
        raise StaleBuildError(
            f"{project.relative(path)} was generated from another version of "
            f"{project.relative(project.spec_path(name))}: run `lossgen build`"
        )
    return module


@dataclass(frozen=True)
class _Call:
    """Validated arguments of one kernel call, flattened for the generated code."""

    shape: tuple[int, ...]  # of y_pred (and of grad/hess)
    loss_shape: tuple[int, ...]  # of the per-element (or per-row) loss
    dtype: np.dtype
    pred: np.ndarray  # contiguous, dtype: 1-D (element-wise) or (N, K) (row-wise)
    target: np.ndarray  # like pred, or (N,) int64 class indices for a label target
    weight: np.ndarray | None  # one per element (or row), contiguous, dtype; or None
    params: tuple  # floats, and ints for integer parameters
    reduction: str
    extra: tuple = ()  # auxiliary arrays, flattened like the target, in declaration order
    #: computed by the float32-arithmetic kernels (decided by Kernel._prepare, unless the kernels
    #: find a value outside float32 arithmetic's range in one of ``range_unchecked``)
    float32_arithmetic: bool = False
    #: the inputs whose range the float32 kernels check themselves (their RANGE_CHECKED), which
    #: Kernel._prepare has not scanned
    range_unchecked: tuple = ()
    #: (argument, array as given, domain) of the inputs whose domain the Numba kernels check on
    #: the way (their DOMAIN_CHECKED): looked at only when a kernel counts a value outside, or
    #: before the call where the output overlaps an input
    deferred_domains: tuple = ()

    @property
    def size(self) -> int:
        """Number of losses summed: elements, or rows."""
        return self.pred.shape[0]

    def mean_scale(self) -> float:
        """1/N, or 1/sum(w) with weights; NaN when that is 1/0 (a mean over nothing)."""
        denominator = float(self.size) if self.weight is None else float(np.sum(self.weight, dtype=np.float64))
        return 1.0 / denominator if denominator != 0.0 else math.nan

    def scale(self) -> float:
        return self.mean_scale() if self.reduction == "mean" else 1.0


class _NumbaBackend:
    """Calls the fused Numba kernels; each writes into preallocated 1-D arrays.

    Every kernel returns (sum of w·loss, chunks holding a value outside an input's domain, chunks
    holding one outside float32 arithmetic's range). The domains of the inputs in the modules'
    DOMAIN_CHECKED are checked only that way: when a kernel counts such a chunk, the input is
    looked at again to raise the error that names the value.

    Calls marked ``float32_arithmetic`` go to ``float32_module``'s kernels, with the parameters
    and the scale as float32 scalars: Numba would type a Python float as float64 and carry the
    arithmetic back into float64. Those kernels check the inputs named in their RANGE_CHECKED
    against float32 arithmetic's range on the way and return how many chunks held a value
    outside; such a call is computed again by the float64-arithmetic kernels. Where the output
    overlaps an input, the first pass may have overwritten it: those inputs are scanned first.
    """

    def __init__(self, name: str, module: ModuleType, float32_module: ModuleType | None = None):
        self.name = name
        self.module = module
        self.float32_module = float32_module

    @staticmethod
    def _weight(c: _Call) -> np.ndarray:
        # The generated kernels take an empty array for "no weights" (their UNWEIGHTED): None
        # would be a signature of its own, compiled a second time.
        return _NO_WEIGHTS[c.dtype] if c.weight is None else c.weight

    @staticmethod
    def float32_scalars(*values) -> tuple:
        """``values`` with every float as a float32 (all are in range: Kernel._prepare checked)."""
        return tuple(np.float32(v) if isinstance(v, float) else v for v in values)

    def _run(self, c: _Call, kernel: str, *tail):
        """``kernel``'s result for the call's arrays and parameters followed by ``tail`` (the
        scale and the output array, as the kernel takes them)."""
        if c.pred.ndim == 2 and c.pred.shape[1] < self.module.COLUMNS_BELOW:
            kernel += "_columns"  # row-wise, rows of few classes: the column layout
        inputs = (c.pred, c.target, *c.extra, self._weight(c))
        overwrites_input = bool(tail) and any(np.may_share_memory(tail[-1], a) for a in inputs)
        # Where the output overwrites an input, the inputs are checked here, before the call: the
        # kernels check a chunk after writing it, so their counts would read the outputs.
        if overwrites_input:
            self._raise_for_deferred_domains(c, before=True)
        if c.float32_arithmetic and (not overwrites_input or _float32_safe(*c.range_unchecked)):
            value, outside_domain, outside_range = getattr(self.float32_module, kernel)(
                *inputs, *self.float32_scalars(*c.params, *tail)
            )
            if overwrites_input:
                return value
            if outside_domain:
                self._raise_for_deferred_domains(c)
            if not outside_range:
                return value
        value, outside_domain, _ = getattr(self.module, kernel)(*inputs, *c.params, *tail)
        if outside_domain and not overwrites_input:
            self._raise_for_deferred_domains(c)
        return value

    def _raise_for_deferred_domains(self, c: _Call, before: bool = False) -> None:
        """Raise the error naming a value outside its domain in one of the call's deferred inputs
        (a kernel counted one, or, ``before`` the call, there may be one)."""
        for argument, array, domain in c.deferred_domains:
            _raise_outside_domain(self.name, argument, array, domain)
        if not before:
            raise RuntimeError(f"{self.name}: a kernel counted a value outside its domain, and none was found")

    def loss_sum(self, c: _Call) -> float:
        if c.pred.ndim == 2:  # row-wise: one kernel writes the row losses and returns their sum
            return float(self._run(c, "loss_rows", np.empty(c.pred.shape[0], c.dtype)))
        return float(self._run(c, "loss_sum"))

    def loss_elements(self, c: _Call, out: np.ndarray) -> None:
        self._run(c, "loss_rows" if c.pred.ndim == 2 else "loss_elements", out)

    def loss_and_grad(self, c: _Call, scale: float, out: np.ndarray) -> float:
        return float(self._run(c, "loss_and_grad", scale, out))

    def grad(self, c: _Call, scale: float, out: np.ndarray) -> None:
        self._run(c, "grad", scale, out)

    def hess(self, c: _Call, scale: float, out: np.ndarray) -> None:
        self._run(c, "hess", scale, out)


def _raise_outside_domain(loss: str, argument: str, array: np.ndarray, domain) -> None:
    """Raise ValueError naming a value of ``array`` outside ``domain``, if there is one (NaN is
    inside: it propagates to the result, as in PyTorch)."""
    inside = (array > domain.low) if domain.low_open else (array >= domain.low)
    inside &= (array < domain.high) if domain.high_open else (array <= domain.high)
    bad = ~(inside | np.isnan(array))
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{loss}: {argument} must lie in {domain.description}; {int(bad.sum())} value(s) "
            f"do not, e.g. {argument}[{', '.join(map(str, index))}] = {float(array[index])!r}"
        )


def _float32_safe(*arrays) -> bool:
    from .input_scan import float32_safe

    return float32_safe(*arrays)


class _NumpyBackend:
    """Evaluates the vectorized NumPy functions in float64 and applies weights and scale."""

    def __init__(self, module: ModuleType):
        self.module = module

    @staticmethod
    def _inputs(c: _Call) -> tuple[np.ndarray, ...]:
        pred = c.pred.astype(np.float64)
        if c.target.dtype.kind == "i":  # class indices: their one-hot rows (none for ignored rows)
            classes = np.arange(pred.shape[-1])
            return pred, (c.target[:, None] == classes[None, :]).astype(np.float64)
        return (pred, c.target.astype(np.float64), *(a.astype(np.float64) for a in c.extra))

    @staticmethod
    def _weighted(values: np.ndarray, c: _Call) -> np.ndarray:
        if c.weight is None:
            return values
        weight = c.weight.astype(np.float64)
        if c.pred.ndim == 1:  # element-wise: w·value, exactly as the Numba kernels compute it
            return values * weight
        if values.ndim == 2:  # per-class outputs of a row-wise loss: one weight per row
            weight = weight[:, None]
        # Row-wise kernels skip rows of weight 0 (also ignored labels), even where a value is not finite.
        return np.where(weight == 0.0, 0.0, values * weight)

    def loss_sum(self, c: _Call) -> float:
        return float(np.sum(self._weighted(self.module.loss(*self._inputs(c), *c.params), c)))

    @staticmethod
    def _store(out: np.ndarray, values: np.ndarray) -> None:
        # A float64 value beyond float32's range becomes ±inf in a float32 output, as in the Numba
        # kernels' casts; without errstate NumPy would also warn, and only this backend would.
        with np.errstate(over="ignore"):
            out[...] = values

    def loss_elements(self, c: _Call, out: np.ndarray) -> None:
        self._store(out, self._weighted(self.module.loss(*self._inputs(c), *c.params), c))

    def loss_and_grad(self, c: _Call, scale: float, out: np.ndarray) -> float:
        loss, grad = self.module.loss_and_grad(*self._inputs(c), *c.params)
        self._store(out, scale * self._weighted(grad, c))
        return float(np.sum(self._weighted(loss, c)))

    def grad(self, c: _Call, scale: float, out: np.ndarray) -> None:
        self._store(out, scale * self._weighted(self.module.grad(*self._inputs(c), *c.params), c))

    def hess(self, c: _Call, scale: float, out: np.ndarray) -> None:
        self._store(out, scale * self._weighted(self.module.hess(*self._inputs(c), *c.params), c))


def _float_array(value, argument: str, kernel: str) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind != "f":
        raise TypeError(
            f"{kernel}: {argument} must be a floating-point array (float32 or float64), "
            f"got dtype {array.dtype}; convert it with .astype(np.float64)"
        )
    return array


class Kernel:
    """The loss ``name`` on one backend. See the README for the API contract."""

    def __init__(self, name: str, backend: str, module: ModuleType, *, float32_module: ModuleType | None = None):
        self.name = name
        self.backend = backend
        self.module = module
        self.arithmetic = "float64" if float32_module is None else "input"
        self.param_defaults = {
            p: int(default) if domain == "integer" else float(default) for p, default, domain in module.PARAMS
        }
        self.param_domains = {p: DOMAINS[domain] for p, _, domain in module.PARAMS}
        self.prediction_domain = DOMAINS[module.PREDICTION_DOMAIN]
        self.target_domain = DOMAINS[module.TARGET_DOMAIN]
        self.rowwise = getattr(module, "SHAPE", "elementwise") == "rowwise"
        self.label_target = getattr(module, "TARGET_KIND", "") == "label"
        self.ignore_param = getattr(module, "IGNORE_PARAM", None)
        self.auxiliary = {name: DOMAINS[domain] for name, domain in getattr(module, "AUXILIARY", ())}
        self._impl = _NumbaBackend(name, module, float32_module) if backend == "numba" else _NumpyBackend(module)
        #: inputs the float32 kernels check against float32 arithmetic's range themselves
        self._range_checked = frozenset(float32_module.RANGE_CHECKED if float32_module else ())
        #: inputs whose domain the Numba kernels check themselves
        self._domain_checked = frozenset(module.DOMAIN_CHECKED if backend == "numba" else ())

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v:g}" for k, v in self.param_defaults.items())
        arithmetic = ", float32 arithmetic for float32" if self.arithmetic == "input" else ""
        return f"<lossgen kernel {self.name!r} ({self.backend}{arithmetic}){' ' + params if params else ''}>"

    # -- argument checking -------------------------------------------------------------------

    def _params(self, given: dict) -> tuple[float, ...]:
        unknown = sorted(set(given) - set(self.param_defaults))
        if unknown:
            known = ", ".join(self.param_defaults) or "none"
            raise TypeError(f"{self.name}: unknown parameter '{unknown[0]}' (parameters: {known})")
        values = []
        for name, default in self.param_defaults.items():
            value = given.get(name, default)
            domain = self.param_domains[name]
            if domain.name == "integer":
                if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
                    raise TypeError(f"{self.name}: parameter {name} must be an integer, got {type(value).__name__}")
                values.append(int(value))
                continue
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
                raise TypeError(f"{self.name}: parameter {name} must be a real number, got {type(value).__name__}")
            value = float(value)
            if not domain.contains(value):
                raise ValueError(f"{self.name}: parameter {name}={value!r} is outside its domain {domain.description}")
            values.append(value)
        return tuple(values)

    def _prepare(self, y_pred, y_true, weight, reduction, params) -> _Call:
        if reduction not in REDUCTIONS:
            raise ValueError(f"{self.name}: unknown reduction {reduction!r} (use one of {', '.join(REDUCTIONS)})")
        params = dict(params)
        auxiliary = {name: params.pop(name) for name in self.auxiliary if name in params}
        missing = [name for name in self.auxiliary if name not in auxiliary]
        if missing:
            raise TypeError(f"{self.name}: missing array argument '{missing[0]}' (pass {missing[0]}=...)")
        param_values = self._params(params)
        pred = _float_array(y_pred, "y_pred", self.name)
        if pred.dtype not in _FLOAT_DTYPES:
            raise TypeError(f"{self.name}: y_pred must be float32 or float64, got {pred.dtype}")
        shape, dtype = pred.shape, pred.dtype
        if self.rowwise:
            if pred.ndim == 0 or shape[-1] == 0:
                raise ValueError(
                    f"{self.name}: y_pred must have a class axis (the last) of length >= 1, got shape {shape}"
                )
            loss_shape, classes = shape[:-1], shape[-1]
        else:
            loss_shape, classes = shape, 0

        def flatten(array: np.ndarray, argument: str, to_shape: tuple[int, ...], array_dtype) -> np.ndarray:
            try:
                broadcast = np.broadcast_shapes(array.shape, to_shape)
            except ValueError:
                broadcast = None
            if broadcast != to_shape:
                raise ValueError(
                    f"{self.name}: {argument} of shape {array.shape} does not broadcast to the shape {to_shape}"
                    + (" of y_pred" if to_shape == shape else " of y_pred without its class axis")
                )
            if array.shape != to_shape:  # broadcast views are read-only: a different Numba type
                array = np.broadcast_to(array, to_shape)
            flat = np.ascontiguousarray(array, dtype=array_dtype)
            return flat.reshape((-1, classes) if flat.ndim and to_shape == shape and self.rowwise else -1)

        deferred = []  # (argument, array, domain) of the inputs whose domain the kernels check

        def check_domain(array: np.ndarray, domain, argument: str) -> None:
            if argument in self._domain_checked:
                deferred.append((argument, array, domain))
            else:
                self._check_domain(array, domain, argument)

        check_domain(pred, self.prediction_domain, "y_pred")
        if self.label_target:
            labels = np.asarray(y_true)
            if labels.dtype.kind not in "iu":
                raise TypeError(f"{self.name}: y_true must hold integer class indices, got dtype {labels.dtype}")
            target = flatten(labels, "y_true", loss_shape, np.int64)
            valid = self._check_labels(target, classes, param_values, loss_shape)
        else:
            target_array = _float_array(y_true, "y_true", self.name)
            target = flatten(target_array, "y_true", shape, dtype)
            check_domain(target_array, self.target_domain, "y_true")
            valid = None
        extra = []
        for name, domain in self.auxiliary.items():
            array = _float_array(auxiliary[name], name, self.name)
            flat = flatten(array, name, shape, dtype)
            check_domain(array, domain, name)
            extra.append(flat)
        flat_weight = None
        if weight is not None:
            flat_weight = flatten(_float_array(weight, "weight", self.name), "weight", loss_shape, dtype)
        if valid is not None and not valid.all():  # ignored rows: weight 0, left out of the mean
            flat_weight = (np.ones(valid.shape, dtype) if flat_weight is None else flat_weight.copy()) * valid
        flat_pred = np.ascontiguousarray(pred)
        flat_pred = flat_pred.reshape(-1, classes) if self.rowwise else flat_pred.reshape(-1)
        float32_arithmetic = False
        range_unchecked = ()
        if self._float32_arithmetic(pred):
            # The float32 kernels only when every input and float parameter is in the range where
            # float32 arithmetic is accurate. The kernels check the inputs in their RANGE_CHECKED
            # on the way; the others (a row-wise loss's row weights) and the parameters are
            # scanned here, each once.
            from .input_scan import float32_safe

            arrays = {"y_pred": flat_pred, "y_true": target, **dict(zip(self.auxiliary, extra)), "weight": flat_weight}
            range_unchecked = tuple(a for name, a in arrays.items() if name in self._range_checked and a is not None)
            with np.errstate(over="ignore"):  # a parameter beyond float32's range becomes inf: unsafe
                floats = np.array([p for p in param_values if isinstance(p, float)], dtype=np.float32)
            scanned = [a for name, a in arrays.items() if name not in self._range_checked]
            float32_arithmetic = float32_safe(*scanned, floats)
        return _Call(
            shape,
            loss_shape,
            dtype,
            flat_pred,
            target,
            flat_weight,
            param_values,
            reduction,
            tuple(extra),
            float32_arithmetic,
            range_unchecked,
            tuple(deferred),
        )

    def _check_labels(self, labels: np.ndarray, classes: int, params: tuple, loss_shape) -> np.ndarray:
        """Raise for labels outside [0, K) that are not the ignore index; return the valid mask."""
        ignore = None
        if self.ignore_param is not None:
            ignore = params[list(self.param_defaults).index(self.ignore_param)]
        valid = labels != ignore if ignore is not None else np.ones(labels.shape, dtype=bool)
        bad = valid & ((labels < 0) | (labels >= classes))
        if bad.any():
            flat_index = int(np.flatnonzero(bad)[0])
            index = np.unravel_index(flat_index, loss_shape) if loss_shape else ()
            where = f"y_true[{', '.join(map(str, index))}]" if loss_shape else "y_true"
            allowed = f"a class index in [0, {classes})" + (
                f" or {self.ignore_param}={ignore}" if ignore is not None else ""
            )
            raise ValueError(
                f"{self.name}: {where} = {int(labels[flat_index])} is not {allowed}; {int(bad.sum())} bad label(s)"
            )
        return valid

    def _check_domain(self, array: np.ndarray, domain, argument: str) -> None:
        """Raise ValueError naming a value of ``array`` outside ``domain``; NaN passes (it
        propagates to the result, as in PyTorch). For the inputs whose domain the Numba kernels
        do not check (all inputs on the NumPy backend, which does not import Numba): a look at
        the extremes (two vectorized passes, no temporaries), and only a failing array takes the
        full check."""
        if array.size == 0 or domain.name == "real":
            return
        if not (self._inside(array.min(), domain) and self._inside(array.max(), domain)):
            _raise_outside_domain(self.name, argument, array, domain)

    def _float32_arithmetic(self, array: np.ndarray) -> bool:
        return self.arithmetic == "input" and array.dtype == np.float32

    @staticmethod
    def _inside(value, domain) -> bool:
        above = value > domain.low if domain.low_open else value >= domain.low
        below = value < domain.high if domain.high_open else value <= domain.high
        return bool(above and below)

    def _output(self, c: _Call, out) -> np.ndarray:
        if out is None:
            return np.empty(c.shape, dtype=c.dtype)
        if not isinstance(out, np.ndarray):
            raise TypeError(f"{self.name}: out must be a numpy.ndarray, got {type(out).__name__}")
        if out.shape != c.shape or out.dtype != c.dtype:
            raise ValueError(
                f"{self.name}: out must have y_pred's shape {c.shape} and dtype {c.dtype}, got {out.shape} {out.dtype}"
            )
        if not out.flags.c_contiguous or not out.flags.writeable:
            raise ValueError(f"{self.name}: out must be C-contiguous and writeable")
        return out

    # -- the API -------------------------------------------------------------------------------

    def loss(self, y_pred, y_true, *, reduction="mean", weight=None, **params):
        """The reduced loss (a float), or per-element losses (an array like y_pred) for "none"."""
        c = self._prepare(y_pred, y_true, weight, reduction, params)
        if reduction == "none":
            out = np.empty(c.loss_shape, dtype=c.dtype)
            self._impl.loss_elements(c, out.reshape(-1))
            return out
        total = self._impl.loss_sum(c)
        return total * c.mean_scale() if reduction == "mean" else total

    def grad(self, y_pred, y_true, *, reduction="mean", weight=None, out=None, **params):
        """d(reduced loss)/d y_pred, shape of y_pred; for "none", the per-element derivative."""
        c = self._prepare(y_pred, y_true, weight, reduction, params)
        result = self._output(c, out)
        self._impl.grad(c, c.scale(), result.reshape(c.pred.shape))
        return result

    def loss_and_grad(self, y_pred, y_true, *, reduction="mean", weight=None, out=None, **params):
        """``(loss(...), grad(...))`` computed together; one pass over memory for mean and sum."""
        c = self._prepare(y_pred, y_true, weight, reduction, params)
        result = self._output(c, out)
        if reduction == "none":
            losses = np.empty(c.loss_shape, dtype=c.dtype)
            self._impl.loss_elements(c, losses.reshape(-1))
            self._impl.grad(c, 1.0, result.reshape(c.pred.shape))
            return losses, result
        scale = c.scale()
        total = self._impl.loss_and_grad(c, scale, result.reshape(c.pred.shape))
        return (total * scale if reduction == "mean" else total), result

    def hess(self, y_pred, y_true, *, reduction="mean", weight=None, out=None, **params):
        """Diagonal of the Hessian of the reduced loss w.r.t. y_pred, shape of y_pred."""
        c = self._prepare(y_pred, y_true, weight, reduction, params)
        result = self._output(c, out)
        self._impl.hess(c, c.scale(), result.reshape(c.pred.shape))
        return result


def kernel(name: str, backend: str = "numba", *, arithmetic: str = "float64", project: Project | None = None) -> Kernel:
    """The kernel for loss ``name`` on ``backend`` ("numpy" or "numba").

    ``arithmetic="float64"`` (the default) computes every element in float64, so a float32 result
    is the float64 value rounded once. ``arithmetic="input"`` computes float32 inputs in float32
    arithmetic, as PyTorch and JAX do: up to 2-3 times faster for exp/log-bound losses, accurate
    to a few float32 ulps or to what rounding the inputs by a few float32 ulps can cause (the
    accuracy command's float32-arithmetic column). It needs the Numba backend.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r} (use one of {', '.join(BACKENDS)})")
    if arithmetic not in ARITHMETICS:
        raise ValueError(f"unknown arithmetic {arithmetic!r} (use one of {', '.join(ARITHMETICS)})")
    if arithmetic == "input" and backend != "numba":
        raise ValueError(f"arithmetic='input' needs the numba backend (the {backend} backend computes in float64)")
    project = project or Project()
    module = load_generated(project, backend, name)
    float32_module = load_generated(project, "numba_float32", name) if arithmetic == "input" else None
    return Kernel(name, backend, module, float32_module=float32_module)
