"""Stage 2 of the pipeline: a :class:`Spec` → its symbolic :class:`Derivation`.

For the per-element loss ℓ(ŷ, y; θ) it derives g = ∂ℓ/∂ŷ and h = ∂²ℓ/∂ŷ² with SymPy (never by
hand), applies the stability rewrites of :mod:`lossgen.primitives`, simplifies (keeping the
simpler of the raw and simplified forms, by operation count), and eliminates common
subexpressions once per kernel output set ("loss", "loss_and_grad", "grad", "hess") with
deterministic temporary names. Emitters print the resulting :class:`Program` objects.

Conventions at kinks (stated in every generated file and on the reference sheet):

* sign(0) = 0, so d|u|/du = 0 at u = 0 (as PyTorch's ``abs``);
* Heaviside(0) = 1/2, so at a tie of max/min the derivative is the mean of the one-sided
  derivatives (as ``torch.maximum``); this agrees with sign(0) = 0 since max(a, b) =
  (a + b)/2 + |a − b|/2;
* at a Piecewise boundary the derivative is that of the branch whose condition holds there;
* the Hessian is the almost-everywhere second derivative: Dirac masses at kinks are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import sympy as sp

from .primitives import PRIMITIVE_RULES, PRIMITIVES, lower_primitives, stabilize
from .spec import Spec

#: The straight-line programs emitted per spec, and which outputs each computes.
PROGRAM_OUTPUTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "loss": ("loss",),
        "loss_and_grad": ("loss", "grad"),
        "grad": ("grad",),
        "hess": ("hess",),
    }
)

CONVENTION_SIGN = r"sign(0) = 0: the derivative of |u| at u = 0 is taken as 0, as PyTorch does."
CONVENTION_HEAVISIDE = (
    "Heaviside(0) = 1/2: at a tie of max/min the derivative is the mean of the one-sided "
    "derivatives, as torch.maximum does (consistent with sign(0) = 0)."
)
CONVENTION_PIECEWISE = (
    "At a branch boundary the derivatives are those of the branch whose condition holds there "
    "(conditions are tried in the order declared)."
)
CONVENTION_DIRAC = (
    "The Hessian is the almost-everywhere second derivative: point masses (Dirac deltas) at kinks are dropped."
)


@dataclass(frozen=True)
class Program:
    """Straight-line code after CSE: temporaries in order, then the named outputs."""

    name: str
    assignments: tuple[tuple[sp.Symbol, sp.Expr], ...]
    outputs: tuple[tuple[str, sp.Expr], ...]

    @property
    def op_count(self) -> int:
        """Operations in the program (as counted by ``sympy.count_ops``)."""
        exprs = [e for _, e in self.assignments] + [e for _, e in self.outputs]
        return int(sum(sp.count_ops(e) for e in exprs))

    @property
    def functions(self) -> frozenset[str]:
        """Names of the functions the program calls (lets emitters import only what is used)."""
        exprs = [e for _, e in self.assignments] + [e for _, e in self.outputs]
        return frozenset(type(f).__name__ for e in exprs for f in e.atoms(sp.Function))


@dataclass(frozen=True)
class Derivation:
    """The symbolic results for one spec.

    ``loss``/``grad``/``hess`` are functions of the inputs and parameters only (intermediates
    substituted), in stable form with primitives kept as functions. ``display_*`` are the same
    quantities written in terms of the spec's intermediates, for humans (``lossgen show``, LaTeX).
    """

    spec: Spec
    loss: sp.Expr
    grad: sp.Expr
    hess: sp.Expr
    display_loss: sp.Expr
    display_grad: sp.Expr
    display_hess: sp.Expr
    conventions: tuple[str, ...]
    programs: Mapping[str, Program]

    def quantity(self, name: str) -> sp.Expr:
        """``loss``, ``grad`` or ``hess`` by name."""
        return {"loss": self.loss, "grad": self.grad, "hess": self.hess}[name]


def _drop_dirac(expr: sp.Expr) -> sp.Expr:
    return expr.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.S.Zero)


def tidy(expr: sp.Expr) -> sp.Expr:
    """Stabilize and simplify, keeping the candidate with the fewest operations.

    ``sympy.simplify`` sometimes makes things worse (Huber's gradient grows an ``Abs(r)/r``
    term with an ``Eq`` guard), so it only wins when it is strictly shorter.
    """
    expr = stabilize(_drop_dirac(expr))
    candidates = [expr]
    try:
        candidates.append(stabilize(sp.simplify(expr)))
    except (TypeError, ValueError, NotImplementedError, RecursionError):
        pass  # SymPy's simplifier gives up on some Piecewise forms; the raw form is correct.
    candidates = [c for c in candidates if not c.has(sp.nan, sp.zoo)]
    return min(candidates, key=sp.count_ops)


def _total_derivative(expr: sp.Expr, spec: Spec) -> sp.Expr:
    """d expr / d prediction, treating intermediates as functions of earlier names (chain rule)."""
    definitions = {i.symbol: i.expr for i in spec.intermediates}
    prediction = spec.prediction.symbol
    cache: dict[sp.Symbol, sp.Expr] = {}

    def d_intermediate(symbol: sp.Symbol) -> sp.Expr:
        if symbol not in cache:
            cache[symbol] = total(definitions[symbol])
        return cache[symbol]

    def total(e: sp.Expr) -> sp.Expr:
        result = sp.diff(e, prediction)
        for symbol in definitions:
            if e.has(symbol):
                result += sp.diff(e, symbol) * d_intermediate(symbol)
        return result

    return total(expr)


def _conventions(spec: Spec, raw_derivatives: list[sp.Expr]) -> tuple[str, ...]:
    loss = spec.expanded_loss()
    found = []
    if loss.has(sp.Abs, sp.sign):
        found.append(CONVENTION_SIGN)
    if loss.has(sp.Max, sp.Min) or any(d.has(sp.Heaviside) for d in raw_derivatives):
        found.append(CONVENTION_HEAVISIDE)
    if loss.has(sp.Piecewise):
        found.append(CONVENTION_PIECEWISE)
    if any(d.has(sp.DiracDelta) for d in raw_derivatives):
        found.append(CONVENTION_DIRAC)
    return tuple(found) + spec.conventions


def _programs(quantities: Mapping[str, sp.Expr]) -> dict[str, Program]:
    """CSE once over loss, gradient and Hessian together, then prune per program.

    Sharing one CSE means every program computes a quantity with exactly the same operations,
    so ``loss_and_grad`` returns bit-for-bit what ``loss`` and ``grad`` return separately.
    """
    names = tuple(quantities)
    lowered = [lower_primitives(quantities[n]) for n in names]
    replacements, reduced = sp.cse(lowered, symbols=sp.numbered_symbols("_t", real=True))
    outputs = dict(zip(names, reduced))
    programs = {}
    for program_name, wanted in PROGRAM_OUTPUTS.items():
        needed: set[sp.Symbol] = set()
        for symbol, value in reversed(replacements):  # a temporary only uses earlier ones
            if symbol in needed or any(symbol in outputs[w].free_symbols for w in wanted):
                needed |= {symbol} | (value.free_symbols & {s for s, _ in replacements})
        programs[program_name] = Program(
            name=program_name,
            assignments=tuple((s, e) for s, e in replacements if s in needed),
            outputs=tuple((w, outputs[w]) for w in wanted),
        )
    return programs


def derive(spec: Spec) -> Derivation:
    """Differentiate, simplify, stabilize and CSE one spec. Deterministic for a given spec."""
    prediction = spec.prediction.symbol
    differentiable_loss = stabilize(spec.expanded_loss(), PRIMITIVE_RULES)
    raw_grad = sp.diff(differentiable_loss, prediction)
    grad = tidy(raw_grad)
    raw_hess = sp.diff(grad, prediction)
    hess = tidy(raw_hess)
    loss = tidy(differentiable_loss)

    display_loss = stabilize(spec.loss, PRIMITIVE_RULES)
    display_grad = tidy(_total_derivative(display_loss, spec))
    display_hess = tidy(_total_derivative(display_grad, spec))

    allowed = {i.symbol for i in spec.inputs} | {p.symbol for p in spec.params}
    for label, expr in (("loss", loss), ("gradient", grad), ("Hessian", hess)):
        stray = expr.free_symbols - allowed
        if stray:  # pragma: no cover - the spec loader rejects unknown names first
            raise AssertionError(f"{spec.name}: {label} has unexpected symbols {stray}")

    quantities = {"loss": loss, "grad": grad, "hess": hess}
    return Derivation(
        spec=spec,
        loss=loss,
        grad=grad,
        hess=hess,
        display_loss=display_loss,
        display_grad=display_grad,
        display_hess=display_hess,
        conventions=_conventions(spec, [raw_grad, raw_hess]),
        programs=MappingProxyType(_programs(quantities)),
    )


def primitives_used(derivation: Derivation) -> tuple[str, ...]:
    """Names of the stable primitives the derived quantities use (for documentation)."""
    exprs = (derivation.loss, derivation.grad, derivation.hess)
    return tuple(name for name, cls in PRIMITIVES.items() if any(e.has(cls) for e in exprs))
