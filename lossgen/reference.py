"""High-precision reference values: a derivation's loss, gradient and Hessian in mpmath.

The truth against which generated kernels are judged. Expressions are evaluated at
:data:`DIGITS` significant digits with mpmath (whose exponent range is unbounded, so e^10000 is
no problem); primitives use their mpmath implementations, sign(0) = 0 and Heaviside(0) = 1/2 as
in the generated code. Errors are reported in units in the last place (ulps) of the kernel's
dtype.
"""

from __future__ import annotations

import itertools
import math
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
    return sp.lambdify(_arguments(spec), expr, modules=[mpmath_namespace(), "mpmath"])


def _arguments(spec) -> list[sp.Symbol]:
    """The element-wise argument order: prediction, target, auxiliary inputs, parameters."""
    return (
        [spec.prediction.symbol, spec.target.symbol]
        + [a.symbol for a in spec.auxiliary]
        + [p.symbol for p in spec.params]
    )


def auxiliary_values(derivation: Derivation, count: int, dtype=np.float64, seed: int = 0) -> dict[str, np.ndarray]:
    """Values for each auxiliary input (e.g. a variance) over ``count`` points, inside its domain.

    Includes small and large magnitudes; empty for specs without auxiliary inputs.
    """
    rng = np.random.default_rng(seed + 17)
    values = {}
    for aux in derivation.spec.auxiliary:
        if aux.domain.name in ("positive", "nonnegative"):
            pool = np.array([1e-4, 0.01, 0.3, 1.0, 2.5, 100.0, 1e4])
        elif aux.domain.name in ("unit_interval", "open_unit_interval"):
            pool = np.array([1e-4, 0.1, 0.5, 0.9, 1 - 1e-4])
        else:
            pool = np.array([-1e3, -2.5, -0.3, 0.0, 0.3, 2.5, 1e3])
        values[aux.name] = rng.choice(pool, size=count).astype(dtype)
    return values


def mp_values(
    derivation: Derivation,
    quantity: str,
    pred: Sequence[float],
    target: Sequence[float],
    params: Mapping[str, float] | None = None,
    extra: Mapping[str, np.ndarray] | None = None,
) -> list[mpmath.mpf]:
    """Values of ``quantity`` at each (pred, target) pair, correct to at least :data:`DIGITS` digits.

    ``extra`` holds the auxiliary inputs' values, one per point.

    Floats are taken exactly. Each value is evaluated at increasing precision until two
    successive evaluations agree to DIGITS digits, so cancellation inside a formula (log(cosh(x))
    at x = 1e-30 needs over 60 digits) cannot produce a wrong reference.
    """
    params = params or {}
    values = [params.get(p.name, p.default) for p in derivation.spec.params]
    function = _cached_mp_function(derivation, quantity)
    columns = [np.asarray((extra or {})[a.name], dtype=np.float64).ravel() for a in derivation.spec.auxiliary]
    results = []
    for k, (a, b) in enumerate(zip(pred, target)):
        auxiliary = [float(column[k]) for column in columns]
        results.append(_truth(function, [float(a), float(b), *auxiliary, *map(float, values)]))
    return results


#: Converged values by (function, the arguments' bits): the tests judge both backends, and the
#: accuracy command every kernel, on the same points, and a value costs one to several mpmath
#: evaluations. Bits are an exact key, and find a NaN argument (unequal to itself) again.
#: Cleared when full.
_truth_cache: dict[tuple[Callable, bytes], mpmath.mpf] = {}
_TRUTH_CACHE_SIZE = 1 << 18


def _truth(function: Callable, args: Sequence[float]) -> mpmath.mpf:
    """``_converged(function, args)``, remembered."""
    key = (function, np.array(args, dtype=np.float64).tobytes())
    value = _truth_cache.get(key)
    if value is None:
        value = _converged(function, args)
        if len(_truth_cache) >= _TRUTH_CACHE_SIZE:
            _truth_cache.clear()
        _truth_cache[key] = value
    return value


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
        symbols = _arguments(spec)
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
    index: int = -1


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
    extra: Mapping[str, np.ndarray] | None = None,
    arithmetic=np.float64,
) -> list[AccuracyFailure]:
    """Points where ``computed`` fails the accuracy criterion, which accepts a value when

    1. it is within ``ulps`` ulps (of ``dtype``) of the truth, or
    2. its error is within what rounding the inputs by ``ulps`` ulps of the kernel's
       ``arithmetic`` dtype can cause, ``ulps·ε·Σ|x_i ∂q/∂x_i|`` (ill-conditioned points:
       cancellation near an optimum, or a residual y_pred − y_true whose rounding is amplified), or
    3. it equals the truth at inputs moved by at most 2 ulps of ``arithmetic`` (a jump at a branch
       boundary decided on a rounded residual), or
    4. in float32 arithmetic, it and the truth are both below the smallest normal float32.

    Non-finite results where the truth is finite always fail.
    """
    params = dict(params or {})
    param_values = [float(params.get(p.name, p.default)) for p in derivation.spec.params]
    truth = mp_values(derivation, quantity, pred, target, params, extra)
    errors = ulp_error(computed, truth, dtype)
    sensitivity = _sensitivity_function(derivation, quantity)
    columns = [np.asarray((extra or {})[a.name], dtype=np.float64).ravel() for a in derivation.spec.auxiliary]
    eps = float(np.finfo(arithmetic).eps)
    failures = []
    for k in np.flatnonzero(errors > ulps):
        p, t, c = float(pred.flat[k]), float(target.flat[k]), float(np.asarray(computed).flat[k])
        auxiliary = [float(column[k]) for column in columns]
        if np.isfinite(c) and mpmath.isfinite(truth[k]):
            if _underflowed(c, truth[k], arithmetic):
                continue
            with mpmath.workdps(DIGITS):
                inputs = map(mpmath.mpf, [p, t, *auxiliary, *param_values])
                allowed = ulps * eps * sensitivity(*inputs)
                if abs(mpmath.mpf(c) - truth[k]) <= allowed:
                    continue
            point_extra = {a.name: np.array([v]) for a, v in zip(derivation.spec.auxiliary, auxiliary)}
            if _matches_nearby(derivation, quantity, p, t, c, dtype, ulps, params, point_extra, arithmetic):
                continue
        failures.append(AccuracyFailure(p, t, c, float(truth[k]), float(errors[k]), int(k)))
    return failures


def _underflowed(computed: float, truth: mpmath.mpf, arithmetic) -> bool:
    """Float32 arithmetic only: the truth and the value are both below the smallest normal float32
    (gradual underflow inside the arithmetic has taken the digits of such a value)."""
    if arithmetic != np.float32:
        return False
    tiny = float(np.finfo(np.float32).tiny)
    return abs(computed) < tiny and abs(float(truth)) < tiny


def _matches_nearby(derivation, quantity, pred, target, computed, dtype, ulps, params, extra, arithmetic) -> bool:
    def around(value: float) -> list[float]:
        up, down = [arithmetic(value)], [arithmetic(value)]
        for _ in range(2):
            up.append(np.nextafter(up[-1], arithmetic(np.inf)))
            down.append(np.nextafter(down[-1], arithmetic(-np.inf)))
        return sorted({float(v) for v in up + down})

    pairs = [(p, t) for p in around(pred) for t in around(target)]
    repeated = {name: np.repeat(values, len(pairs)) for name, values in extra.items()}
    truths = mp_values(derivation, quantity, [p for p, _ in pairs], [t for _, t in pairs], params, repeated)
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

    Targets follow the spec's target domain and predictions stay inside the prediction's (the
    kernels raise outside it), whose finite bounds and their neighbours join the kinks; every
    value is exactly representable in ``dtype``.
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
    pred_domain = spec.prediction.domain
    for t in targets[:4] if pred_domain.name != "real" else ():
        for bound in (pred_domain.low, pred_domain.high):
            if math.isfinite(bound):
                b = dtype(bound)
                neighbours = (np.nextafter(b, dtype(np.inf)), np.nextafter(b, dtype(-np.inf)))
                grid["kinks"] += [(float(p), t) for p in (b, *neighbours)]
    result = {}
    for kind, pairs in grid.items():
        pairs = [(p, t) for p, t in pairs if pred_domain.contains(p)]
        if not pairs:
            pairs = [(next(p for p in (0.0, 1.0, 0.5) if pred_domain.contains(p)), float(targets[0]))]
        pred, target = (np.array(column, dtype=np.float64).astype(dtype) for column in zip(*pairs))
        result[kind] = (pred, target)
    return result


# ---------------------------------------------------------------------------------------------
# Row-wise losses: the truth per row, from the reductions evaluated in mpmath.


class RowReference:
    """mpmath evaluation of a row-wise derivation: per-row loss and per-class grad/hess."""

    def __init__(self, derivation: Derivation, params: Mapping[str, float] | None = None):
        spec = derivation.spec
        self.derivation = derivation
        params = dict(params or {})
        # As mpf (exact): float parameters multiplied together in a lambdified expression (α·β) would round.
        self.param_values = [
            mpmath.mpf(params.get(p.name, p.default)) for p in spec.params if p.domain.name != "integer"
        ]
        self.param_symbols = [p.symbol for p in spec.params if p.domain.name != "integer"]
        self.prediction, self.target = spec.prediction.symbol, spec.target.symbol
        self.classes = sp.Symbol("K", positive=True, integer=True)
        # Evaluated in level order; a logsumexp yields its max M and L = log Σ e^(u − M).
        self.reductions = sorted(derivation.reductions, key=lambda r: r.level)
        self.shift = next((r for r in self.reductions if r.shifted), None)
        shifted_symbol = self.shift.shifted[1] if self.shift else sp.Symbol("_no_shift")
        self.row_symbols = []
        for r in self.reductions:
            self.row_symbols += [r.max_symbol, r.log_symbol] if r.kind == "logsumexp" else [r.symbol]
        self.arguments = [
            self.prediction,
            self.target,
            shifted_symbol,
            *self.row_symbols,
            *self.param_symbols,
            self.classes,
        ]
        self.shifted_symbol = shifted_symbol
        modules = [mpmath_namespace(), "mpmath"]
        self.elements = [sp.lambdify(self.arguments, r.element, modules=modules) for r in self.reductions]
        self.quantities = {q: sp.lambdify(self.arguments, derivation.quantity(q), modules=modules) for q in QUANTITIES}
        self._sensitivity_functions = {}

    def _sensitivity_function(self, quantity: str):
        """(|∂q/∂S| per row symbol S, Σ_x |x ∂q/∂x|) as mpmath functions of ``arguments``; built
        on first use: the differentiation is most of the set-up, and most rows never need it."""
        if quantity not in self._sensitivity_functions:
            modules = [mpmath_namespace(), "mpmath"]
            expr = self.derivation.quantity(quantity)
            partials = [sp.diff(expr, s) for s in self.row_symbols]
            direct = [sp.Abs(x * sp.diff(expr, x)) for x in (self.prediction, self.target, self.shifted_symbol)]
            self._sensitivity_functions[quantity] = (
                [sp.lambdify(self.arguments, sp.Abs(d), modules=modules) for d in partials],
                sp.lambdify(self.arguments, sp.Add(*direct), modules=modules),
            )
        return self._sensitivity_functions[quantity]

    def _row_scalars(self, z, p):
        """Values and rounding magnitudes of the row symbols (in ``row_symbols`` order), K, and ẑ."""
        K = mpmath.mpf(len(z))
        values = {s: mpmath.mpf(0) for s in self.row_symbols}
        magnitudes = dict(values)
        shifted = [mpmath.mpf(0)] * len(z)
        for reduction, element in zip(self.reductions, self.elements):
            scalars = [values[s] for s in self.row_symbols]
            terms = [element(z[k], p[k], shifted[k], *scalars, *self.param_values, K) for k in range(len(z))]
            if reduction.kind == "sum":
                values[reduction.symbol] = mpmath.fsum(terms)
                magnitudes[reduction.symbol] = mpmath.fsum(abs(t) for t in terms)
                continue
            if reduction.kind == "max":
                values[reduction.symbol] = max(terms)
                magnitudes[reduction.symbol] = abs(values[reduction.symbol])
                continue
            finite = [t for t in terms if t != -mpmath.inf]
            top = max(finite) if finite else -mpmath.inf
            log = mpmath.log(mpmath.fsum(mpmath.exp(t - top) for t in finite)) if finite else mpmath.mpf(0)
            values[reduction.max_symbol], values[reduction.log_symbol] = top, log
            magnitudes[reduction.max_symbol], magnitudes[reduction.log_symbol] = abs(top), abs(log) + 1
            if reduction is self.shift:
                shifted = [a - top for a in z]
        return values, magnitudes, K, shifted

    def row(self, z: Sequence[float], p: Sequence[float]) -> tuple[dict[str, list], Mapping[str, list]]:
        """(values, sensitivities): {quantity: [mpf]} for the row's loss ([one]) and per-class
        grad/hess. The sensitivities (the rounding error a quantity may carry, for the accuracy
        criterion) are computed when first looked up, at the precision the values settled at."""
        previous = None
        for dps in (DIGITS, 2 * DIGITS, 4 * DIGITS, 8 * DIGITS):
            with mpmath.workdps(dps):
                zs, ps = [mpmath.mpf(float(v)) for v in z], [mpmath.mpf(float(v)) for v in p]
                values, magnitudes, K, shifted = self._row_scalars(zs, ps)
                scalars = [values[s] for s in self.row_symbols]
                args = [(a, b, c, *scalars, *self.param_values, K) for a, b, c in zip(zs, ps, shifted)]
                out = {"loss": [self.quantities["loss"](*args[0])]}
                for q in ("grad", "hess"):
                    out[q] = [self.quantities[q](*x) for x in args]
            if previous is not None and all(_agree(a, b) for q in QUANTITIES for a, b in zip(out[q], previous[q])):
                break
            previous = out
        return out, _RowSensitivities(self, args, magnitudes, K, dps)

    def loss_at(self, z: Sequence, p: Sequence):
        """The row loss at mpmath inputs, at the working precision (for finite differences)."""
        values, _, K, shifted = self._row_scalars(list(z), list(p))
        return self.quantities["loss"](
            z[0], p[0], shifted[0], *[values[s] for s in self.row_symbols], *self.param_values, K
        )

    def _sensitivity(self, quantity, args, magnitudes, K):
        partials, direct = self._sensitivity_function(quantity)
        # A sum of K terms carries a rounding error of up to K·ε·Σ|terms|; M and L about ε·|value|.
        through_scalars = mpmath.fsum(abs(d(*args)) * magnitudes[s] for d, s in zip(partials, self.row_symbols))
        return K * through_scalars + direct(*args)


class _RowSensitivities(Mapping):
    """{quantity: [mpf]}: a row's sensitivities (see :meth:`RowReference.row`), each entry computed
    on first lookup at the precision of the row's values (most entries are never looked up)."""

    def __init__(self, reference: RowReference, args: list, magnitudes: dict, K, dps: int):
        self._entries = {
            q: _LazySensitivities(reference, q, args[:1] if q == "loss" else args, magnitudes, K, dps)
            for q in QUANTITIES
        }

    def __getitem__(self, quantity: str) -> Sequence:
        return self._entries[quantity]

    def __iter__(self):
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


class _LazySensitivities(Sequence):
    def __init__(self, reference: RowReference, quantity: str, args: list, magnitudes: dict, K, dps: int):
        self._reference, self._quantity, self._args = reference, quantity, args
        self._magnitudes, self._K, self._dps = magnitudes, K, dps
        self._computed: dict[int, mpmath.mpf] = {}

    def __len__(self) -> int:
        return len(self._args)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(len(self))[k]]
        k = range(len(self))[k]  # IndexError out of range, negative indices allowed
        if k not in self._computed:
            with mpmath.workdps(self._dps):
                self._computed[k] = self._reference._sensitivity(
                    self._quantity, self._args[k], self._magnitudes, self._K
                )
        return self._computed[k]


def _agree(a, b) -> bool:
    with mpmath.workdps(DIGITS):
        if a == b or (mpmath.isnan(a) and mpmath.isnan(b)):
            return True
        return mpmath.isfinite(a) and abs(a - b) <= abs(a) * mpmath.mpf(10) ** (-DIGITS + 5)


def row_stress_points(
    derivation: Derivation, dtype=np.float64, seed: int = 0
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Rows of (prediction, target) by kind: random, large (|logit| up to 1e4), ties, tiny.

    Targets are probability rows (with exact zeros and 1e-300 entries) or class indices.
    """
    spec = derivation.spec
    rng = np.random.default_rng(seed)
    label = spec.target.kind == "label"
    grid = {}
    for kind in ("random", "large", "ties", "tiny"):
        preds, targets = [], []
        for K in (2, 3, 7):
            for _ in range(4):
                if kind == "random":
                    z = rng.normal(scale=3.0, size=K)
                elif kind == "large":
                    z = rng.choice([-1e4, -1e3, -30.0, 0.0, 30.0, 1e3, 1e4], size=K)
                elif kind == "ties":
                    z = np.full(K, rng.choice([0.0, 5.0, -1e3]))
                else:
                    z = rng.choice([0.0, 1e-300, -1e-300, 1e-8], size=K)
                if label:
                    t = rng.integers(0, K)
                else:
                    t = rng.dirichlet(np.ones(K))
                    if kind == "tiny":
                        t[rng.integers(0, K)] = 1e-300
                    if kind in ("large", "tiny"):
                        t[rng.integers(0, K)] = 0.0
                        t = t / t.sum()
                preds.append(z.astype(dtype))
                targets.append(t if label else t.astype(dtype))
        grid[kind] = (preds, targets)
    return grid


def check_row_accuracy(
    derivation: Derivation,
    z: np.ndarray,
    target,
    computed: Mapping[str, np.ndarray],
    dtype=np.float64,
    *,
    ulps: float = 8.0,
    params: Mapping[str, float] | None = None,
    reference: RowReference | None = None,
    arithmetic=np.float64,
) -> list[str]:
    """Problems with one row's computed loss/grad/hess (empty if none).

    Accepted: within ``ulps`` ulps of the truth, or within the error that rounding the row
    scalars (sums of up to K terms, log-sum-exp) and the element inputs can cause, which is
    ``ulps·ε·(K·Σ_i |∂q/∂S_i|·Σ_k|u_ik| + Σ_x |x ∂q/∂x|)`` with ε of the kernel's ``arithmetic``
    dtype. Non-finite results where the truth is finite always fail.
    """
    reference = reference or RowReference(derivation, params)
    K = len(z)
    onehot = (np.arange(K) == target).astype(np.float64) if np.ndim(target) == 0 else np.asarray(target, float)
    truth, sensitivity = reference.row(z, onehot)
    eps = float(np.finfo(arithmetic).eps)
    problems = []
    for q in QUANTITIES:
        values = np.atleast_1d(np.asarray(computed[q], dtype=np.float64))
        errors = ulp_error(values, truth[q], dtype)
        for k in np.flatnonzero(errors > ulps):
            c, t = float(values[k]), truth[q][k]
            if np.isfinite(c) and mpmath.isfinite(t):
                if _underflowed(c, t, arithmetic):
                    continue
                with mpmath.workdps(DIGITS):
                    if abs(mpmath.mpf(c) - t) <= ulps * eps * sensitivity[q][k]:
                        continue
            problems.append(
                f"{q}[{k}] = {c!r}, truth {float(t)!r} ({errors[k]:.3g} ulps) at z={list(z)} target={target}"
            )
    return problems
