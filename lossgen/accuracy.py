"""``lossgen accuracy``: kernels vs the mpmath truth on the stress grid, in ulps, per loss.

For every loss, quantity (loss, grad, hess), dtype and backend it reports the largest error in
ulps at *well-conditioned* points (where rounding the inputs by one ulp moves the truth by at
most 4 ulps, κ ≤ 4) and at all points, and the number of points that fail the test suite's
criterion (:func:`lossgen.reference.check_accuracy`). Where the spec lists a PyTorch equivalent
(style "torch") it reports PyTorch's figure on the same float64 grid, and SciPy's (values only)
where it lists a SciPy one.

It also reports the Numba kernels with float32 arithmetic (``arithmetic="input"``) on the float32
grid, held to their own criterion (8 float32 ulps, or what moving the inputs by 8 float32 ulps can
cause), beside PyTorch's figure on that float32 grid: PyTorch computes float32 in float32 too.
Points outside float32 arithmetic's range are computed as a call holding them is, by the
float64-arithmetic kernels. Non-finite results where the truth is finite are failures; the
command exits with status 1 if there is any failure.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass

import mpmath
import numpy as np

from .catalog import Project
from .derive import derive
from .input_scan import float32_safe
from .reference import (
    DIGITS,
    QUANTITIES,
    RowReference,
    _sensitivity_function,
    auxiliary_values,
    check_accuracy,
    check_row_accuracy,
    mp_values,
    row_stress_points,
    stress_points,
    ulp_error,
)
from .runtime import kernel as load_kernel

WELL_CONDITIONED = 4.0
#: The accuracy table's kernels: (dtype of the inputs, arithmetic, backends).
VARIANTS = (
    (np.float64, "float64", ("numpy", "numba")),
    (np.float32, "float64", ("numpy", "numba")),
    (np.float32, "input", ("numba",)),
)


def _criterion(dtype, arithmetic: str) -> tuple[float, type]:
    """The test criterion's ulps and arithmetic dtype for a kernel: 8 ulps in float64; a float32
    result of the default kernels is the float64 value rounded once (1 ulp); float32 arithmetic
    gets 8 float32 ulps (as in tests/test_float32_arithmetic.py)."""
    if arithmetic == "input" and dtype == np.float32:
        return 8.0, np.float32
    return (8.0 if dtype == np.float64 else 1.0), np.float64


@dataclass(frozen=True)
class Figure:
    """Max ulps at well-conditioned points, max ulps anywhere, and criterion failures."""

    conditioned: float
    overall: float
    failures: int

    def __str__(self) -> str:
        text = f"{self.conditioned:.3g} ({self.overall:.3g})"
        return text + (f" FAIL×{self.failures}" if self.failures else "")


def torch_equivalent(spec):
    """The spec's PyTorch equivalent that the accuracy table compares with (a (prediction, target)
    call at scale 1), or None."""
    if spec.auxiliary:
        return None  # the PyTorch column covers (prediction, target) calls only
    for equivalent in spec.equivalents:
        names = {spec.prediction.name, spec.target.name}
        if equivalent.style == "torch" and set(equivalent.args) <= names and equivalent.scale == "1":
            return equivalent
    return None


def _torch_call(spec, equivalent, pred, target):
    """PyTorch's loss and gradient per element (row), in the inputs' float dtype."""
    import torch

    module, _, attr = equivalent.function.rpartition(".")
    fn = getattr(importlib.import_module(module), attr)
    dtype = torch.float32 if np.asarray(pred).dtype == np.float32 else torch.float64
    z = torch.tensor(pred, dtype=dtype, requires_grad=True)
    t = torch.tensor(target, dtype=torch.long if np.asarray(target).dtype.kind in "iu" else dtype)
    kwargs = library_kwargs(fn, {k: float(_default(spec, v)) for k, v in equivalent.kwargs})
    ordered = [z if a == spec.prediction.name else t for a in equivalent.args]
    values = fn(*ordered, reduction="none", **kwargs)
    if spec.rowwise and values.dim() == z.dim():
        values = values.sum(dim=-1)
    values.sum().backward()
    return {"loss": values.detach().numpy(), "grad": z.grad.numpy()}


def library_kwargs(function, values: dict[str, float]) -> dict[str, float | int | bool]:
    """Keyword values (parsed from a spec as numbers) as a library function's signature wants them:
    a flag whose default is a bool (PyTorch's log_input, log_target) as a bool, an integer whose
    default is an int (ignore_index, multi_margin_loss's p) as an int; the rest unchanged."""
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):  # a builtin without a signature (a NumPy ufunc)
        return dict(values)
    result: dict[str, float | int | bool] = dict(values)
    for key, value in values.items():
        default = parameters[key].default if key in parameters else None
        if isinstance(default, bool):
            result[key] = bool(value)
        elif isinstance(default, int) and float(value).is_integer():
            result[key] = int(value)
    return result


def _default(spec, text: str) -> float:
    from .spec import parse_param_expression

    expr = parse_param_expression(spec, text, "kwargs")
    return float(expr.subs({p.symbol: p.default for p in spec.params}))


def _elementwise_figures(derivation, dtype, backend, arithmetic="float64"):
    k = load_kernel(derivation.spec.name, backend, arithmetic=arithmetic)
    grid = stress_points(derivation, dtype)
    pred = np.concatenate([g[0] for g in grid.values()])
    target = np.concatenate([g[1] for g in grid.values()])
    extra = auxiliary_values(derivation, len(pred), dtype)
    ulps, kind = _criterion(dtype, arithmetic)
    parts = [np.ones(len(pred), dtype=bool)]
    if kind == np.float32:
        # A call holding a value outside float32 arithmetic's range is computed in float64 as a
        # whole, so the points inside and those outside are computed in calls of their own.
        inputs = (pred, target, *extra.values())
        inside = np.array([float32_safe(*(a[i : i + 1] for a in inputs)) for i in range(len(pred))])
        parts = [inside, ~inside]
    figures = {}
    for q in QUANTITIES:
        computed = np.empty_like(pred)
        for part in parts:
            if part.any():
                method = getattr(k, q)
                computed[part] = method(
                    pred[part], target[part], reduction="none", **{n: v[part] for n, v in extra.items()}
                )
        figures[q] = _figure(derivation, q, pred, target, computed, dtype, ulps, extra, kind)
    return figures, (pred, target)


def _figure(derivation, q, pred, target, computed, dtype, ulps, extra, arithmetic=np.float64):
    truth = mp_values(derivation, q, pred, target, extra=extra)
    errors = ulp_error(computed, truth, dtype)
    conditioned = _well_conditioned(derivation, q, pred, target, truth, extra)
    failed = check_accuracy(derivation, q, pred, target, computed, dtype, ulps=ulps, extra=extra, arithmetic=arithmetic)
    # Beyond the ulp bound yet accepted (a jump at a branch boundary decided on a rounded residual,
    # or an error the inputs' rounding explains): ill-conditioned by definition.
    accepted = (errors > ulps) & ~np.isin(np.arange(len(errors)), [f.index for f in failed])
    conditioned &= ~accepted
    return Figure(float(np.max(errors[conditioned], initial=0.0)), float(np.max(errors, initial=0.0)), len(failed))


def _well_conditioned(derivation, q, pred, target, truth, extra=None) -> np.ndarray:
    sensitivity = _sensitivity_function(derivation, q)
    params = [mpmath.mpf(p.default) for p in derivation.spec.params]
    columns = [np.asarray((extra or {})[a.name], dtype=np.float64) for a in derivation.spec.auxiliary]
    mask = np.zeros(len(pred), dtype=bool)
    with mpmath.workdps(DIGITS):
        for k, (p, t) in enumerate(zip(pred, target)):
            auxiliary = [mpmath.mpf(float(c[k])) for c in columns]
            s = sensitivity(mpmath.mpf(float(p)), mpmath.mpf(float(t)), *auxiliary, *params)
            mask[k] = mpmath.isfinite(truth[k]) and s <= WELL_CONDITIONED * abs(truth[k])
    return mask


def _rowwise_figures(derivation, dtype, backend, arithmetic="float64"):
    k = load_kernel(derivation.spec.name, backend, arithmetic=arithmetic)
    reference = RowReference(derivation)
    ulps, kind = _criterion(dtype, arithmetic)
    worst = {q: [0.0, 0.0, 0] for q in QUANTITIES}
    rows = []
    for preds, targets in row_stress_points(derivation, dtype).values():
        rows += list(zip(preds, targets))
    for z, target in rows:
        computed = {
            "loss": k.loss(z, target, reduction="none"),
            "grad": k.grad(z, target, reduction="sum"),
            "hess": k.hess(z, target, reduction="sum"),
        }
        problems = check_row_accuracy(
            derivation, z, target, computed, dtype, ulps=ulps, reference=reference, arithmetic=kind
        )
        onehot = (np.arange(len(z)) == target).astype(float) if np.ndim(target) == 0 else target
        truth, sensitivity = reference.row(z, onehot)
        for q in QUANTITIES:
            errors = ulp_error(np.atleast_1d(computed[q]), truth[q], dtype)
            with mpmath.workdps(DIGITS):
                conditioned = [
                    mpmath.isfinite(t) and s <= WELL_CONDITIONED * abs(t) for t, s in zip(truth[q], sensitivity[q])
                ]
            worst[q][0] = max(worst[q][0], float(np.max(errors[np.array(conditioned)], initial=0.0)))
            worst[q][1] = max(worst[q][1], float(np.max(errors, initial=0.0)))
            worst[q][2] += sum(p.startswith(q + "[") for p in problems)
    return {q: Figure(*v) for q, v in worst.items()}, rows


def torch_figures(derivation, inputs):
    """PyTorch's errors on a stress grid (the accuracy table's PyTorch columns), or None. ``inputs``
    are the float64 or float32 grid; PyTorch computes in that dtype, and the errors are in its
    ulps."""
    spec = derivation.spec
    equivalent = torch_equivalent(spec)
    if equivalent is None:
        return None
    try:
        import torch  # noqa: F401
    except ImportError:
        return None
    if not spec.rowwise:
        pred, target = inputs
        dtype = pred.dtype.type
        theirs = _torch_call(spec, equivalent, pred, target)
        return {
            q: Figure(
                float(np.max(e[_well_conditioned(derivation, q, pred, target, t)], initial=0.0)),
                float(np.max(e, initial=0.0)),
                0,
            )
            for q in ("loss", "grad")
            for t in [mp_values(derivation, q, pred, target)]
            for e in [ulp_error(theirs[q], t, dtype)]
        }
    reference = RowReference(derivation)
    worst = {q: [0.0, 0.0] for q in ("loss", "grad")}
    for z, target in inputs:
        theirs = _torch_call(spec, equivalent, z[None, :], np.asarray(target)[None, ...])
        onehot = (np.arange(len(z)) == target).astype(float) if np.ndim(target) == 0 else target
        truth, sensitivity = reference.row(z, onehot)
        for q in ("loss", "grad"):
            errors = ulp_error(np.ravel(theirs[q]), truth[q], z.dtype.type)
            with mpmath.workdps(DIGITS):
                conditioned = np.array(
                    [mpmath.isfinite(t) and s <= WELL_CONDITIONED * abs(t) for t, s in zip(truth[q], sensitivity[q])]
                )
            worst[q][0] = max(worst[q][0], float(np.max(errors[conditioned], initial=0.0)))
            worst[q][1] = max(worst[q][1], float(np.max(errors, initial=0.0)))
    return {q: Figure(v[0], v[1], 0) for q, v in worst.items()}


def _scipy_figures(derivation, inputs):
    """SciPy's loss values (it has no gradients) on the same float64 grid, where the spec lists one."""
    spec = derivation.spec
    equivalent = next((e for e in spec.equivalents if e.style == "scipy"), None)
    if equivalent is None or spec.rowwise or spec.auxiliary:
        return None
    import sympy as sp

    module, _, attr = equivalent.function.rpartition(".")
    try:
        fn = getattr(importlib.import_module(module), attr)
    except ImportError:
        return None
    pred, target = inputs
    symbols = [spec.prediction.symbol, spec.target.symbol]
    defaults = {p.symbol: p.default for p in spec.params}
    definitions = {spec.prediction.name: spec.prediction.symbol, spec.target.name: spec.target.symbol}
    for inter in spec.intermediates:
        definitions[inter.name] = inter.expr.subs(
            {m.symbol: definitions[m.name] for m in spec.intermediates if m.name in definitions}
        )
    args = []
    for name in equivalent.args:
        if name in {p.name for p in spec.params}:
            args.append(next(p.default for p in spec.params if p.name == name))
        else:
            expr = definitions[name].subs(defaults)
            args.append(sp.lambdify(symbols, expr, "numpy")(pred, target))
    scale = float(_default(spec, equivalent.scale))
    with np.errstate(all="ignore"):
        theirs = scale * np.asarray(fn(*args), dtype=np.float64)
    truth = mp_values(derivation, "loss", pred, target)
    errors = ulp_error(theirs, truth)
    conditioned = _well_conditioned(derivation, "loss", pred, target, truth)
    return {"loss": Figure(float(np.max(errors[conditioned], initial=0.0)), float(np.max(errors, initial=0.0)), 0)}


def accuracy_table(names: list[str] | None = None, project: Project | None = None) -> tuple[list[list[str]], int]:
    """Rows of the accuracy table (as strings) and the total number of failures."""
    project = project or Project()
    rows, failures = [], 0
    for name in names or project.names():
        derivation = derive(project.load(name))
        figures_of = _rowwise_figures if derivation.spec.rowwise else _elementwise_figures
        figures, grids = {}, {}
        for dtype, arithmetic, backends in VARIANTS:
            for backend in backends:
                figures[(dtype, arithmetic, backend)], grids[dtype] = figures_of(derivation, dtype, backend, arithmetic)
        pytorch = {dtype: torch_figures(derivation, grids[dtype]) for dtype in (np.float64, np.float32)}
        scipy_figures = _scipy_figures(derivation, grids[np.float64])
        for q in QUANTITIES:
            cells = [figures[key][q] for key in figures]
            failures += sum(c.failures for c in cells)
            libraries = [
                str(f[q]) if f and q in f else "–" for f in (pytorch[np.float64], scipy_figures, pytorch[np.float32])
            ]
            rows.append([name, q, *map(str, cells[:4]), *libraries[:2], str(cells[4]), libraries[2]])
    return rows, failures


HEADER = [
    "loss",
    "quantity",
    "f64 numpy",
    "f64 numba",
    "f32 numpy",
    "f32 numba",
    "PyTorch f64",
    "SciPy f64",
    "f32 numba, f32 arithmetic",
    "PyTorch f32",
]


def format_table(rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
