"""High-precision reference values: a derivation's loss, gradient and Hessian in mpmath.

The truth against which generated kernels are judged. Expressions are evaluated at
:data:`DIGITS` significant digits with mpmath (whose exponent range is unbounded, so e^10000 is
no problem); primitives use their mpmath implementations, sign(0) = 0 and Heaviside(0) = 1/2 as
in the generated code. Errors are reported in units in the last place (ulps) of the kernel's
dtype.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from .derive import Derivation
from .primitives import definition_form, lower_primitives, mpmath_namespace

DIGITS = 50
QUANTITIES = ("loss", "grad", "hess")


def mp_function(derivation: Derivation, quantity: str, *, definitions: bool = False) -> Callable:
    """An mpmath function ``f(pred, target, *params) -> mpf`` for ``quantity``.

    With ``definitions=True`` primitives are replaced by their exact definitions (used to check
    the stable forms and the primitives' derivatives against first principles).
    """
    spec = derivation.spec
    expr = derivation.quantity(quantity)
    if definitions:
        expr = definition_form(expr)
    symbols = [spec.prediction.symbol, spec.target.symbol] + [p.symbol for p in spec.params]
    return sp.lambdify(symbols, expr, modules=[mpmath_namespace(), "mpmath"])


def mp_values(
    derivation: Derivation,
    quantity: str,
    pred: Sequence[float],
    target: Sequence[float],
    params: Mapping[str, float] | None = None,
) -> list[mpmath.mpf]:
    """Values of ``quantity`` at each (pred, target) pair, correct to at least :data:`DIGITS` digits.

    Floats are taken exactly. Each value is evaluated at increasing precision until two
    successive evaluations agree to DIGITS digits, so cancellation inside a formula (log(cosh(x))
    at x = 1e-30 needs over 60 digits) cannot produce a wrong reference.
    """
    params = params or {}
    values = [params.get(p.name, p.default) for p in derivation.spec.params]
    function = _cached_mp_function(derivation, quantity)
    results = []
    for a, b in zip(pred, target):
        results.append(_converged(function, [float(a), float(b), *map(float, values)]))
    return results


_MAX_DPS = 6400


def _converged(function: Callable, args: Sequence[float]) -> mpmath.mpf:
    dps = DIGITS
    with mpmath.workdps(dps):
        previous = function(*map(mpmath.mpf, args))
    while dps < _MAX_DPS:
        dps *= 2
        with mpmath.workdps(dps):
            current = function(*map(mpmath.mpf, args))
            agree = (
                current == previous
                or (mpmath.isnan(current) and mpmath.isnan(previous))
                or (mpmath.isfinite(current) and abs(current - previous) <= abs(current) * mpmath.mpf(10) ** (-DIGITS))
            )
        if agree:
            return current
        previous = current
    raise ArithmeticError(f"no convergence at {_MAX_DPS} digits for arguments {args}")


_function_cache: dict[tuple[str, str, str], Callable] = {}


def _cached_mp_function(derivation: Derivation, quantity: str) -> Callable:
    key = (derivation.spec.name, derivation.spec.sha256, quantity)
    if key not in _function_cache:
        _function_cache[key] = mp_function(derivation, quantity)
    return _function_cache[key]


def _sensitivity_function(derivation: Derivation, quantity: str) -> Callable:
    """mpmath f(pred, target, *params) = Σ_i |x_i · ∂q/∂x_i| over every input and parameter."""
    key = (derivation.spec.name, derivation.spec.sha256, "sensitivity:" + quantity)
    if key not in _function_cache:
        spec = derivation.spec
        symbols = [spec.prediction.symbol, spec.target.symbol] + [p.symbol for p in spec.params]
        expr = derivation.quantity(quantity)
        terms = [
            sp.Abs(s * sp.diff(expr, s).replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.S.Zero))
            for s in symbols
        ]
        _function_cache[key] = sp.lambdify(symbols, sp.Add(*terms), modules=[mpmath_namespace(), "mpmath"])
    return _function_cache[key]


@dataclass(frozen=True)
class AccuracyFailure:
    """A point where a kernel's value is further from the truth than the criterion allows."""

    pred: float
    target: float
    computed: float
    truth: float
    ulps: float


def check_accuracy(
    derivation: Derivation,
    quantity: str,
    pred: np.ndarray,
    target: np.ndarray,
    computed: np.ndarray,
    dtype=np.float64,
    *,
    ulps: float = 8.0,
    params: Mapping[str, float] | None = None,
) -> list[AccuracyFailure]:
    """Points where ``computed`` fails the accuracy criterion, which accepts a value when

    1. it is within ``ulps`` ulps (of ``dtype``) of the truth, or
    2. its error is within what rounding the inputs by ``ulps`` float64 ulps can cause,
       ``ulps·ε·Σ|x_i ∂q/∂x_i|`` (ill-conditioned points: cancellation near an optimum, or
       a residual y_pred − y_true whose rounding is amplified), or
    3. it equals the truth at inputs moved by at most 2 float64 ulps (a jump at a branch
       boundary decided on a rounded residual).

    Non-finite results where the truth is finite always fail.
    """
    params = dict(params or {})
    param_values = [float(params.get(p.name, p.default)) for p in derivation.spec.params]
    truth = mp_values(derivation, quantity, pred, target, params)
    errors = ulp_error(computed, truth, dtype)
    sensitivity = _sensitivity_function(derivation, quantity)
    eps64 = float(np.finfo(np.float64).eps)
    failures = []
    for k in np.flatnonzero(errors > ulps):
        p, t, c = float(pred.flat[k]), float(target.flat[k]), float(np.asarray(computed).flat[k])
        if np.isfinite(c) and mpmath.isfinite(truth[k]):
            with mpmath.workdps(DIGITS):
                allowed = ulps * eps64 * sensitivity(mpmath.mpf(p), mpmath.mpf(t), *map(mpmath.mpf, param_values))
                if abs(mpmath.mpf(c) - truth[k]) <= allowed:
                    continue
            if _matches_nearby(derivation, quantity, p, t, c, dtype, ulps, params):
                continue
        failures.append(AccuracyFailure(p, t, c, float(truth[k]), float(errors[k])))
    return failures


def _matches_nearby(derivation, quantity, pred, target, computed, dtype, ulps, params) -> bool:
    def around(value: float) -> list[float]:
        up, down = [value], [value]
        for _ in range(2):
            up.append(float(np.nextafter(up[-1], np.inf)))
            down.append(float(np.nextafter(down[-1], -np.inf)))
        return sorted(set(up + down))

    pairs = [(p, t) for p in around(pred) for t in around(target)]
    truths = mp_values(derivation, quantity, [p for p, _ in pairs], [t for _, t in pairs], params)
    return bool((ulp_error(np.full(len(pairs), computed), truths, dtype) <= ulps).any())


def to_float(values: Sequence[mpmath.mpf], dtype=np.float64) -> np.ndarray:
    """Round mpmath values to ``dtype`` (correctly rounded via float64, then dtype)."""
    with mpmath.workdps(DIGITS):
        as64 = np.array([float(v) for v in values], dtype=np.float64)
    return as64.astype(dtype)


def ulp_error(computed: np.ndarray, truth: Sequence[mpmath.mpf], dtype=np.float64) -> np.ndarray:
    """|computed − truth| in ulps of ``dtype`` at the truth's magnitude.

    Where the truth rounded to ``dtype`` is not finite (overflow, NaN), the error is 0 if the
    computed value is the same and inf otherwise. Near zero the ulp is floored at the smallest
    normal number, so a tiny absolute error in a value that should be 0 counts as a few ulps.
    """
    computed = np.asarray(computed, dtype=np.float64).ravel()
    finfo = np.finfo(dtype)
    errors = np.empty(len(computed))
    with mpmath.workdps(DIGITS):
        for k, (c, t) in enumerate(zip(computed, truth)):
            with np.errstate(over="ignore"):
                rounded = np.float64(float(t)).astype(dtype) if not mpmath.isnan(t) else np.float64("nan")
            if not np.isfinite(rounded) or not np.isfinite(c):
                same = (np.isnan(c) and np.isnan(rounded)) or c == rounded
                errors[k] = 0.0 if same else np.inf
                continue
            ulp = float(np.spacing(max(abs(rounded), dtype(finfo.tiny))))
            errors[k] = float(abs(mpmath.mpf(float(c)) - t) / ulp)
    return errors


def _kink_loci(expr: sp.Expr) -> set[sp.Expr]:
    """Expressions whose zeros are kinks or branch switches of ``expr`` (declared and lowered)."""
    loci: set[sp.Expr] = set()
    for form in (expr, lower_primitives(expr)):
        for node in sp.preorder_traversal(form):
            if isinstance(node, sp.Piecewise):
                for _, cond in node.args:
                    for rel in cond.atoms(sp.core.relational.Relational):
                        loci.add(rel.lhs - rel.rhs)
            elif isinstance(node, (sp.Abs, sp.sign, sp.Heaviside)):
                loci.add(node.args[0])
            elif isinstance(node, (sp.Max, sp.Min)):
                args = node.args
                loci.update(a - b for i, a in enumerate(args) for b in args[i + 1 :])
    return loci


_kink_cache: dict[tuple[str, str], list[tuple[sp.Expr, sp.Expr]]] = {}


def _kink_solutions(derivation: Derivation) -> list[tuple[sp.Expr, sp.Expr]]:
    """(locus, symbolic root in the prediction) pairs, solved once per spec.

    Each ``Abs(a)`` in a locus is replaced by ``a`` and by ``-a`` (every combination) so that
    SymPy solves polynomial equations; roots are checked against the original locus later.
    """
    spec = derivation.spec
    key = (spec.name, spec.sha256)
    if key in _kink_cache:
        return _kink_cache[key]
    prediction = spec.prediction.symbol
    loci = set().union(*(_kink_loci(derivation.quantity(q)) for q in QUANTITIES))
    pairs = []
    for locus in sorted(loci, key=sp.default_sort_key):
        if prediction not in locus.free_symbols:
            continue
        absolutes = sorted(locus.atoms(sp.Abs), key=sp.default_sort_key)[:4]
        for signs in itertools.product((1, -1), repeat=len(absolutes)):
            variant = locus.subs({a: sign * a.args[0] for a, sign in zip(absolutes, signs)})
            try:
                roots = sp.solve(variant, prediction)
            except (NotImplementedError, ValueError):
                continue
            pairs += [(locus, root) for root in roots]
    _kink_cache[key] = pairs
    return pairs


def kink_points(derivation: Derivation, target: float, params: Mapping[str, float] | None = None) -> list[float]:
    """Predictions at which the loss, gradient or Hessian has a kink or switches branch.

    Found generically: the zeros (in the prediction) of every Piecewise condition and of the
    arguments of Abs, sign, Heaviside and Max/Min, in the declared and the lowered forms.
    """
    spec = derivation.spec
    params = params or {}
    values = {p.symbol: sp.Float(params.get(p.name, p.default), DIGITS) for p in spec.params}
    values[spec.target.symbol] = sp.Float(target, DIGITS)
    points: set[float] = set()
    for locus, root in _kink_solutions(derivation):
        value = sp.N(root.subs(values), DIGITS)
        if not value.is_real:
            continue
        residual = sp.N(locus.subs(values).subs(spec.prediction.symbol, value), DIGITS)
        if residual.is_real and abs(residual) <= 1e-30 * max(1.0, abs(float(value))):
            points.add(float(value))
    return sorted(points)


def stress_points(derivation: Derivation, dtype=np.float64, seed: int = 0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """A fixed stress grid of (prediction, target) pairs by kind: random, kinks, tiny, large.

    Targets follow the spec's target domain; every value is exactly representable in ``dtype``.
    """
    spec = derivation.spec
    rng = np.random.default_rng(seed)
    domain = spec.target.domain.name
    if domain in ("unit_interval", "open_unit_interval"):
        targets = np.concatenate([[0.0, 1.0, 0.5, 1e-300 if domain == "unit_interval" else 1e-12], rng.uniform(size=8)])
    elif domain in ("positive", "nonnegative"):
        targets = np.concatenate([[1e-300, 1.0, 1e6], rng.lognormal(size=8)])
    else:
        targets = np.concatenate([[0.0, 1.0, -2.5], rng.normal(size=8)])
    targets = targets.astype(dtype).astype(np.float64)
    if domain == "open_unit_interval" or domain == "positive":
        targets = targets[targets > 0]
    grid: dict[str, list[tuple[float, float]]] = {"random": [], "kinks": [], "tiny": [], "large": []}
    for t in targets:
        for scale in (0.1, 1.0, 10.0):
            grid["random"] += [(t + scale * z, t) for z in rng.normal(size=3)]
    for t in targets[:4]:
        for b in kink_points(derivation, float(t)):
            b = float(np.asarray(b, dtype=dtype))
            for p in (
                b,
                np.nextafter(dtype(b), dtype(np.inf)),
                np.nextafter(dtype(b), dtype(-np.inf)),
                b + 1e-6,
                b - 1e-6,
            ):
                grid["kinks"].append((float(p), t))
        for tiny in (1e-300, 1e-150, 1e-30, 1e-8):
            grid["tiny"] += [(sign * tiny, t) for sign in (1.0, -1.0)]
        grid["tiny"] += [
            (float(np.nextafter(dtype(t), dtype(np.inf))), t),
            (float(np.nextafter(dtype(t), dtype(-np.inf))), t),
        ]
        for large in (1e3, 1e4, 1e6, 1e15):
            grid["large"] += [(sign * large, t) for sign in (1.0, -1.0)]
    result = {}
    for kind, pairs in grid.items():
        if not pairs:
            pairs = [(0.0, float(targets[0]))]
        pred, target = (np.array(column, dtype=np.float64).astype(dtype) for column in zip(*pairs))
        result[kind] = (pred, target)
    return result
