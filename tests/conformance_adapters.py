"""Adapters for the conformance tests: one per equivalent style, plus the inputs they are run on.

Everything here is driven by the catalog: ``specs/*.toml`` ``[[equivalents]]`` rows say which library function
to call, with which of our names as positional arguments (``args``), which keyword arguments (``kwargs``, as
expressions of our parameters) and the relation ``ours = scale * theirs``. A new spec with equivalents of a known
style is therefore tested without new code here.

Library functions are resolved from their dotted path with :mod:`importlib` and :func:`getattr`, never ``eval``.
Libraries are imported with :func:`pytest.importorskip`, only as a guard for environments installed without the
``test`` extra.
"""

from __future__ import annotations

import functools
import importlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import sympy as sp

import lossgen
from lossgen.accuracy import library_kwargs
from lossgen.catalog import Project
from lossgen.reference import kink_points
from lossgen.spec import Equivalent, Spec, parse_param_expression

PROJECT = Project()
#: Styles whose rows are executed (``documented`` rows are stated by a library's docs only).
EXECUTED_STYLES = ("torch", "optax", "scipy", "sklearn", "xgboost")
#: Styles compared element by element (values, and gradients where the library can differentiate).
ELEMENTWISE_STYLES = ("torch", "optax", "scipy")
INPUT_KINDS = ("random", "extreme", "boundaries")
BACKENDS = ("numba", "numpy")


# -- library conventions the catalog's rows rely on (each stated in the row's note or differences) ---------------

#: The prediction where XGBoost's reg:squaredlogerror clips (float32(-1 + 1e-6)), as squared_log_error does.
_SLE_CLIP = -1 + 17 / 2**24
_EPS64 = float(np.finfo(np.float64).eps)


def _moderate_margin(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Inputs on which a few boosting rounds stay finite with a log-link objective.

    XGBoost computes exp(margin) in float32, which overflows past 88: margins up to 30. And a target far above
    exp(margin) makes a Newton step of about y·exp(-margin) in the margin, so the next round overflows (the trees
    of both runs hold inf and NaN): y·exp(-margin) up to 20.
    """
    with np.errstate(over="ignore"):
        return (np.abs(pred) <= 30.0) & (target <= 20.0 * np.exp(pred))


#: (spec, library function) → the inputs where the library's function is defined and follows lossgen's definition
#: (its documentation or the spec's note says what happens elsewhere); conformance inputs are restricted to them.
LIBRARY_INPUTS: dict[tuple[str, str], Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    # PyTorch returns NaN for rates below -eps; lossgen continues the loss by its value at 0 below 0.
    ("poisson_nll_rate", "torch.nn.functional.poisson_nll_loss"): lambda pred, target: pred >= 0,
    # XGBoost evaluates its gradient at the clipped prediction (lossgen's is 0 there) and holds margins in float32:
    # near ŷ = -1 its Hessian ~ 1/(1 + ŷ)² amplifies their rounding, and log1p(ŷ) − log1p(y) in float32 has no
    # correct digit for ŷ ≈ y ~ 1e6 (trees then split differently). Tested for -0.9 < ŷ, y <= 1e3.
    ("squared_log_error", "reg:squaredlogerror"): lambda pred, target: (
        (pred > -0.9) & (np.maximum(pred, target) <= 1e3)
    ),
    # scikit-learn rejects ŷ <= -1.
    ("squared_log_error", "sklearn.metrics.mean_squared_log_error"): lambda pred, target: pred > _SLE_CLIP,
    # scikit-learn clips probabilities to [eps, 1 - eps] (lossgen clamps the logs at -100, as PyTorch).
    ("bce", "sklearn.metrics.log_loss"): lambda pred, target: (pred >= _EPS64) & (pred <= 1 - _EPS64),
    ("poisson_nll", "count:poisson"): _moderate_margin,
    ("gamma_nll", "reg:gamma"): _moderate_margin,
    ("tweedie_nll", "reg:tweedie"): _moderate_margin,
}

#: (spec, library function) → where the library's gradient follows a different convention from the derivative of
#: the loss it computes (stated in the row's differences and examples): values are compared there, gradients not.
GRADIENT_CONVENTIONS: dict[tuple[str, str], Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    # PyTorch's backward is (p - y)/max(p(1 - p), 1e-12 in float32).
    ("bce", "torch.nn.functional.binary_cross_entropy"): lambda p, y: p * (1 - p) < 1.01e-12,
    # JAX splits the derivative of max(0, 1 - x·y) evenly at the tie (-y/2); lossgen's is 0 there.
    ("hinge", "optax.hinge_loss"): lambda x, y: x * y == 1.0,
}

#: Metrics that take class labels, not probabilities: the targets are made hard labels (low, high) for them.
HARD_LABELS: dict[str, tuple[float, float]] = {
    "sklearn.metrics.log_loss": (0.0, 1.0),
    "sklearn.metrics.hinge_loss": (-1.0, 1.0),
}

#: (library function, our parameter) → the values to try off the default where the library accepts only part of
#: the parameter's domain (XGBoost: 1 <= tweedie_variance_power < 2; PyTorch's multi_margin_loss: p = 1 or 2).
LIBRARY_PARAM_VALUES: dict[tuple[str, str], tuple[float, ...]] = {
    ("reg:tweedie", "rho"): (1.0, 1.8),
    ("torch.nn.functional.multi_margin_loss", "p"): (2.0,),
}


# -- the catalog ---------------------------------------------------------------------------------------------


@functools.cache
def load_spec(name: str) -> Spec:
    return PROJECT.load(name)


@functools.cache
def derivation(name: str):
    """The symbolic derivation behind the high-precision truth (0.1-1 s each, so cached)."""
    from lossgen.derive import derive

    return derive(load_spec(name))


@functools.cache
def kernel(name: str, backend: str):
    return lossgen.kernel(name, backend)


def equivalent_pairs() -> list[tuple[str, int]]:
    """(spec name, index into spec.equivalents) of every executed equivalent in the catalog."""
    pairs = []
    for name in PROJECT.names():
        for index, equivalent in enumerate(load_spec(name).equivalents):
            if equivalent.style not in ("documented", "composed"):
                pairs.append((name, index))
    return pairs


def passed_params(spec: Spec, equivalent: Equivalent) -> set[str]:
    """Our parameters that reach the library call (positionally, in kwargs or in the scale)."""
    names = set(equivalent.args)
    for text in [v for _, v in equivalent.kwargs] + [equivalent.scale]:
        names |= {s.name for s in _param_expression(spec.name, text, "equivalent").free_symbols}
    return names & {p.name for p in spec.params}


def param_settings(spec: Spec, equivalent: Equivalent | None = None) -> list[dict[str, float]]:
    """All parameters at their defaults, then each parameter moved off its default in turn.

    Unit-interval parameters (a quantile level τ) are tried at 0.1 and 0.9, others at 1.7 × the default. A
    parameter the equivalent does not receive (optax's cross-entropy has no label smoothing) stays at its
    default: the equivalence is only claimed there.
    """
    defaults = {p.name: int(p.default) if p.domain.name == "integer" else p.default for p in spec.params}
    settings = [dict(defaults)]
    varied = passed_params(spec, equivalent) if equivalent is not None else {p.name for p in spec.params}
    for p in spec.params:
        if p.name not in varied:
            continue
        if p.domain.name == "integer":
            continue  # an index (ignore_index): exercised by the inputs, not by moving it
        if equivalent is not None and (equivalent.function, p.name) in LIBRARY_PARAM_VALUES:
            others = list(LIBRARY_PARAM_VALUES[(equivalent.function, p.name)])
        elif p.domain.name in ("unit_interval", "open_unit_interval"):
            others = [0.1, 0.9]
        else:
            others = [p.default * 1.7 if p.default != 0 else 1.0]
        for value in others:
            if value != p.default and p.domain.contains(value):
                settings.append({**defaults, p.name: value})
    return settings


@functools.cache
def _param_expression(name: str, text: str, field: str) -> sp.Expr:
    return parse_param_expression(load_spec(name), text, field)


def evaluate_param_expression(spec: Spec, text: str, field: str, params: dict[str, float]) -> float:
    """An equivalent's kwargs/scale expression (over our parameters) at ``params``, as a float."""
    expr = _param_expression(spec.name, text, field)
    value = expr.subs({p.symbol: params[p.name] for p in spec.params})
    integers = {p.symbol for p in spec.params if p.domain.name == "integer"}
    if expr.free_symbols and expr.free_symbols <= integers:
        return int(value)  # an index such as ignore_index: libraries want an int
    return float(value)


# -- inputs --------------------------------------------------------------------------------------------------


def is_logit_loss(spec: Spec) -> bool:
    """A probability-valued target means the prediction is a logit (classification); otherwise regression."""
    return spec.target.domain.name in ("unit_interval", "open_unit_interval")


def _signed(magnitudes) -> np.ndarray:
    magnitudes = np.asarray(magnitudes, dtype=np.float64)
    return np.concatenate([magnitudes, -magnitudes])


#: Logits from tiny to 1e4: σ saturates in float64 near 37 (1 − σ) and 709/745 (exp under/overflow).
EXTREME_LOGITS = _signed([1e-9, 1e-3, 0.7, 5.0, 17.0, 30.0, 37.5, 40.0, 100.0, 709.0, 750.0, 1e3, 1e4])
EXTREME_LOGIT_TARGETS = np.array([0.0, 1.0, 0.5, 0.1])
#: Regression residuals from tiny (cancellation in naive formulas) to 1e6 (overflow of squares in float32).
EXTREME_RESIDUALS = _signed([1e-9, 3e-7, 1e-3, 0.37, 1.0, 3.0, 47.0, 1e3, 2.5e4, 1e6])
EXTREME_REGRESSION_TARGETS = np.array([0.0, 1.5, -1e6, 1e6])


def _tile_pairs(preds_or_residuals: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.meshgrid(preds_or_residuals, targets, indexing="ij")
    return a.ravel(), b.ravel()


def make_inputs(
    spec: Spec, kind: str, params: dict[str, float], seed: int = 0, equivalent: Equivalent | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """float64 (prediction, target) arrays of one input kind, with targets inside ``spec.target.domain``."""
    rng = np.random.default_rng(seed)
    if spec.rowwise:
        ignore = spec.target.ignore is not None and (
            equivalent is None or spec.target.ignore in passed_params(spec, equivalent)
        )
        return make_row_inputs(spec, kind, params, rng, ignore)
    if spec.prediction.domain.name in ("unit_interval", "open_unit_interval"):
        pred, target = _probability_inputs(spec, kind, params, rng)
    else:
        pred, target = _elementwise_inputs(spec, kind, params, rng)
    return library_inputs(spec, equivalent, pred, target) if equivalent is not None else (pred, target)


def library_inputs(
    spec: Spec, equivalent: Equivalent, pred: np.ndarray, target: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The inputs a library function accepts: hard labels for label metrics, restricted by :data:`LIBRARY_INPUTS`."""
    if equivalent.function in HARD_LABELS:
        low, high = HARD_LABELS[equivalent.function]
        target = np.where(target >= (low + high) / 2, high, low)
    keep = LIBRARY_INPUTS.get((spec.name, equivalent.function))
    if keep is not None:
        mask = keep(pred, target)
        pred, target = pred[mask], target[mask]
    return pred, target


def _regression_targets(spec: Spec, targets) -> np.ndarray:
    """The targets inside the spec's target domain (a positive domain also gets a small positive target)."""
    domain = spec.target.domain
    kept = [t for t in targets if domain.contains(t)]
    if domain.name == "positive":
        kept.append(1e-3)
    return np.array(kept, dtype=np.float64)


#: Probabilities from 0 to 1: subnormal, at the -100 clamp of log p (e^-100), near 1 and 1 itself.
EXTREME_PROBABILITIES = np.array(
    [0.0, 5e-324, 1e-300, np.nextafter(np.exp(-100), 0), np.exp(-100), np.nextafter(np.exp(-100), 1), 1e-20,
     1e-13, 1e-9, 1e-3, 0.3, 0.5, 0.7, 1 - 1e-3, 1 - 1e-9, np.nextafter(1.0, 0), 1.0]
)  # fmt: skip


def _probability_inputs(spec: Spec, kind: str, params: dict[str, float], rng) -> tuple[np.ndarray, np.ndarray]:
    """Predictions that are probabilities (bce): random, extreme (0, 1, subnormal, e^-100) and the kinks."""
    if kind == "random":
        n = 96
        return rng.uniform(0.0, 1.0, size=n), rng.uniform(0.0, 1.0, size=n)
    if kind == "extreme":
        return _tile_pairs(EXTREME_PROBABILITIES, EXTREME_LOGIT_TARGETS)
    if kind == "boundaries":
        domain = spec.prediction.domain
        pred, target = [], []
        for t in (0.0, 0.5, 1.0):
            points = [0.0, 0.5, 1.0] + kink_points(derivation(spec.name), t, params)
            around = [np.nextafter(b, d) for b in points for d in (-np.inf, np.inf)] + points
            inside = sorted({float(b) for b in around if domain.contains(float(b))})
            pred.append(np.array(inside))
            target.append(np.full(len(inside), t))
        return np.concatenate(pred), np.concatenate(target)
    raise ValueError(f"unknown input kind {kind!r}")


def _elementwise_inputs(spec: Spec, kind: str, params: dict[str, float], rng) -> tuple[np.ndarray, np.ndarray]:
    """Logits and probability targets (classification), or predictions and targets in the target's domain."""
    logits = is_logit_loss(spec)
    if kind == "random":
        n = 96
        pred = rng.normal(size=n) * (3.0 if logits else 1.0)
        if logits:
            target = rng.uniform(0.0, 1.0, size=n)
        elif spec.target.domain.name in ("positive", "nonnegative"):
            target = rng.lognormal(size=n)
            if spec.target.domain.name == "nonnegative":
                target[::4] = 0.0  # counts and amounts with exact zeros
        else:
            target = rng.normal(size=n)
        if spec.target.domain.name == "open_unit_interval":
            target = np.clip(target, 1e-6, 1 - 1e-6)
        return pred, target
    if kind == "extreme":
        if logits:
            return _tile_pairs(EXTREME_LOGITS, EXTREME_LOGIT_TARGETS)
        residual, target = _tile_pairs(EXTREME_RESIDUALS, _regression_targets(spec, EXTREME_REGRESSION_TARGETS))
        return target + residual, target
    if kind == "boundaries":
        # Kinks sit at residual 0 and at |r| = a parameter value (Huber's δ, Smooth L1's β): hit them exactly
        # and one ulp either side, with both signs; 1.0 is always included (the usual default).
        kinks = sorted({1.0} | {abs(v) for v in params.values() if v != 0})
        magnitudes = [0.0, 5e-324, 1e-300]
        for v in kinks:
            magnitudes += [np.nextafter(v, 0.0), v, np.nextafter(v, np.inf)]
        residuals = _signed(magnitudes)
        targets = np.array([0.0, 0.5, 1.0]) if logits else _regression_targets(spec, [0.0, 0.5, -2.0, 3.25])
        residual, target = _tile_pairs(residuals, targets)
        pred = target + residual
        exact = (pred - target) == residual  # keep only points where the kink is hit exactly
        assert exact[target == 0].all()
        pred, target = [pred[exact]], [target[exact]]
        # Plus the kinks lossgen.reference finds in the derived expressions (zeros of Piecewise conditions and of
        # the arguments of Abs/sign/Max/Min, in declared and lowered forms, e.g. log_cosh's |r| = 1 switch), each
        # rounded to the nearest float and one ulp either side.
        for t in targets:
            for point in kink_points(derivation(spec.name), float(t), params):
                around = np.array([np.nextafter(point, -np.inf), point, np.nextafter(point, np.inf)])
                pred.append(around)
                target.append(np.full(3, t))
        return np.concatenate(pred), np.concatenate(target)
    raise ValueError(f"unknown input kind {kind!r}")


def make_row_inputs(spec: Spec, kind: str, params: dict, rng, ignore: bool) -> tuple[np.ndarray, np.ndarray]:
    """(N, K) predictions and (N, K) probability targets or (N,) class indices, for a row-wise spec.

    random: logits of scale 3; extreme: logits up to ±1e4 and exact-zero probabilities;
    boundaries: ties (all logits equal), one-hot targets and, for labels, ignored rows.
    """
    n, classes = 24, 5
    label = spec.target.kind == "label"
    if kind == "random":
        pred = rng.normal(scale=3.0, size=(n, classes))
    elif kind == "extreme":
        pred = rng.choice([-1e4, -1e3, -40.0, -1e-9, 0.0, 1e-9, 40.0, 1e3, 1e4], size=(n, classes))
    elif kind == "boundaries":
        pred = np.repeat(rng.choice([0.0, 3.0, -700.0], size=(n, 1)), classes, axis=1)
        pred[::2, 0] += 1e-12  # near-ties
    else:
        raise ValueError(f"unknown input kind {kind!r}")
    if label:
        target = rng.integers(0, classes, size=n)
        if kind == "boundaries" and ignore:  # only where the library takes ignore_index too
            target[::3] = params[spec.target.ignore]
        return pred, target
    target = rng.dirichlet(np.ones(classes), size=n)
    if kind in ("extreme", "boundaries"):
        target[::2] = np.eye(classes)[rng.integers(0, classes, size=(n + 1) // 2)]  # one-hot: exact zeros
        target[1::4, 0] = 0.0
        target = target / target.sum(axis=1, keepdims=True)
    return pred, target


# -- arguments of a library call -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ArgumentFunctions:
    """How to compute one of our names from (prediction, target, *params), and its derivative in the prediction."""

    kind: str  # "array" or "param"
    value: Callable | None
    d_pred: Callable | None


@functools.cache
def argument_functions(name: str) -> dict[str, ArgumentFunctions]:
    """Every name an equivalent may pass: inputs, parameters and intermediates (expanded, then lambdified)."""
    spec = load_spec(name)
    symbols = [spec.prediction.symbol, spec.target.symbol] + [p.symbol for p in spec.params]
    result = {p.name: ArgumentFunctions("param", None, None) for p in spec.params}
    definitions = {spec.prediction.name: spec.prediction.symbol, spec.target.name: spec.target.symbol}
    for inter in spec.intermediates:
        expr = inter.expr
        for earlier in reversed(spec.intermediates[: spec.intermediates.index(inter)]):
            expr = expr.subs(earlier.symbol, earlier.expr)
        definitions[inter.name] = expr
    for arg_name, expr in definitions.items():
        value = sp.lambdify(symbols, expr, modules="numpy")
        d_pred = sp.lambdify(symbols, sp.diff(expr, spec.prediction.symbol), modules="numpy")
        result[arg_name] = ArgumentFunctions("array", value, d_pred)
    return result


@dataclass(frozen=True)
class Case:
    """One equivalent evaluated at one parameter setting on one set of inputs."""

    spec: Spec
    equivalent: Equivalent
    params: dict[str, float]
    pred: np.ndarray
    target: np.ndarray

    @functools.cached_property
    def extra(self) -> dict[str, np.ndarray]:
        """Auxiliary array inputs (gaussian_nll's variance), drawn from their domains like the test grid."""
        from lossgen.reference import auxiliary_values

        values = auxiliary_values(derivation(self.spec.name), self.pred.size)
        return {name: value.reshape(self.pred.shape) for name, value in values.items()}

    @property
    def scale(self) -> float:
        return evaluate_param_expression(self.spec, self.equivalent.scale, "scale", self.params)

    @property
    def kwargs(self) -> dict[str, float]:
        values = {
            key: evaluate_param_expression(self.spec, text, f"kwargs.{key}", self.params)
            for key, text in self.equivalent.kwargs
        }
        return library_kwarg_types(self.equivalent, values)

    def _call_values(self, fn: Callable) -> np.ndarray:
        values = [self.params[p.name] for p in self.spec.params]
        out = fn(self.pred, self.target, *values)
        return np.broadcast_to(np.asarray(out, dtype=np.float64), self.pred.shape).copy()

    def args(self) -> list[tuple[str, np.ndarray | float, np.ndarray | None]]:
        """(name, value, d value / d prediction) per positional argument; floats (and None) for parameters."""
        if self.spec.rowwise:
            result = []
            for arg in self.equivalent.args:
                if arg == self.spec.prediction.name:
                    result.append((arg, self.pred, np.ones_like(self.pred)))
                elif arg == self.spec.target.name:
                    result.append((arg, self.target, None))  # an array, not differentiated
                else:
                    result.append((arg, self.params[arg], None))
            return result
        functions = argument_functions(self.spec.name)
        weight = self.spec.weight
        result = []
        for arg in self.equivalent.args:
            if arg in self.extra:  # an auxiliary array: passed as it is, not differentiated
                result.append((arg, self.extra[arg], None))
                continue
            if weight is not None and arg == weight.name:
                raise NotImplementedError(f"{self.spec.name}: the adapters do not pass weight-role inputs ({arg})")
            f = functions[arg]
            if f.kind == "param":
                result.append((arg, float(self.params[arg]), None))
            else:
                result.append((arg, self._call_values(f.value), self._call_values(f.d_pred)))
        return result


def library_kwarg_types(equivalent: Equivalent, values: dict[str, float]) -> dict[str, float]:
    """Keyword values as the library's signature wants them (``lossgen.accuracy.library_kwargs``)."""
    if equivalent.style not in ("torch", "optax", "scipy", "sklearn") or not values:
        return values
    return library_kwargs(resolve(equivalent.function), values)


def resolve(dotted: str):
    """``package.module.attr`` → the object, via importlib and getattr (never eval)."""
    parts = dotted.split(".")
    top = parts[0]
    pytest.importorskip(top)  # guard for environments without the test extra
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attr in parts[split:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(f"cannot import {dotted}")


# -- elementwise adapters: per-element values (and d/d prediction of their sum) -------------------------------


@dataclass(frozen=True)
class Elementwise:
    values: np.ndarray
    grad: np.ndarray | None  # d(sum of theirs)/d prediction, per element; None where the library has no autograd


def run_torch(case: Case) -> Elementwise:
    torch = pytest.importorskip("torch")
    fn = resolve(case.equivalent.function)
    leaves, call_args = [], []
    for _, value, d_pred in case.args():
        if d_pred is None or not np.any(d_pred):  # a parameter, or an array not depending on the prediction
            if isinstance(value, np.ndarray):  # a target array; long for class indices
                value = torch.tensor(value, dtype=torch.long if value.dtype.kind in "iu" else torch.float64)
            call_args.append(value)
        else:
            tensor = torch.tensor(value, dtype=torch.float64, requires_grad=True)
            leaves.append((tensor, d_pred))
            call_args.append(tensor)
    theirs = fn(*call_args, reduction="none", **case.kwargs)
    if case.spec.rowwise and theirs.dim() == case.pred.ndim:
        theirs = theirs.sum(dim=-1)  # per-class terms (kl_div): the loss of a row is their sum
    theirs.sum().backward()
    grad = np.zeros_like(case.pred)
    for tensor, d_pred in leaves:  # chain rule through intermediates (d r/d ŷ etc.)
        grad += tensor.grad.numpy() * d_pred
    return Elementwise(theirs.detach().numpy().astype(np.float64), grad)


_jax_x64_enabled = False


def _jax():
    global _jax_x64_enabled
    jax = pytest.importorskip("jax")
    if not _jax_x64_enabled:
        jax.config.update("jax_enable_x64", True)  # before any array is created: float64 throughout
        _jax_x64_enabled = True
    return jax


def run_optax(case: Case) -> Elementwise:
    jax = _jax()
    pytest.importorskip("optax")
    jnp = jax.numpy
    fn = resolve(case.equivalent.function)
    args = case.args()
    kwargs = case.kwargs
    array_positions = [k for k, (_, _, d) in enumerate(args) if d is not None]

    def total(*arrays):
        call_args = [jnp.asarray(a[1]) if isinstance(a[1], np.ndarray) else a[1] for a in args]
        for position, array in zip(array_positions, arrays):
            call_args[position] = array
        return fn(*call_args, **kwargs)

    arrays = [jnp.asarray(args[k][1], dtype=jnp.float64) for k in array_positions]
    values = np.asarray(total(*arrays), dtype=np.float64)
    partials = jax.grad(lambda *a: total(*a).sum(), argnums=tuple(range(len(arrays))))(*arrays)
    grad = np.zeros_like(case.pred)
    for position, partial in zip(array_positions, partials):
        grad += np.asarray(partial, dtype=np.float64) * args[position][2]
    return Elementwise(values, grad)


def run_scipy(case: Case) -> Elementwise:
    pytest.importorskip("scipy")
    fn = resolve(case.equivalent.function)
    values = fn(*[value for _, value, _ in case.args()], **case.kwargs)
    return Elementwise(np.asarray(values, dtype=np.float64), None)


ELEMENTWISE_ADAPTERS: dict[str, Callable[[Case], Elementwise]] = {
    "torch": run_torch,
    "optax": run_optax,
    "scipy": run_scipy,
}


# -- sklearn: (weighted) means --------------------------------------------------------------------------------


def run_sklearn(case: Case, sample_weight: np.ndarray | None) -> float:
    pytest.importorskip("sklearn")
    fn = resolve(case.equivalent.function)
    extra = {} if sample_weight is None else {"sample_weight": sample_weight}
    return float(fn(*[value for _, value, _ in case.args()], **case.kwargs, **extra))


# -- xgboost: train with the built-in objective and with lossgen's gradient/Hessian ---------------------------

#: Built-in objectives whose ``base_score`` is a probability (turned into the margin logit(base_score)); a custom
#: objective has no link function, so its ``base_score`` is a margin. 0.5 and 0.0 give the same margin, 0.
_PROBABILITY_BASE_SCORE = ("binary:logistic", "reg:logistic")
#: Built-in objectives with a log link: their ``base_score`` is a mean, turned into the margin log(base_score).
_MEAN_BASE_SCORE = ("count:poisson", "reg:gamma", "reg:tweedie")


def xgboost_base_score(function: str) -> float:
    """The ``base_score`` of a built-in objective that means the margin 0 (as a custom objective's 0.0)."""
    if function in _PROBABILITY_BASE_SCORE:
        return 0.5
    return 1.0 if function in _MEAN_BASE_SCORE else 0.0


#: A true convention difference: XGBoost's logistic objectives return max(p(1 - p), 1e-16) as the Hessian
#: (``LogisticRegression::SecondOrderGradient`` in src/objective/regression_loss.h), lossgen the exact σ(x)σ(-x),
#: which underflows to 0 for |x| > 745. It matters: XGBoost gives a leaf whose Hessian sum is <= 0 the weight 0,
#: so with the exact Hessian a leaf holding only rows at margin ±1e4 gets weight 0 instead of -G/(H + λ). The
#: custom objective applies the same floor (per row, before weighting) so that the two runs are comparable.
XGB_HESSIAN_FLOOR = {"binary:logistic": 1e-16, "reg:logistic": 1e-16}
#: reg:squaredlogerror returns max(exact Hessian, 1e-6) (``SquaredLogError::SecondOrderGradient``): the exact one is
#: negative for ŷ > e(1 + y) - 1. Stated in squared_log_error's differences, with examples.
XGB_HESSIAN_FLOOR["reg:squaredlogerror"] = 1e-6
XGB_ROUNDS = 4


@dataclass(frozen=True)
class Boosted:
    margins: np.ndarray  # predict(output_margin=True) on the training rows (with their base margins)
    fresh_margins: np.ndarray  # the same rows without base margins: tests that base_score means the same margin
    trees: list[dict]  # get_dump(dump_format="json", with_stats=True), parsed


def xgboost_labels(case: Case) -> np.ndarray:
    """Labels for XGBoost: hard {0, 1} labels for a logit loss (binary:logistic wants 0/1), else the targets."""
    return (case.target >= 0.5).astype(np.float64) if is_logit_loss(case.spec) else case.target


def run_xgboost(case: Case, gradient_hessian: Callable | None, seed: int = 0) -> Boosted:
    """Train a small deterministic booster from the case's predictions (as per-row base margins) and targets.

    ``gradient_hessian(margins, labels, weights) -> (g, h)`` (float64) is used as a custom objective; with None the
    built-in objective ``case.equivalent.function`` is used.
    """
    xgb = pytest.importorskip("xgboost")
    rng = np.random.default_rng(seed)
    n = len(case.pred)
    features = rng.normal(size=(n, 3))
    weights = rng.uniform(0.5, 2.0, size=n)
    labels = xgboost_labels(case)
    dtrain = xgb.DMatrix(features, label=labels, weight=weights, base_margin=case.pred, nthread=1)
    dfresh = xgb.DMatrix(features, nthread=1)
    params = {
        "tree_method": "exact",
        "nthread": 1,
        "seed": 0,
        "max_depth": 3,
        "eta": 0.3,
        "lambda": 1.0,
        "min_child_weight": 0.0,  # let trees split even where Hessians are tiny (saturated rows)
    }
    if gradient_hessian is None:
        params["objective"] = case.equivalent.function
        params.update(case.kwargs)  # the objective's own parameters (huber_slope); a custom objective has none
        params["base_score"] = xgboost_base_score(case.equivalent.function)
        booster = xgb.train(params, dtrain, num_boost_round=XGB_ROUNDS)
    else:
        params["base_score"] = 0.0

        def objective(margins, data):
            label = data.get_label().astype(np.float64)
            weight = data.get_weight().astype(np.float64)
            return gradient_hessian(np.asarray(margins, dtype=np.float64), label, weight)

        booster = xgb.train(params, dtrain, num_boost_round=XGB_ROUNDS, obj=objective)
    return Boosted(
        margins=booster.predict(dtrain, output_margin=True).astype(np.float64),
        fresh_margins=booster.predict(dfresh, output_margin=True).astype(np.float64),
        trees=[json.loads(tree) for tree in booster.get_dump(dump_format="json", with_stats=True)],
    )


def lossgen_objective(case: Case, backend: str, *, hessian_factor: float = 1.0) -> Callable:
    """The custom objective from lossgen's per-element gradient and Hessian (weighted), divided by ``scale``.

    ``hessian_factor`` exists only to check by hand that the comparison detects a wrong Hessian.
    """
    k = kernel(case.spec.name, backend)
    scale = case.scale
    params = case.params
    floor = XGB_HESSIAN_FLOOR.get(case.equivalent.function, -np.inf)

    def gradient_hessian(margins, labels, weights):
        g = k.grad(margins, labels, reduction="none", weight=weights, **params) / scale
        h = k.hess(margins, labels, reduction="none", weight=weights, **params) / scale
        h = np.maximum(h, floor * weights)  # weights > 0: max(h·w, floor·w) = max(h, floor)·w
        return g, h * hessian_factor

    return gradient_hessian


def tree_nodes(tree: dict, path: str = "0") -> list[tuple[str, dict]]:
    """Nodes of a JSON tree dump in a fixed order, each with its path from the root."""
    node = {key: value for key, value in tree.items() if key != "children"}
    result = [(path, node)]
    for index, child in enumerate(tree.get("children", [])):
        result += tree_nodes(child, f"{path}.{index}")
    return result


def math_isclose(a: float, b: float, rtol: float, atol: float) -> bool:
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)
