"""Sampled curves of a loss, its gradient and its Hessian diagonal for the reference sheet.

The samples are printed into the loss's LaTeX section as a pgfplots table, so the sheet's plots
are vector graphics computed from the derivation itself, not drawn by hand. Sampling is
deterministic: the abscissae are fixed float64 grid points and the kinks found by
:func:`lossgen.reference.kink_points`, the values come from the 50-digit mpmath reference
(:func:`lossgen.reference.mp_values`) and every number is printed with ``%.6g``, so regeneration
is byte-identical on any machine.

What is plotted: for an element-wise loss the prediction varies over a window around the point
where it equals the target (around 0 for a logit), wide enough to show every kink with a margin;
the target is fixed at a typical value of its domain and the parameters at their defaults. Where
a quantity jumps (the gradient of |r| at 0, the Hessian of Huber at |r| = δ), the curve is
interrupted; a filled dot marks the value lossgen takes at the kink, open dots the one-sided
limits. For a row-wise loss the first of ROW_CLASSES predictions varies over ±6 (the others 0)
with the target on the first class, evaluated with :class:`lossgen.reference.RowReference`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..derive import Derivation
from ..domains import Domain

QUANTITIES = ("loss", "grad", "hess")
#: Grid intervals across the window (plus three points at each kink).
GRID_INTERVALS = 160
#: Half-width of the window in units of the loss's scale: residuals, or logits (classification).
HALF_WIDTH = {"regression": 3.0, "logit": 6.0}
#: Values further from zero than this many times the median magnitude are left out (not drawn),
#: so that one huge value (an exponential tail) does not flatten the rest of the curve.
CLIP_FACTOR = 1e4


@dataclass(frozen=True)
class Mark:
    """A point drawn on a curve: ``filled`` is the value at a kink, open ones are one-sided limits."""

    x: str
    y: str
    filled: bool


@dataclass(frozen=True)
class Panel:
    """One quantity's axis: its y-limits and the marks at its jumps."""

    quantity: str
    ymin: str
    ymax: str
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class PlotData:
    """Everything the template needs for one loss's plot (numbers already formatted)."""

    header: str
    rows: tuple[str, ...]
    xmin: str
    xmax: str
    panels: tuple[Panel, ...]
    #: (name, value) of the fixed target (element-wise losses only) and of every numeric parameter, for the caption.
    fixed: tuple[tuple[str, float], ...]
    #: Row-wise losses: the number of classes of the plotted row (its first logit varies); 0 for element-wise ones.
    classes: int = 0


def fmt(value: float) -> str:
    """A sample as pgfplots reads it: ``%.6g``, ``nan`` for a gap, never ``-0``."""
    if not math.isfinite(value):
        return "nan"
    text = f"{value:.6g}"
    return "0" if text in ("-0", "0") else text


def typical_value(domain: Domain) -> float:
    """A representative target: 0 for the real line, 1 for probabilities and positive values."""
    for candidate in (0.0, 1.0, 0.5):
        if domain.contains(candidate) and not (candidate == 0.0 and domain.low == 0.0):
            return candidate
    return 0.5 if domain.contains(0.5) else 0.0


def is_logit(derivation: Derivation) -> bool:
    """A probability-valued target makes the prediction a logit (classification)."""
    return derivation.spec.target.domain.name in ("unit_interval", "open_unit_interval")


def window(derivation: Derivation, target: float, params: dict[str, float], kinks: list[float]) -> tuple[float, float]:
    """The plotted range of the prediction: centred where it equals the target (0 for a logit),
    HALF_WIDTH times the loss's scale on either side (the scale is at least 1, the distance of the
    furthest kink and every positive parameter), clipped to the prediction's domain."""
    spec = derivation.spec
    centre = 0.0 if is_logit(derivation) else target
    scale = max(
        [1.0] + [abs(k - centre) for k in kinks] + [params[p.name] for p in spec.params if p.domain.name == "positive"]
    )
    half = HALF_WIDTH["logit" if is_logit(derivation) else "regression"] * scale
    low, high = centre - half, centre + half
    domain = spec.prediction.domain
    if math.isfinite(domain.low) and low <= domain.low:
        low = domain.low + (half * 1e-3 if domain.low_open else 0.0)
    if math.isfinite(domain.high) and high >= domain.high:
        high = domain.high - (half * 1e-3 if domain.high_open else 0.0)
    return low, high


def _clip(values: list[float]) -> list[float]:
    finite = sorted(abs(v) for v in values if math.isfinite(v))
    if not finite:
        return values
    limit = CLIP_FACTOR * max(1.0, finite[len(finite) // 2])
    return [v if math.isfinite(v) and abs(v) <= limit else math.nan for v in values]


def _limits(values: list[float]) -> tuple[str, str]:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return "-1", "1"
    low, high = min(finite), max(finite)
    span = high - low
    if span <= 1e-9 * max(1.0, abs(low), abs(high)):  # a constant: a unit band around it
        pad = max(1.0, abs(low)) * 0.5
    else:
        pad = 0.08 * span
    return fmt(low - pad), fmt(high + pad)


def sample(derivation: Derivation) -> PlotData | None:
    """Samples of loss, gradient and Hessian along the prediction (element-wise losses) or along the first
    prediction of a row (row-wise losses); None for other shapes."""
    if derivation.spec.shape == "elementwise":
        return _sample_elementwise(derivation)
    if derivation.spec.shape == "rowwise":
        return _sample_rowwise(derivation)
    return None


def _panels(xs: list[float], columns: dict[str, list[float]], kinks: list[tuple[float, float, float]]) -> list[Panel]:
    """Axis limits and jump marks per quantity; a jump at a kink interrupts that quantity's curve (in place)."""
    index = {x: i for i, x in enumerate(xs)}
    panels = []
    for quantity in QUANTITIES:
        column = columns[quantity]
        marks: list[Mark] = []
        for left, at, right in kinks:
            a, b, c = column[index[left]], column[index[at]], column[index[right]]
            scale = max(1.0, abs(a), abs(c))
            if math.isfinite(a) and math.isfinite(c) and abs(c - a) <= 1e-6 * scale:
                continue  # continuous here
            column[index[at]] = math.nan  # interrupt the curve; the dots show the values
            candidates = [Mark(fmt(at), fmt(a), False), Mark(fmt(at), fmt(c), False), Mark(fmt(at), fmt(b), True)]
            marks += [m for m in candidates if m.y != "nan"]  # a value off the domain has no dot
        ymin, ymax = _limits(column + [float(m.y) for m in marks if m.y != "nan"])
        panels.append(Panel(quantity, ymin, ymax, tuple(marks)))
    return panels


def _rows(xs: list[float], columns: dict[str, list[float]]) -> tuple[str, ...]:
    return tuple(" ".join(fmt(v) for v in (x, *(columns[q][i] for q in QUANTITIES))) for i, x in enumerate(xs))


def _sample_elementwise(derivation: Derivation) -> PlotData:
    from ..reference import kink_points, mp_values

    spec = derivation.spec
    params = {p.name: p.default for p in spec.params}
    target = typical_value(spec.target.domain)
    all_kinks = kink_points(derivation, target, params)
    low, high = window(derivation, target, params, all_kinks)
    kinks = [k for k in all_kinks if low < k < high]
    step = (high - low) / GRID_INTERVALS
    epsilon = (high - low) * 1e-9

    grid = [low + i * step for i in range(GRID_INTERVALS)] + [high]
    grid = [x for x in grid if all(abs(x - k) > 2 * epsilon for k in kinks)]
    around = [(k - epsilon, k, k + epsilon) for k in kinks]
    xs = sorted(set(grid) | {x for triple in around for x in triple})

    auxiliary = {a.name: typical_value(a.domain) for a in spec.auxiliary}

    def values(quantity: str) -> list[float]:
        extra = {name: [value] * len(xs) for name, value in auxiliary.items()}
        return [float(v) for v in mp_values(derivation, quantity, xs, [target] * len(xs), params, extra)]

    columns = {q: _clip(values(q)) for q in QUANTITIES}
    panels = _panels(xs, columns, around)
    fixed = (
        ((spec.target.name, target),) + tuple(auxiliary.items()) + tuple((p.name, params[p.name]) for p in spec.params)
    )
    return PlotData("x " + " ".join(QUANTITIES), _rows(xs, columns), fmt(low), fmt(high), tuple(panels), fixed)


#: Row-wise plots: a row of this many classes, target on the first class, the first prediction varying.
ROW_CLASSES = 3


def _sample_rowwise(derivation: Derivation) -> PlotData:
    """Loss, ∂ℓ/∂z₁ and ∂²ℓ/∂z₁² of a row of ROW_CLASSES predictions (z₁, 0, 0) with the target on class 1
    (one-hot probabilities or label 1), z₁ over ±6 (logits)."""
    from ..reference import RowReference

    spec = derivation.spec
    params = {p.name: p.default for p in spec.params if p.domain.name != "integer"}
    reference = RowReference(derivation, params)
    low, high = -HALF_WIDTH["logit"], HALF_WIDTH["logit"]
    xs = [low + i * (high - low) / GRID_INTERVALS for i in range(GRID_INTERVALS)] + [high]
    onehot = [1.0] + [0.0] * (ROW_CLASSES - 1)
    columns: dict[str, list[float]] = {q: [] for q in QUANTITIES}
    for x in xs:
        truth, _ = reference.row([x] + [0.0] * (ROW_CLASSES - 1), onehot)
        for q in QUANTITIES:
            columns[q].append(float(truth[q][0]))
    columns = {q: _clip(v) for q, v in columns.items()}
    panels = _panels(xs, columns, [])
    fixed = tuple((name, value) for name, value in params.items())
    return PlotData(
        "x " + " ".join(QUANTITIES), _rows(xs, columns), fmt(low), fmt(high), tuple(panels), fixed, ROW_CLASSES
    )
