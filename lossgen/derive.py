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
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import sympy as sp

from .primitives import (
    PRIMITIVE_RULES,
    PRIMITIVES,
    RowLogSumExp,
    RowMax,
    RowReduction,
    RowSum,
    lower_primitives,
    shifted_exp,
    stabilize,
)
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
    """Straight-line code after CSE: temporaries in order, then the named outputs.

    ``hoisted`` (row-wise element programs) are temporaries that do not depend on the element:
    computed once per row, before the loop over the class axis.
    """

    name: str
    assignments: tuple[tuple[sp.Symbol, sp.Expr], ...]
    outputs: tuple[tuple[str, sp.Expr], ...]
    hoisted: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()

    @property
    def op_count(self) -> int:
        """Operations in the program (as counted by ``sympy.count_ops``)."""
        exprs = [e for _, e in self.assignments] + [e for _, e in self.outputs]
        return int(sum(sp.count_ops(e) for e in exprs))

    @property
    def free_symbols(self) -> frozenset[sp.Symbol]:
        """Every symbol the program reads."""
        exprs = [e for _, e in self.hoisted + self.assignments + self.outputs]
        return frozenset().union(*(e.free_symbols for e in exprs))

    @property
    def functions(self) -> frozenset[str]:
        """Names of the functions the program calls (lets emitters import only what is used)."""
        exprs = [e for _, e in self.assignments] + [e for _, e in self.outputs]
        return frozenset(type(f).__name__ for e in exprs for f in e.atoms(sp.Function))


@dataclass(frozen=True)
class Reduction:
    """A row scalar of a row-wise loss: ``symbol`` = Σ_k element (sum) or log Σ_k e^element.

    ``element`` may use reductions of lower ``level``; a level is one pass over the row.
    """

    symbol: sp.Symbol
    kind: str
    element: sp.Expr
    level: int
    #: logsumexp only: the row maximum M and L = log Σ e^(u − M) (the value is M + L), and, when
    #: u is the prediction z, (z, ẑ) with ẑ = z − M formed exactly at load: expressions use
    #: ẑ, M and L, never the rounded sum M + L (so L − ẑ for the argmax class loses nothing).
    max_symbol: sp.Symbol | None = None
    log_symbol: sp.Symbol | None = None
    shifted: tuple[sp.Symbol, sp.Symbol] | None = None
    #: with ``shifted``: the per-class softmax e^(ẑ − L), which kernels compute as e^ẑ · (1/Σ e^ẑ)
    #: from the exponentials the logsumexp pass already made, instead of a second exp (that is
    #: also more accurate: ẑ − L rounds to an absolute error that exp makes relative).
    softmax_symbol: sp.Symbol | None = None


@dataclass(frozen=True)
class RowPass:
    """One pass over a row's classes accumulating ``reductions`` (program outputs: their elements)."""

    reductions: tuple[Reduction, ...]
    program: Program


@dataclass(frozen=True)
class RowKernel:
    """A row-wise kernel: reduction passes, the row-level program, then the element-level program.

    With ``fused``, the last pass runs inside the element loop (the element outputs do not need
    its reductions), and the row program follows it: softmax cross-entropy makes the
    log-sum-exp pass and then one pass computing its loss and gradient together.
    """

    name: str
    passes: tuple[RowPass, ...]
    row: Program
    element: Program
    fused: bool = False


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
    #: Row-wise specs: the row scalars (loss is a function of them; grad and hess are element
    #: expressions of the element symbols and them), and the kernels built from them.
    reductions: tuple[Reduction, ...] = ()
    row_kernels: Mapping[str, RowKernel] = field(default_factory=lambda: MappingProxyType({}))

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
    return _shortest_forms(expr)[0]


def _shortest_forms(expr: sp.Expr) -> list[sp.Expr]:
    """The stabilized forms of ``expr`` with the fewest operations (``sympy.count_ops``), the
    stabilized raw form first when it is one of them."""
    # powsimp first: SymPy differentiates m**g as g*m**g/m, which is 0/0 where m underflows;
    # merging powers of one base gives g*m**(g - 1).
    expr = stabilize(sp.powsimp(_drop_dirac(expr), combine="exp"))
    candidates = [expr]
    try:
        candidates.append(stabilize(sp.simplify(expr)))
    except (TypeError, ValueError, NotImplementedError, RecursionError):
        pass  # SymPy's simplifier gives up on some Piecewise forms; the raw form is correct.
    candidates += [_factored(c) for c in candidates]
    # A candidate may not divide by anything that can be 0 and that the raw form does not divide
    # by: m**g/m is 0/0 where m underflows to 0 (δ²/(δ² + r²) is fine: δ > 0).
    allowed = _denominators(expr)
    candidates = [
        c
        for c in candidates
        if not c.has(sp.nan, sp.zoo) and all(d in allowed or d.is_positive for d in _denominators(c))
    ]
    fewest = min(sp.count_ops(c) for c in candidates)
    return list(dict.fromkeys(c for c in candidates if sp.count_ops(c) == fewest))


def _factored(expr: sp.Expr) -> sp.Expr:
    """``expr`` with each piece (of a Piecewise: each branch's value) that factors into a product
    of linear polynomials in the symbols written as that product.

    Such a product is short and keeps its digits next to its roots: Tukey's gradient
    r·(c − r)²·(c + r)²/c⁴ where the expanded form it is simplified to cancels. A factor of higher
    degree is not taken: c² − 5y² + 10yŷ − 5ŷ², expanded in the inputs, loses every digit when
    they are large and close (r = ŷ − y small)."""
    if isinstance(expr, sp.Piecewise):
        return sp.Piecewise(*[(_factored(value), condition) for value, condition in expr.args])
    if not expr.free_symbols or expr.has(sp.Function):
        return expr
    try:
        product = sp.factor(expr)
    except (sp.PolynomialError, NotImplementedError):
        return expr
    symbols = sorted(expr.free_symbols, key=str)
    for factor in sp.Mul.make_args(product):
        base = factor.base if factor.is_Pow and factor.exp.is_Integer else factor
        if base.free_symbols and (not base.is_polynomial(*symbols) or sp.Poly(base, *symbols).total_degree() > 1):
            return expr
    return product


#: What an operation costs in the weighted count that chooses among equally short forms, in
#: additions. Only the order matters: a division and a square root occupy the divider for many
#: cycles, and a function call (exp, log) is a polynomial of a dozen operations or more.
#: Measured on the AMD EPYC VM (one parallel pass over 1e7 float32 elements in float64, against a
#: triad of 3.95 ms): one square root and one division 5.73 ms, one more division 6.47 ms.
_DIVISION_COST = 8
_SQRT_COST = 12
_CALL_COST = 30
_POWER_COST = 40


def _weighted_cost(expr: sp.Expr) -> int:
    """Operations the printed code of ``expr`` computes, weighted by cost (see _DIVISION_COST)."""
    if expr.is_Atom:
        return 0
    args = expr.args
    if isinstance(expr, sp.Mul):
        # Printed as one fraction: the factors with negative exponents form one denominator.
        numerator = [a for a in args if not (a.is_Pow and a.exp.is_negative)]
        denominator = [sp.Pow(a.base, -a.exp) for a in args if a.is_Pow and a.exp.is_negative]
        cost = max(len(numerator) - 1, 0) + sum(_weighted_cost(a) for a in numerator)
        if denominator:
            cost += _DIVISION_COST + len(denominator) - 1 + sum(_weighted_cost(a) for a in denominator)
        return cost
    if isinstance(expr, sp.Pow):
        base, exponent = args
        if exponent.is_Integer and exponent.is_positive:  # repeated squaring
            power = int(exponent)
            return _weighted_cost(base) + max(power.bit_length() + bin(power).count("1") - 2, 1)
        if exponent.is_Integer:
            return _DIVISION_COST + _weighted_cost(sp.Pow(base, -exponent))
        if exponent == sp.S.Half:
            return _SQRT_COST + _weighted_cost(base)
        if exponent == -sp.S.Half:
            return _DIVISION_COST + _SQRT_COST + _weighted_cost(base)
        return _POWER_COST + _weighted_cost(base) + _weighted_cost(exponent)
    if isinstance(expr, (sp.Add, sp.Max, sp.Min)):
        return len(args) - 1 + sum(_weighted_cost(a) for a in args)
    if isinstance(expr, sp.Piecewise):
        return sum(_weighted_cost(value) + _weighted_cost(condition) + 1 for value, condition in args)
    if isinstance(expr, sp.Function) and not isinstance(expr, sp.Abs):
        return _CALL_COST + sum(_weighted_cost(a) for a in args)
    return 1 + sum(_weighted_cost(a) for a in args)  # |x|, comparisons, logic


def _shared_cost(quantities: list[sp.Expr]) -> int:
    """Weighted cost of computing ``quantities`` together after common-subexpression elimination
    (what a generated kernel computes per element)."""
    replacements, reduced = sp.cse([lower_primitives(q) for q in quantities])
    return sum(_weighted_cost(value) for _, value in replacements) + sum(_weighted_cost(r) for r in reduced)


def _denominators(expr: sp.Expr) -> set[sp.Expr]:
    """Bases raised to a negative power anywhere in ``expr``."""
    return {
        p.base
        for p in expr.atoms(sp.Pow)
        if p.exp.is_negative or (p.exp.is_Mul and p.exp.as_coeff_Mul()[0].is_negative)
    }


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


def _negative_powers(expr: sp.Expr) -> dict[sp.Expr, set[sp.Pow]]:
    """The powers of ``expr`` with a negative integer exponent (divisions), by base."""
    found: dict[sp.Expr, set[sp.Pow]] = {}
    for power in expr.atoms(sp.Pow):
        if power.exp.is_Integer and power.exp < 0:
            found.setdefault(power.base, set()).add(power)
    return found


def _share_reciprocals(
    replacements: list[tuple[sp.Symbol, sp.Expr]],
    names: tuple[str, ...],
    outputs: list[sp.Expr],
    invariant: set[sp.Symbol],
) -> tuple[list[tuple[sp.Symbol, sp.Expr]], list[sp.Expr]]:
    """One division per denominator and kernel: where a program (``PROGRAM_OUTPUTS``; ``names``
    are the quantities ``outputs`` compute) divides by the same base in two or more expressions
    (Geman-McClure's loss_and_grad: the loss by d, the gradient by d²), the expressions that
    program computes take r = 1/d, computed once, and multiply by r (r² for d², ...).

    Divisions are what the element loops wait on (8 float64 lanes take 16 cycles on AVX-512), and
    LLVM may not turn a/d, b/d² into one division without fast-math's "arcp". Each quantity then
    takes one more rounding, so nothing changes where no kernel would divide less: Poisson's
    gradient 1 − y/λ and Hessian y/λ² are separate kernels (1 − (1/λ)·y lost digits where y ≈ λ),
    and Geman-McClure's Hessian keeps its own division. A base that depends on the parameters only
    (``invariant``) takes its reciprocal wherever an element's value is divided by it, even once:
    LLVM then computes 1/c² once per call, where r⁴/c² divided per element (Tukey's loss, float32
    at N = 1e7: 0.94 of the time; the loop-invariant base alone is hoisted, not the division).
    """
    defined = dict(replacements)
    position = {symbol: i for i, (symbol, _) in enumerate(replacements)}
    position.update({name: len(replacements) + k for k, name in enumerate(names)})

    def depends_on_elements(expr: sp.Expr) -> bool:
        return any(depends_on_elements(defined[s]) if s in defined else s not in invariant for s in expr.free_symbols)

    reciprocals = {value.base: symbol for symbol, value in replacements if value.is_Pow and value.exp == -1}
    shared = Program("all", tuple(replacements), tuple(zip(names, outputs)))
    powers: dict[sp.Expr, set[sp.Pow]] = {}
    first: dict[sp.Expr, int] = {}  # base -> first expression dividing by it (for a stable order)
    rewritten: dict[sp.Expr, set] = {}  # base -> temporaries and output names that take 1/base
    for program_name, wanted in PROGRAM_OUTPUTS.items():
        program = _prune(shared, program_name, wanted)
        exprs = [(position[key], key, expr) for key, expr in program.assignments + program.outputs]
        counts: dict[sp.Expr, list[int]] = {}
        for at, _, expr in exprs:
            for base, found in _negative_powers(expr).items():
                if expr != 1 / base:  # a temporary that is already the reciprocal
                    counts.setdefault(base, []).append(at)
                    powers.setdefault(base, set()).update(found)
        varying = {at for at, _, expr in exprs if depends_on_elements(expr)}
        for base, positions in counts.items():
            shared_division = (len(positions) >= 2 or base in reciprocals) and depends_on_elements(base)
            if shared_division or (not depends_on_elements(base) and varying.intersection(positions)):
                first[base] = min(first.get(base, positions[0]), positions[0])
                rewritten.setdefault(base, set()).update(key for _, key, _ in exprs)
    if not first:
        return replacements, list(outputs)
    symbols = sp.numbered_symbols("_r", real=True)
    replacements, outputs = list(replacements), list(outputs)
    for base in sorted(first, key=lambda b: (first[b], sp.default_sort_key(b))):
        reciprocal = reciprocals.get(base)
        if reciprocal is None:
            reciprocal = next(symbols)
            after = max((i for i, (s, _) in enumerate(replacements) if s in base.free_symbols), default=-1)
            replacements.insert(after + 1, (reciprocal, 1 / base))
        mapping = {power: reciprocal ** (-power.exp) for power in powers[base]}
        replacements = [(s, v.xreplace(mapping) if s in rewritten[base] else v) for s, v in replacements]
        outputs = [e.xreplace(mapping) if name in rewritten[base] else e for name, e in zip(names, outputs)]
    return replacements, outputs


def _share_power_products(
    replacements: list[tuple[sp.Symbol, sp.Expr]], outputs: list[sp.Expr]
) -> tuple[list[tuple[sp.Symbol, sp.Expr]], list[sp.Expr]]:
    """Write a product of powers with one exponent, a³·b³, as the power of a product w³ with
    w = a·b computed once (two multiplications where there were five, and w² for a²·b² elsewhere
    is one more). SymPy multiplies (a·b)³ back out when it builds it, so this is done on the CSE
    program, whose temporaries are symbols. Tukey's loss (c − r)³(c + r)³ and gradient
    r(c − r)²(c + r)²/c⁴ share w = (c − r)(c + r): float32 loss_and_grad at N = 1e7 0.77–0.86 of
    the time (paired, Intel VM). It rounds no more often, and a·b does not underflow or overflow
    where a³ alone would."""
    products: dict[tuple[sp.Expr, ...], sp.Symbol] = {}
    symbols = sp.numbered_symbols("_p", real=True)
    replacements, outputs = list(replacements), list(outputs)

    def rewrite(expr: sp.Expr) -> sp.Expr:
        mapping = {}
        for mul in sp.preorder_traversal(expr):
            if not isinstance(mul, sp.Mul):
                continue
            groups: dict[int, list[sp.Expr]] = {}
            for factor in mul.args:
                if factor.is_Pow and factor.exp.is_Integer and factor.exp > 1:
                    groups.setdefault(int(factor.exp), []).append(factor.base)
            shared = {exponent: bases for exponent, bases in groups.items() if len(bases) > 1}
            if not shared:
                continue
            rest = [f for f in mul.args if not (f.is_Pow and f.exp.is_Integer and int(f.exp) in shared)]
            new_factors = []
            for exponent, bases in shared.items():
                key = tuple(sorted(bases, key=sp.default_sort_key))
                if key not in products:
                    product = sp.Mul(*key)
                    # CSE may have named the product already (for a later use): move it up
                    existing = [i for i, (_, v) in enumerate(replacements) if v == product]
                    entry = replacements.pop(existing[0]) if existing else (next(symbols), product)
                    defined = [i for i, (s, _) in enumerate(replacements) if s in product.free_symbols]
                    replacements.insert(max(defined, default=-1) + 1, entry)
                    products[key] = entry[0]
                new_factors.append(products[key] ** exponent)
            mapping[mul] = sp.Mul(*rest, *new_factors)
        return expr.xreplace(mapping) if mapping else expr

    for symbol, value in list(replacements):  # rewriting may insert or move temporaries before it
        rewritten = rewrite(value)
        position = next(i for i, (s, _) in enumerate(replacements) if s == symbol)
        replacements[position] = (symbol, rewritten)
    outputs = [rewrite(e) for e in outputs]
    return replacements, outputs


def _programs(quantities: Mapping[str, sp.Expr], invariant: set[sp.Symbol]) -> dict[str, Program]:
    """CSE once over loss, gradient and Hessian together (with shared reciprocals: see
    ``_share_reciprocals``; ``invariant``: the parameters), then prune per program.

    Sharing one CSE means every program computes a quantity with exactly the same operations,
    so ``loss_and_grad`` returns bit-for-bit what ``loss`` and ``grad`` return separately.
    """
    names = tuple(quantities)
    lowered = [lower_primitives(quantities[n]) for n in names]
    replacements, reduced = sp.cse(lowered, symbols=sp.numbered_symbols("_t", real=True))
    replacements, reduced = _share_reciprocals(replacements, names, reduced, invariant)
    replacements, reduced = _share_power_products(replacements, reduced)
    shared = Program("all", tuple(replacements), tuple(zip(names, reduced)))
    return {program_name: _prune(shared, program_name, wanted) for program_name, wanted in PROGRAM_OUTPUTS.items()}


def _prune(program: Program, name: str, wanted) -> Program:
    """The part of ``program`` that computes the outputs named in ``wanted`` (in that order)."""
    outputs = dict(program.outputs)
    temporaries = {s for s, _ in program.hoisted + program.assignments}
    needed: set[sp.Symbol] = set()
    for expr in (outputs[w] for w in wanted):
        needed |= expr.free_symbols & temporaries
    for symbol, value in reversed(program.hoisted + program.assignments):  # a temporary only uses earlier ones
        if symbol in needed:
            needed |= value.free_symbols & temporaries
    return Program(
        name=name,
        assignments=tuple((s, e) for s, e in program.assignments if s in needed),
        outputs=tuple((w, outputs[w]) for w in wanted),
        hoisted=tuple((s, e) for s, e in program.hoisted if s in needed),
    )


def derive(spec: Spec) -> Derivation:
    """Differentiate, simplify, stabilize and CSE one spec. Deterministic for a given spec."""
    if spec.rowwise:
        return _derive_rowwise(spec)
    prediction = spec.prediction.symbol
    differentiable_loss = stabilize(spec.expanded_loss(), PRIMITIVE_RULES)
    raw_grad = sp.diff(differentiable_loss, prediction)
    # Among equally short forms, the loss and gradient that share the most work: loss_and_grad
    # computes both per element (pseudo-Huber's loss δr²/(δ + √(δ² + r²)) shares its square root
    # with the gradient δr/√(δ² + r²); r²/(√(1 + r²/δ²) + 1), as short, took a second one).
    grads = _shortest_forms(raw_grad)
    loss, grad = min(
        ((loss, grad) for loss in _shortest_forms(differentiable_loss) for grad in grads), key=_shared_cost
    )
    raw_hess = sp.diff(grad, prediction)
    hess = tidy(raw_hess)

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
        programs=MappingProxyType(_programs(quantities, {p.symbol for p in spec.params})),
    )


def primitives_used(derivation: Derivation) -> tuple[str, ...]:
    """Names of the stable primitives the derived quantities use (for documentation)."""
    exprs = (derivation.loss, derivation.grad, derivation.hess)
    return tuple(name for name, cls in PRIMITIVES.items() if any(e.has(cls) for e in exprs))


# ---------------------------------------------------------------------------------------------
# Row-wise losses. In a row-wise spec the vector inputs stand for element k of a row. The loss
# G is a function of row scalars S_i (reductions of element expressions u_i). The derivative
# with respect to element j of the prediction z follows the chain rule through them:
#
#   D(S) = w_j · ∂u/∂z (at j) + Σ_l [Σ_k w_k ∂u/∂S_l] · D(S_l),  w = 1 (sum) or e^{u - S} (logsumexp)
#
# where each bracket is a new reduction. The gradient is D(G) and the Hessian diagonal D(D(G)),
# both element expressions in z_j, the targets at j, and row scalars.


class _Reductions:
    """The row scalars of one derivation, deduplicated, in creation order."""

    def __init__(self, prediction: sp.Symbol, elements: frozenset[sp.Symbol]):
        self.prediction = prediction
        self.elements = elements
        self.by_key: dict[tuple[str, sp.Expr], Reduction] = {}
        self.by_symbol: dict[sp.Symbol, Reduction] = {}  # also M, L and ẑ → their logsumexp
        self._derivatives: dict[sp.Symbol, sp.Expr] = {}
        self._next = 0  # the next reduction number: names stay unique across re-registration

    def add(self, kind: str, element: sp.Expr) -> sp.Symbol:
        element = stabilize(element, PRIMITIVE_RULES)
        key = (kind, element)
        if key not in self.by_key:
            symbol = sp.Symbol(f"_r{self._next}", real=True)
            self._register(Reduction(symbol, kind, element, self._level(element)))
        return self.by_key[key].symbol

    def _level(self, element: sp.Expr) -> int:
        levels = [self.by_symbol[s].level for s in element.free_symbols if s in self.by_symbol]
        return 1 + max(levels) if levels else 0

    def _register(self, reduction: Reduction) -> None:
        self._next = max(self._next, int(reduction.symbol.name[2:]) + 1)
        self.by_key[(reduction.kind, reduction.element)] = reduction
        for symbol in (reduction.symbol, reduction.max_symbol, reduction.log_symbol):
            if symbol is not None:
                self.by_symbol[symbol] = reduction
        if reduction.shifted is not None:
            self.by_symbol[reduction.shifted[1]] = reduction
        if reduction.softmax_symbol is not None:
            self.by_symbol[reduction.softmax_symbol] = reduction

    def softmax_form(self, expr: sp.Expr) -> sp.Expr:
        """``expr`` with each e^(ẑ − L) of a shifted logsumexp written as its softmax symbol."""
        softmaxes = {r.shifted[1] - r.log_symbol: r.softmax_symbol for r in self.primary() if r.softmax_symbol}
        if not softmaxes:
            return expr

        def rewrite(node: sp.Expr) -> sp.Expr:
            if isinstance(node, (shifted_exp, sp.exp)):
                for argument, symbol in softmaxes.items():
                    multiple = sp.simplify(node.args[0] / argument)
                    if multiple.is_Integer and multiple > 0:
                        return symbol**multiple
            return node

        return expr.replace(lambda node: isinstance(node, (shifted_exp, sp.exp)), rewrite)

    def primary(self) -> list[Reduction]:
        """Each reduction once, in creation order."""
        return list(self.by_key.values())

    def extract(self, expr: sp.Expr) -> sp.Expr:
        """Replace every reduction node (innermost first) by its row-scalar symbol."""
        if isinstance(expr, RowReduction):
            return self.add(expr.kind, self.extract(expr.args[0]))
        if not expr.args:
            return expr
        return expr.func(*[self.extract(a) for a in expr.args])

    def scalars_in(self, expr: sp.Expr) -> list[sp.Symbol]:
        return sorted((s for s in expr.free_symbols if s in self.by_symbol), key=lambda s: s.name)

    def d_scalar(self, symbol: sp.Symbol) -> sp.Expr:
        """D(S) for a row scalar S (an element expression)."""
        if symbol not in self._derivatives:
            reduction = self.by_symbol[symbol]
            u = reduction.element
            if reduction.kind == "sum":
                weight = sp.S.One
            elif reduction.kind == "logsumexp":
                weight = shifted_exp(u - symbol)
            else:  # max: the maximal classes share the derivative equally
                at_max = sp.Piecewise((1, sp.Eq(u, symbol)), (0, True))
                weight = at_max / self.add("sum", at_max)
            result = weight * sp.diff(u, self.prediction)
            for inner in self.scalars_in(u):
                du = sp.diff(u, inner)
                if du != 0:
                    result += self.add("sum", weight * du) * self.d_scalar(inner)
            self._derivatives[symbol] = _drop_dirac(result)
        return self._derivatives[symbol]

    def d(self, expr: sp.Expr) -> sp.Expr:
        """Total derivative of an element expression with respect to the prediction's element."""
        result = sp.diff(expr, self.prediction)
        for scalar in self.scalars_in(expr):
            result += sp.diff(expr, scalar) * self.d_scalar(scalar)
        return _drop_dirac(result)

    def closure(self, exprs) -> list[Reduction]:
        """The reductions the expressions need, directly or through other reductions, by level."""
        needed: dict[sp.Symbol, Reduction] = {}
        stack = [self.by_symbol[s] for e in exprs for s in self.scalars_in(e)]
        while stack:
            reduction = stack.pop()
            if reduction.symbol not in needed:
                needed[reduction.symbol] = reduction
                stack.extend(self.by_symbol[s] for s in self.scalars_in(reduction.element))
        return sorted(needed.values(), key=lambda r: (r.level, int(r.symbol.name[2:])))

    def to_nodes(self, expr: sp.Expr) -> sp.Expr:
        """Row scalars back as reduction nodes (innermost last), e.g. for display."""
        for reduction in sorted(self.primary(), key=lambda r: -int(r.symbol.name[2:])):
            node = {"sum": RowSum, "logsumexp": RowLogSumExp, "max": RowMax}[reduction.kind](reduction.element)
            expr = expr.subs(reduction.symbol, node)
        return expr


def _cse(name: str, outputs: list[tuple[str, sp.Expr]], prefix: str) -> tuple[list, list]:
    lowered = [lower_primitives(e) for _, e in outputs]
    replacements, reduced = sp.cse(lowered, symbols=sp.numbered_symbols(prefix, real=True))
    return list(replacements), [(n, e) for (n, _), e in zip(outputs, reduced)]


def _element_program(name: str, outputs: list[tuple[str, sp.Expr]], elements: frozenset[sp.Symbol]) -> Program:
    """CSE, then hoist the temporaries that do not depend on the element out of the class loop."""
    replacements, reduced = _cse(name, outputs, f"_{name[0]}")
    dependent = set(elements)
    hoisted, per_element = [], []
    for symbol, value in replacements:
        if value.free_symbols & dependent:
            dependent.add(symbol)
            per_element.append((symbol, value))
        else:
            hoisted.append((symbol, value))
    return Program(name, tuple(per_element), tuple(reduced), tuple(hoisted))


def _level_programs(registry: _Reductions, quantities: list[sp.Expr]) -> dict[int, Program]:
    """One element program per pass level, CSE'd over every reduction any kernel needs.

    Kernels prune these rather than CSE their own subset: ``sp.cse`` may regroup sums
    differently for a different subset, and ``loss_and_grad`` must accumulate each reduction
    with exactly the operations ``grad`` uses, so the two agree bit for bit.
    """
    reductions = registry.closure(quantities)
    programs = {}
    for level in sorted({r.level for r in reductions}):
        at_level = [r for r in reductions if r.level == level]
        programs[level] = _element_program(
            f"p{level}", [(r.symbol.name, registry.softmax_form(r.element)) for r in at_level], registry.elements
        )
    return programs


def _row_kernel(
    name: str, registry: _Reductions, levels: dict[int, Program], row_outputs, element_outputs
) -> RowKernel:
    reductions = registry.closure([e for _, e in row_outputs + element_outputs])
    passes = []
    for level in sorted({r.level for r in reductions}):
        at_level = [r for r in reductions if r.level == level]
        program = _prune(levels[level], f"p{level}", [r.symbol.name for r in at_level])
        passes.append(RowPass(tuple(at_level), program))
    replacements, reduced = _cse("row", row_outputs, "_q") if row_outputs else ([], [])
    row = Program("row", tuple(replacements), tuple(reduced))
    element = _element_program("e", element_outputs, registry.elements) if element_outputs else Program("e", (), ())
    fused = False
    if element_outputs and passes:
        last = {r.symbol for r in passes[-1].reductions}
        element_needs = {s for r in registry.closure([e for _, e in element_outputs]) for s in [r.symbol]}
        fused = not (last & element_needs)
    return RowKernel(name, tuple(passes), row, element, fused)


def _split_logsumexp(registry: _Reductions, quantities: dict[str, sp.Expr]) -> tuple[_Reductions, dict]:
    """Rewrite the derived quantities with each logsumexp as M + L, and z as ẑ + M (see Reduction).

    The quantities go back to reduction nodes, logsumexp(z) becomes M + L and z becomes ẑ + M;
    sums are normalized again (pulling M out) and re-extracted, and row expressions are expanded,
    so M cancels symbolically: Σ q·(S − z) = L·Σq − Σ q·ẑ, e^(z − S) = e^(ẑ − L).
    """
    from .primitives import normalize_reduction

    prediction = registry.prediction
    split = _Reductions(prediction, registry.elements)
    replacements: dict[sp.Expr, sp.Expr] = {}
    for reduction in registry.primary():
        if reduction.kind != "logsumexp":
            continue
        name = reduction.symbol.name
        maximum, log = sp.Symbol(f"{name}_max", real=True), sp.Symbol(f"{name}_log", real=True)
        shifted = None
        if reduction.element == prediction and prediction not in replacements:
            shifted = (prediction, sp.Symbol(f"_{prediction.name}_shifted", real=True))
        softmax = sp.Symbol(f"{name}_softmax", positive=True) if shifted is not None else None
        split._register(replace(reduction, max_symbol=maximum, log_symbol=log, shifted=shifted, softmax_symbol=softmax))
        replacements[RowLogSumExp(reduction.element)] = maximum + log
        if shifted is not None:
            replacements[prediction] = shifted[1] + maximum
    elements = set(registry.elements) | {r.shifted[1] for r in split.primary() if r.shifted}
    elements |= {r.softmax_symbol for r in split.primary() if r.softmax_symbol}
    split.elements = frozenset(elements)  # ẑ and the softmax are per element: never hoisted out of a class loop
    classes = sp.Symbol("K", positive=True, integer=True)

    def rebuild(expr: sp.Expr) -> sp.Expr:
        if isinstance(expr, RowReduction):
            inner = rebuild(expr.args[0])
            return normalize_reduction(type(expr)(sp.expand_mul(inner)), elements, classes)
        if not expr.args:
            return replacements.get(expr, expr)
        return expr.func(*[rebuild(a) for a in expr.args])

    def protect(expr: sp.Expr) -> sp.Expr:
        # logsumexp(z) itself is computed from raw z: swap it out before z is replaced.
        return expr.xreplace({k: v for k, v in replacements.items() if isinstance(k, RowLogSumExp)})

    result = {}
    for name, expr in quantities.items():
        rebuilt = rebuild(protect(registry.to_nodes(expr)))
        rebuilt = split.extract(sp.expand_mul(rebuilt) if name == "loss" else rebuilt)
        result[name] = _drop_dirac(rebuilt)
    for reduction in split.primary():  # levels: a reduction using ẑ, M or L follows the logsumexp pass
        level = split._level(reduction.element)
        if level != reduction.level:
            split._register(replace(reduction, level=level))
    return split, result


def _derive_rowwise(spec: Spec) -> Derivation:
    elements = frozenset(i.symbol for i in spec.inputs if i.kind in ("vector", "label"))
    derivative_registry = _Reductions(spec.prediction.symbol, elements)
    loss = tidy(derivative_registry.extract(stabilize(spec.expanded_loss(), PRIMITIVE_RULES)))
    raw_grad = derivative_registry.d(loss)
    grad = tidy(raw_grad)
    raw_hess = derivative_registry.d(grad)
    hess = tidy(raw_hess)
    registry, split = _split_logsumexp(derivative_registry, {"loss": loss, "grad": grad, "hess": hess})
    loss, grad, hess = split["loss"], split["grad"], split["hess"]

    levels = _level_programs(registry, [loss, grad, hess])
    grad_k, hess_k = registry.softmax_form(grad), registry.softmax_form(hess)
    kernels = {
        "loss": _row_kernel("loss", registry, levels, [("loss", loss)], []),
        "loss_and_grad": _row_kernel("loss_and_grad", registry, levels, [("loss", loss)], [("grad", grad_k)]),
        "grad": _row_kernel("grad", registry, levels, [], [("grad", grad_k)]),
        "hess": _row_kernel("hess", registry, levels, [], [("hess", hess_k)]),
    }
    reductions = tuple(sorted(registry.primary(), key=lambda r: int(r.symbol.name[2:])))

    def displayed(expr: sp.Expr) -> sp.Expr:
        # For humans: in terms of the spec's intermediates and of Σ_k and logsumexp_k of the raw
        # inputs, before the ẑ/M/L split. The latest intermediate is folded back first: later ones
        # contain earlier ones (Tversky: TP, FP and FN, not three pages of sums).
        expr = derivative_registry.to_nodes(expr)
        for inter in reversed(spec.intermediates):
            expanded = inter.expr
            for earlier in reversed(spec.intermediates):
                expanded = expanded.subs(earlier.symbol, earlier.expr)
            expr = expr.subs(stabilize(expanded, PRIMITIVE_RULES), inter.symbol)
        return expr

    return Derivation(
        spec=spec,
        loss=loss,
        grad=grad,
        hess=hess,
        display_loss=stabilize(spec.loss, PRIMITIVE_RULES),
        display_grad=displayed(tidy(raw_grad)),
        display_hess=displayed(tidy(raw_hess)),
        conventions=_conventions(spec, [raw_grad, raw_hess]),
        programs=MappingProxyType({}),
        reductions=reductions,
        row_kernels=MappingProxyType(kernels),
    )
