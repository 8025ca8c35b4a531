"""Numerically stable primitives and the rewrite rules that introduce them.

A naive formula and its symbolic derivative overflow at extreme inputs: d/dx log(1 + e^x) is
e^x / (1 + e^x), which is NaN at x = 800. lossgen therefore

1. rewrites unstable patterns in a declared loss into *primitives* (``log(1 + exp(x))`` becomes
   ``softplus(x)``) before differentiating, and again after simplifying the derivatives;
2. gives every primitive a derivative that is itself stable (softplus' = sigmoid, never a ratio
   of exponentials);
3. lowers each primitive to a stable elementary form only at emission time
   (:func:`lower_primitives`), so the backends print plain ``exp``/``log1p``/conditionals and CSE
   sees the shared pieces (``exp(-|x|)`` is computed once for softplus and sigmoid together).

Each primitive also names its exact definition (:attr:`StablePrimitive.definition`), which the
tests differentiate to prove the hand-stated derivative right, and an mpmath implementation used
by the high-precision reference.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import mpmath
import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p


class StablePrimitive(sp.Function):
    """A one-argument function with a stable derivative and a stable elementary lowering."""

    nargs = 1
    #: LaTeX operator name used by the reference sheet.
    latex_name: str = ""
    #: The interval each argument may take (its stable form is accurate there).
    argument_domains: tuple[tuple[float, float], ...] = ((-math.inf, math.inf),)

    @classmethod
    def definition(cls, x: sp.Expr) -> sp.Expr:
        """The exact mathematical definition (may be numerically unstable)."""
        raise NotImplementedError

    @classmethod
    def stable_form(cls, x: sp.Expr) -> sp.Expr:
        """An elementary expression equal to the definition that is accurate for every finite x."""
        raise NotImplementedError

    @staticmethod
    def mpmath_impl(x):  # pragma: no cover - overridden
        """High-precision evaluation (mpmath has an unbounded exponent range)."""
        raise NotImplementedError

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        tex = rf"\operatorname{{{self.latex_name}}}\left({printer._print(self.args[0])}\right)"
        return tex if exp is None else rf"{tex}^{{{exp}}}"


class softplus(StablePrimitive):
    """softplus(x) = log(1 + e^x), lowered as max(x, 0) + log1p(e^-|x|)."""

    latex_name = "softplus"

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    @classmethod
    def definition(cls, x):
        return sp.log(1 + sp.exp(x))

    @classmethod
    def stable_form(cls, x):
        return sp.Max(x, 0) + log1p(sp.exp(-sp.Abs(x)))

    @staticmethod
    def mpmath_impl(x):
        return mpmath.log1p(mpmath.exp(x))

    def _eval_is_nonnegative(self):
        return self.args[0].is_real


class sigmoid(StablePrimitive):
    """The logistic function 1 / (1 + e^-x), lowered without overflow on either side."""

    latex_name = "sigmoid"

    def fdiff(self, argindex=1):
        x = self.args[0]
        # sigmoid(-x) rather than 1 - sigmoid(x): the latter cancels to 0 for large x.
        return sigmoid(x) * sigmoid(-x)

    @classmethod
    def definition(cls, x):
        return 1 / (1 + sp.exp(-x))

    @classmethod
    def stable_form(cls, x):
        e = sp.exp(-sp.Abs(x))
        return sp.Piecewise((1 / (1 + e), x >= 0), (e / (1 + e), True))

    @staticmethod
    def mpmath_impl(x):
        return 1 / (1 + mpmath.exp(-x))

    def _eval_is_positive(self):
        return self.args[0].is_real


class logcosh(StablePrimitive):
    """log(cosh(x)): log1p(2 sinh²(x/2)) near 0, |x| + log1p(e^-2|x|) − log 2 elsewhere."""

    latex_name = "logcosh"

    def fdiff(self, argindex=1):
        return sp.tanh(self.args[0])

    @classmethod
    def definition(cls, x):
        return sp.log(sp.cosh(x))

    @classmethod
    def stable_form(cls, x):
        a = sp.Abs(x)
        # Near 0 the second form cancels (|x| ≈ log 2 - log1p(...)); the first overflows past ~1400.
        return sp.Piecewise(
            (log1p(2 * sp.sinh(x / 2) ** 2), a < 1),
            (a + log1p(sp.exp(-2 * a)) - sp.log(2), True),
        )

    @staticmethod
    def mpmath_impl(x):
        # log(cosh(x)) would round cosh(1e-30) to 1 at any fixed precision.
        return mpmath.log1p(2 * mpmath.sinh(x / 2) ** 2)

    def _eval_is_nonnegative(self):
        return self.args[0].is_real


class shifted_exp(StablePrimitive):
    """e^x for an argument x = u - logsumexp(u) ≤ 0: a softmax weight.

    Opaque to the simplifier, which would otherwise merge it with other exponentials into forms
    like (e^S - e^z)·e^(z-2S) that overflow for large logits.
    """

    latex_name = "exp"
    argument_domains = ((-math.inf, 0.0),)

    def fdiff(self, argindex=1):
        return self

    @classmethod
    def definition(cls, x):
        return sp.exp(x)

    @classmethod
    def stable_form(cls, x):
        return sp.exp(x)

    @staticmethod
    def mpmath_impl(x):
        return mpmath.exp(x)

    def _eval_is_positive(self):
        return self.args[0].is_real


#: Primitives by the name a spec uses for them.
PRIMITIVES: dict[str, type[StablePrimitive]] = {cls.__name__: cls for cls in (softplus, sigmoid, logcosh, shifted_exp)}


def _log_sigmoid(x):
    return -softplus(-x)


#: Functions a spec expression may call, by name. Values build SymPy objects.
SPEC_FUNCTIONS: dict[str, Callable[..., sp.Expr]] = {
    "abs": sp.Abs,
    "sign": sp.sign,
    "sqrt": sp.sqrt,
    "exp": sp.exp,
    "log": sp.log,
    "log1p": log1p,
    "expm1": expm1,
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "atan": sp.atan,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "tanh": sp.tanh,
    "max": sp.Max,
    "min": sp.Min,
    "softplus": softplus,
    "sigmoid": sigmoid,
    "log_sigmoid": _log_sigmoid,
    "logcosh": logcosh,
}


# ---------------------------------------------------------------------------------------------
# Stability rewrites. Each rule maps one node to a stable equivalent or returns None.


def _add_split(expr: sp.Expr, term: sp.Expr) -> sp.Expr | None:
    """For an Add containing ``term``, return the Add without it; else None."""
    if isinstance(expr, sp.Add) and term in expr.args:
        return sp.Add(*[a for a in expr.args if a != term])
    return None


def _rule_log(expr):
    if not isinstance(expr, sp.log):
        return None
    arg = expr.args[0]
    if isinstance(arg, sp.cosh):
        return logcosh(arg.args[0])
    if isinstance(arg, sigmoid):
        return -softplus(-arg.args[0])
    rest = _add_split(arg, sp.S.One)
    if rest is None:
        return None
    if isinstance(rest, sp.exp):
        return softplus(rest.args[0])
    return log1p(rest)


def _rule_expm1(expr):
    rest = _add_split(expr, sp.S.NegativeOne)
    if rest is not None and isinstance(rest, sp.exp):
        return expm1(rest.args[0])
    return None


def _rule_sigmoid(expr):
    # (1 + exp(-u))**-1 -> sigmoid(u)
    if isinstance(expr, sp.Pow) and expr.exp == -1:
        rest = _add_split(expr.base, sp.S.One)
        if rest is not None and isinstance(rest, sp.exp):
            return sigmoid(-rest.args[0])
    return None


def _rule_sqrt1pm1(expr):
    # sqrt(1 + u) - 1 -> u / (sqrt(1 + u) + 1): the left side loses all digits for small u.
    if not isinstance(expr, sp.Add) or sp.S.NegativeOne not in expr.args:
        return None
    for term in expr.args:
        if isinstance(term, sp.Pow) and term.exp == sp.S.Half:
            u = _add_split(term.base, sp.S.One)
            if u is not None:
                others = [a for a in expr.args if a not in (term, sp.S.NegativeOne)]
                return sp.Add(*others, u / (term + 1))
    return None


def _rule_sech2(expr):
    # 1 - tanh(u)**2 -> cosh(u)**-2: the left side is 0 for |u| > 19 where the truth is not.
    if not isinstance(expr, sp.Add) or sp.S.One not in expr.args:
        return None
    for term in expr.args:
        if (
            isinstance(term, sp.Mul)
            and len(term.args) == 2
            and term.args[0] == -1
            and isinstance(term.args[1], sp.Pow)
            and isinstance(term.args[1].base, sp.tanh)
            and term.args[1].exp == 2
        ):
            others = [a for a in expr.args if a not in (term, sp.S.One)]
            return sp.Add(*others, sp.cosh(term.args[1].base.args[0]) ** -2)
    return None


Rule = Callable[[sp.Expr], "sp.Expr | None"]

#: Rules that introduce primitives. They run on the loss *before* differentiation, so that the
#: derivatives are those of the primitives (stable by construction), and again afterwards.
PRIMITIVE_RULES: tuple[Rule, ...] = (_rule_log, _rule_expm1, _rule_sigmoid)

#: Algebraic rewrites that avoid cancellation. They run only on final expressions: applied
#: before differentiation they would make the derivatives needlessly complicated.
CANCELLATION_RULES: tuple[Rule, ...] = (_rule_sqrt1pm1, _rule_sech2)

STABILITY_RULES: tuple[Rule, ...] = PRIMITIVE_RULES + CANCELLATION_RULES


def stabilize(expr: sp.Expr, rules: tuple[Rule, ...] = STABILITY_RULES) -> sp.Expr:
    """Apply ``rules`` bottom-up until nothing changes."""

    def visit(node: sp.Basic) -> sp.Basic:
        if node.args:
            new_args = tuple(visit(a) for a in node.args)
            if new_args != node.args:
                node = node.func(*new_args)
        for rule in rules:
            replaced = rule(node)
            if replaced is not None:
                return visit(replaced)
        return node

    previous = None
    while previous != expr:
        previous, expr = expr, visit(expr)
    return expr


def lower_primitives(expr: sp.Expr) -> sp.Expr:
    """Replace primitives by their stable elementary forms, and sign/Heaviside by Piecewise.

    The result contains only functions every backend prints directly. Conventions at kinks are
    fixed here: sign(0) = 0 and Heaviside(0) = 1/2 (the mean of the one-sided derivatives).
    """

    def heaviside(x, h0=sp.S.Half):
        return sp.Piecewise((1, x > 0), (h0, sp.Eq(x, 0)), (0, True))

    def sign(x):
        return sp.Piecewise((1, x > 0), (-1, x < 0), (0, True))

    expr = expr.replace(sp.Heaviside, heaviside).replace(sp.sign, sign)
    for cls in PRIMITIVES.values():
        expr = expr.replace(cls, cls.stable_form)
    return expr


def definition_form(expr: sp.Expr) -> sp.Expr:
    """Replace primitives by their exact definitions (for symbolic checks and finite differences)."""
    for cls in PRIMITIVES.values():
        expr = expr.replace(cls, cls.definition)
    return expr


def mpmath_namespace() -> dict[str, Callable]:
    """Names the mpmath reference evaluator needs beyond mpmath's own functions."""

    def heaviside(x, h0=None):
        if x == 0:
            return mpmath.mpf(1) / 2 if h0 is None else h0
        return mpmath.mpf(1) if x > 0 else mpmath.mpf(0)

    namespace: dict[str, Callable] = {cls.__name__: cls.mpmath_impl for cls in PRIMITIVES.values()}
    namespace.update(
        log1p=mpmath.log1p,
        expm1=mpmath.expm1,
        Heaviside=heaviside,
        sign=mpmath.sign,
    )
    return namespace


class xlogy(sp.Function):
    """x·log(y), defined as 0 where x = 0 (so 0·log 0 = 0, as scipy.special.xlogy and torch)."""

    nargs = 2
    argument_domains = ((0.0, math.inf), (0.0, math.inf))

    def fdiff(self, argindex=1):
        x, y = self.args
        return sp.log(y) if argindex == 1 else x / y

    @classmethod
    def definition(cls, x, y):
        return x * sp.log(y)

    @classmethod
    def stable_form(cls, x, y):
        return sp.Piecewise((0, sp.Eq(x, 0)), (x * sp.log(y), True))

    @staticmethod
    def mpmath_impl(x, y):
        return mpmath.mpf(0) if x == 0 else x * mpmath.log(y)

    def _eval_is_real(self):
        return None

    def _latex(self, printer):
        x, y = (printer._print(a) for a in self.args)
        return rf"\operatorname{{xlogy}}\left({x}, {y}\right)"


PRIMITIVES["xlogy"] = xlogy
SPEC_FUNCTIONS["xlogy"] = xlogy


#: Terms of the series S(y) = Σ_k y^k/(2k + 3) that log1pmx uses for |x| < 1/2, where y ≤ 1/25: 30 terms leave
#: a relative truncation error below 1e-42, so the lowered form equals the definition to the 40 digits the tests
#: check programs to (16 would do for float64).
_LOG1PMX_TERMS = 30


class log1pmx(StablePrimitive):
    """log(1 + x) − x for x > −1, without the cancellation of log1p(x) − x for small |x|.

    Lowered as in R's ``log1pmx``: for |x| < 1/2, with r = x/(2 + x) and y = r²,
    log(1 + x) − x = r·(2y·S(y) − x), S(y) = Σ_k y^k/(2k + 3) (a sum of positive terms, y ≤ 1/25);
    elsewhere log1p(x) − x loses at most a few ulps. Its derivative −x/(1 + x) is exact.
    """

    latex_name = "log1pmx"
    argument_domains = ((-0.75, math.inf),)

    def fdiff(self, argindex=1):
        x = self.args[0]
        return -x / (1 + x)

    @classmethod
    def definition(cls, x):
        return sp.log(1 + x) - x

    @classmethod
    def stable_form(cls, x):
        r = x / (2 + x)
        y = r**2
        series = sp.S.Zero
        for k in reversed(range(_LOG1PMX_TERMS)):  # Horner
            series = series * y + sp.Rational(1, 2 * k + 3)
        return sp.Piecewise((r * (2 * y * series - x), sp.Abs(x) < sp.S.Half), (log1p(x) - x, True))

    @staticmethod
    def mpmath_impl(x):
        # log1p(x) − x cancels for |x| << 1: work with the precision plus the bits it loses.
        extra = int(max(0, -mpmath.log(abs(x), 2))) + 10 if x else 0
        with mpmath.extraprec(extra):
            return mpmath.log1p(x) - x

    def _eval_is_real(self):
        return None


PRIMITIVES["log1pmx"] = log1pmx
SPEC_FUNCTIONS["log1pmx"] = log1pmx


class xexpy(sp.Function):
    """x·e^y for x ≥ 0, finite wherever the product is, and 0 where x = 0 (even where e^y overflows).

    x·e^y overflows in e^y for y > 709.78 although the product may be finite for small x (the gamma
    NLL's y·e^(−x) at x = −1000, y = 1e-300 is 2e134), and 0·e^y is NaN there. Opaque to the
    simplifier: SymPy merges y·e^(−x) and e^x into e^((1 − ρ)x)·(e^x − y), which overflows in e^x.
    Lowered as x·exp(y) for |y| < 700 and exp(max(log(x), −800) + y) beyond, whose error (about |y|
    ulps) is that of rounding y itself. The max is exact (log x > −745 for every positive float x) and
    keeps SymPy from turning exp(log(x) + y) back into x·exp(y).
    """

    nargs = 2
    #: The direct form x·exp(y) is accurate to an ulp or two for |y| < 700; beyond, the product's own
    #: condition number |y| sets the accuracy (tested through the losses that use it).
    argument_domains = ((0.0, math.inf), (-700.0, 700.0))

    def fdiff(self, argindex=1):
        x, y = self.args
        return sp.exp(y) if argindex == 1 else self

    @classmethod
    def definition(cls, x, y):
        return x * sp.exp(y)

    @classmethod
    def stable_form(cls, x, y):
        far = sp.exp(sp.Max(sp.log(x), -800) + y)
        return sp.Piecewise((0, sp.Eq(x, 0)), (x * sp.exp(y), sp.Abs(y) < 700), (far, True))

    @staticmethod
    def mpmath_impl(x, y):
        return mpmath.mpf(0) if x == 0 else x * mpmath.exp(y)

    def _eval_is_real(self):
        return None

    def _latex(self, printer, exp=None):
        x, y = (printer._print(a) for a in self.args)
        tex = rf"\operatorname{{xexpy}}\left({x}, {y}\right)"
        return tex if exp is None else rf"{tex}^{{{exp}}}"


PRIMITIVES["xexpy"] = xexpy
SPEC_FUNCTIONS["xexpy"] = xexpy


class kl_bernoulli_half(StablePrimitive):
    """KL(Bernoulli(σ(d)) ‖ Bernoulli(½)) = log 2 − H(σ(d)) = (d/2)·tanh(d/2) − log cosh(d/2), even in d.

    The Jensen-Shannon divergence of p and q = p·e^d is Σ ((p + q)/2)·kl_bernoulli_half(d) over classes: a
    product per class, where ½[p·log(2p/(p + q)) + q·log(2q/(p + q))] cancels to second order near q = p. Its
    derivative is d·σ(d)·σ(−d). Lowered as (d/2)·tanh(d/2) − log1p(2 sinh²(d/4)) for |d| < 2 (the two terms
    differ by a factor of about 2, no cancellation) and log 2 − log1p(e^−|d|) − |d|·e^−|d|/(1 + e^−|d|) beyond.
    """

    latex_name = "kl_{1/2}"

    def fdiff(self, argindex=1):
        d = self.args[0]
        return d * sigmoid(d) * sigmoid(-d)

    @classmethod
    def definition(cls, x):
        # log 2 − H(σ(x)); SymPy's derivative of this form stays accurate at |x| ~ 745 (that of tanh does not).
        s, t = 1 / (1 + sp.exp(-x)), 1 / (1 + sp.exp(x))  # σ(x) and σ(−x) = 1 − σ(x)
        return sp.log(2) + s * sp.log(s) + t * sp.log(t)

    @classmethod
    def stable_form(cls, x):
        e = sp.exp(-sp.Abs(x))
        return sp.Piecewise(
            (x / 2 * sp.tanh(x / 2) - log1p(2 * sp.sinh(x / 4) ** 2), sp.Abs(x) < 2),
            (sp.log(2) - log1p(e) - sp.Abs(x) * e / (1 + e), True),
        )

    @staticmethod
    def mpmath_impl(x):
        # The two terms cancel to second order for |x| << 1: the working precision plus the bits lost.
        extra = 2 * int(max(0, -mpmath.log(abs(x), 2))) + 10 if x else 0
        with mpmath.extraprec(extra):
            return x / 2 * mpmath.tanh(x / 2) - mpmath.log(mpmath.cosh(x / 2))

    def _eval_is_nonnegative(self):
        return self.args[0].is_real


PRIMITIVES["kl_bernoulli_half"] = kl_bernoulli_half
SPEC_FUNCTIONS["kl_bernoulli_half"] = kl_bernoulli_half


# ---------------------------------------------------------------------------------------------
# Row reductions (shape "rowwise"): in a row-wise spec, a vector input stands for its element k;
# a reduction over the class axis turns an element expression into a row scalar.


class RowReduction(sp.Function):
    """A reduction over the class axis of an element expression (a row scalar)."""

    nargs = 1
    kind: str = ""

    def _eval_is_real(self):
        return True


class RowSum(RowReduction):
    """Σ_k u_k."""

    kind = "sum"

    def _latex(self, printer):
        return rf"\sum_{{k}} \left({printer._print(self.args[0])}\right)"


class RowLogSumExp(RowReduction):
    """log Σ_k e^{u_k}, evaluated with a running maximum (never overflows)."""

    kind = "logsumexp"

    def _latex(self, printer):
        return rf"\operatorname{{logsumexp}}_{{k}} \left({printer._print(self.args[0])}\right)"


class RowMax(RowReduction):
    """max_k u_k. Its derivative is the indicator of the maximal classes divided by their number
    (at a tie, the mean of the one-sided derivatives, as Heaviside(0) = 1/2 for two)."""

    kind = "max"

    def _latex(self, printer):
        return rf"\max_{{k}} \left({printer._print(self.args[0])}\right)"


def row_functions(element_symbols: set[sp.Symbol], classes: sp.Symbol) -> dict[str, Callable]:
    """The functions a row-wise spec may use besides :data:`SPEC_FUNCTIONS`.

    ``element_symbols`` may grow after this call (vector intermediates are added as they are read).
    """

    def row_sum(u):
        return normalize_reduction(RowSum(u), element_symbols, classes)

    def logsumexp(u):
        return normalize_reduction(RowLogSumExp(u), element_symbols, classes)

    return {
        "sum": row_sum,
        "mean": lambda u: row_sum(u) / classes,
        "logsumexp": logsumexp,
        "rowmax": lambda u: normalize_reduction(RowMax(u), element_symbols, classes),
        "log_softmax": lambda u: u - logsumexp(u),
        "softmax": lambda u: sp.exp(u - logsumexp(u)),
    }


def is_row_scalar(expr: sp.Expr, element_symbols) -> bool:
    """True if ``expr`` does not depend on any element outside a reduction."""
    stripped = expr.replace(lambda e: isinstance(e, RowReduction), lambda e: sp.S.One)
    return not (stripped.free_symbols & element_symbols)


def normalize_reduction(node: RowReduction, element_symbols, classes: sp.Symbol) -> sp.Expr:
    """Pull row scalars out of a reduction, so fewer reductions depend on others (fewer passes).

    Σ_k (a·u_k + b·v_k + c) = a·Σu + b·Σv + c·K and logsumexp(u + c) = logsumexp(u) + c for row
    scalars a, b, c. Known cost (issue notes): softmax cross-entropy becomes logsumexp(z)·Σq − Σq·z,
    whose rounding at |logits| ≥ 1e3 is ulp(max logit) absolute; PyTorch keeps z − max exact there.
    The fix is to carry log-sum-exp as (max, log Σ e^(u − max)) and form u − max first.
    """
    (arg,) = node.args
    if isinstance(node, RowSum):
        total = sp.S.Zero
        for term in sp.Add.make_args(sp.expand_mul(arg)):
            scalar = [f for f in sp.Mul.make_args(term) if is_row_scalar(f, element_symbols)]
            element = [f for f in sp.Mul.make_args(term) if not is_row_scalar(f, element_symbols)]
            coefficient = sp.Mul(*scalar)
            total += coefficient * (RowSum(sp.Mul(*element)) if element else classes)
        return total
    if isinstance(node, (RowLogSumExp, RowMax)):
        scalar = [t for t in sp.Add.make_args(arg) if is_row_scalar(t, element_symbols)]
        element = [t for t in sp.Add.make_args(arg) if not is_row_scalar(t, element_symbols)]
        if not element:
            return sp.Add(*scalar) + (sp.log(classes) if isinstance(node, RowLogSumExp) else 0)
        return type(node)(sp.Add(*element)) + sp.Add(*scalar)
    return node
