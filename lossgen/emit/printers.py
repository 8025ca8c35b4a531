"""Code printers: subclasses of SymPy's printers that override only what each backend needs.

They print :class:`~lossgen.derive.Program` expressions, which contain only elementary
functions, ``Piecewise``, ``Max``/``Min``, ``Abs`` and ``log1p``/``expm1``. Primitives and
sign/Heaviside have already been lowered to those by :func:`lossgen.primitives.lower_primitives`.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.pycode import PythonCodePrinter


def _float_literal(value: sp.Rational | sp.Float) -> str:
    """A float literal; rationals that are not dyadic print as a division folded at compile time."""
    if isinstance(value, sp.Rational) and not isinstance(value, sp.Integer):
        p, q = int(value.p), int(value.q)
        if q & (q - 1) == 0:  # a power of two: the float is exact
            return repr(p / q)
        return f"({p}.0 / {q}.0)"
    return repr(float(value))


def _exp_of_nonpositive(expr: sp.Expr) -> bool:
    """Whether ``expr`` is e^a with a ≤ 0 by SymPy's assumptions (e^(−|x|)): in [0, 1], or NaN."""
    return isinstance(expr, sp.exp) and expr.args[0].is_nonpositive is True


def unit_interval_temporaries(assignments) -> frozenset[sp.Symbol]:
    """The temporaries of a program's ``(symbol, value)`` assignments whose values lie in [0, 1] or
    are NaN, as far as the form of their definition proves it: e^a with a ≤ 0."""
    return frozenset(symbol for symbol, value in assignments if _exp_of_nonpositive(value))


class ScalarPrinter(PythonCodePrinter):
    """Scalar Python for the bodies of Numba loops: ``math.*`` and conditional expressions.

    ``lambdify``'s NumPy output (``numpy.select``, ``functools.reduce``) does not compile under
    Numba; plain scalar code does, and LLVM turns simple conditionals into selects.
    """

    def __init__(self, settings=None, unit_interval: frozenset[sp.Symbol] = frozenset()):
        super().__init__({"standard": "python3", **(settings or {})})
        #: temporaries whose values lie in [0, 1] or are NaN (see :func:`unit_interval_temporaries`)
        self.unit_interval = unit_interval

    def _print_Piecewise(self, expr):
        *pieces, (last_value, last_cond) = expr.args
        result = self._print(last_value) if last_cond == sp.true else self._print(sp.nan)
        if last_cond != sp.true:
            pieces = [*pieces, (last_value, last_cond)]
        for value, cond in reversed(pieces):
            result = f"({self._print(value)} if {self._print(cond)} else {result})"
        return result

    def _print_NaN(self, expr):
        return "math.nan"

    def _print_minmax(self, expr, name):
        args = [self._print(a) for a in expr.args]
        result = args[0]
        for a in args[1:]:
            result = f"{name}({result}, {a})"
        return result

    def _print_Max(self, expr):
        return self._print_minmax(expr, "max")

    def _print_Min(self, expr):
        return self._print_minmax(expr, "min")

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    def _print_Rational(self, expr):
        return _float_literal(expr)

    def _print_Half(self, expr):
        return "0.5"

    def _print_Integer(self, expr):
        return f"{int(expr)}"

    def _print_Float(self, expr):
        return _float_literal(expr)

    # exp, expm1, log and log1p of a variable go to the vectorizable versions defined in each generated
    # Numba module (util.jinja); of a number, to math.* (folded at compile time).
    def _print_exp(self, expr):
        arg = expr.args[0]
        return f"math.exp({self._print(arg)})" if arg.is_number else f"_exp({self._print(arg)})"

    def _print_log(self, expr):
        arg = expr.args[0]
        return f"math.log({self._print(arg)})" if arg.is_number else f"_log({self._print(arg)})"

    def _print_log1p(self, expr):
        arg = expr.args[0]
        if arg.is_number:
            return f"math.log1p({self._print(arg)})"
        # Of a value in [0, 1] (or NaN): the generated log1p without its selects for arguments
        # outside (u < -1, u = -1, u = inf, 1 + u rounding to 0); the same values there.
        helper = "_log1p_unit" if arg in self.unit_interval or _exp_of_nonpositive(arg) else "_log1p"
        return f"{helper}({self._print(arg)})"

    def _print_expm1(self, expr):
        arg = expr.args[0]
        return f"math.expm1({self._print(arg)})" if arg.is_number else f"_expm1({self._print(arg)})"

    def _print_BooleanTrue(self, expr):
        return "True"

    def _print_BooleanFalse(self, expr):
        return "False"

    def _module_format(self, fqn, register=True):
        # Always 'math.exp', never a bare 'exp' or an import alias.
        return fqn


class Float32ScalarPrinter(ScalarPrinter):
    """Scalar Python whose arithmetic stays in float32 under Numba, for float32 kernels.

    Numba types a Python literal as float64 (or int64), and float32 combined with either is
    float64, so every number is printed as an ``np.float32`` constant, rounded once from its
    float64 value. Integer exponents stay integers: ``x**2`` of a float32 is float32, while
    ``x**np.float32(2)`` would call ``powf``.
    """

    def __init__(self, settings=None, unit_interval: frozenset[sp.Symbol] = frozenset()):
        super().__init__(settings, unit_interval)
        self._float64 = ScalarPrinter(settings)

    def _print(self, expr, **kwargs):
        if isinstance(expr, sp.Expr) and expr.is_number:
            return f"np.float32({self._float64.doprint(expr)})"
        return super()._print(expr, **kwargs)

    def _print_Pow(self, expr, rational=False):
        base, exponent = expr.base, expr.exp
        if exponent == sp.S.Half:
            return f"math.sqrt({self._print(base)})"
        if exponent == -sp.S.Half:
            return f"(np.float32(1.0)/math.sqrt({self._print(base)}))"
        if exponent == -1:
            return f"(np.float32(1.0)/{self.parenthesize(base, sp.printing.precedence.PRECEDENCE['Pow'])})"
        precedence = sp.printing.precedence.PRECEDENCE["Pow"]
        power = f"{int(exponent)}" if exponent.is_Integer else self.parenthesize(exponent, precedence)
        if exponent.is_Integer and int(exponent) < 0:
            power = f"({power})"
        return f"{self.parenthesize(base, precedence)}**{power}"


class VectorPrinter(NumPyPrinter):
    """Vectorized NumPy: ``np.where`` for Piecewise, ``np.maximum`` for Max (broadcasting)."""

    def __init__(self, settings=None):
        super().__init__({"fully_qualified_modules": True, **(settings or {})})

    def _module_format(self, fqn, register=True):
        return "np." + fqn[len("numpy.") :] if fqn.startswith("numpy.") else fqn

    def _print_Piecewise(self, expr):
        *pieces, (last_value, last_cond) = expr.args
        result = self._print(last_value) if last_cond == sp.true else "np.nan"
        if last_cond != sp.true:
            pieces = [*pieces, (last_value, last_cond)]
        for value, cond in reversed(pieces):
            result = f"np.where({self._print(cond)}, {self._print(value)}, {result})"
        return result

    def _print_minmax(self, expr, name):
        args = [self._print(a) for a in expr.args]
        result = args[0]
        for a in args[1:]:
            result = f"{name}({result}, {a})"
        return result

    def _print_Max(self, expr):
        return self._print_minmax(expr, "np.maximum")

    def _print_Min(self, expr):
        return self._print_minmax(expr, "np.minimum")

    def _print_Rational(self, expr):
        return _float_literal(expr)

    def _print_Half(self, expr):
        return "0.5"

    def _print_Integer(self, expr):
        return f"{int(expr)}"

    def _print_Float(self, expr):
        return _float_literal(expr)

    def _print_Pow(self, expr, rational=False):
        if expr.exp == -1:
            return f"1/{self.parenthesize(expr.base, 1000)}"
        return super()._print_Pow(expr, rational=rational)

    def _print_And(self, expr):
        return "(" + " & ".join(self._print(a) for a in expr.args) + ")"

    def _print_Or(self, expr):
        return "(" + " | ".join(self._print(a) for a in expr.args) + ")"

    def _print_Not(self, expr):
        return f"(~{self._print(expr.args[0])})"


class LossLatexPrinter(LatexPrinter):
    """LaTeX with the spec's symbols (``\\hat{y}``, ``\\delta``) and primitives as operators."""

    def __init__(self, symbol_latex: Mapping[str, str], settings=None):
        super().__init__({"symbol_names": {}, **(settings or {})})
        self.symbol_latex = dict(symbol_latex)

    def _print_Symbol(self, expr, style="plain"):
        if expr.name in self.symbol_latex:
            return self.symbol_latex[expr.name]
        return super()._print_Symbol(expr, style=style)

    def _print_log1p(self, expr, exp=None):
        text = rf"\log\left(1 + {self._print(expr.args[0])}\right)"
        return text if exp is None else rf"{text}^{{{exp}}}"

    def _print_expm1(self, expr, exp=None):
        text = rf"\left(e^{{{self._print(expr.args[0])}}} - 1\right)"
        return text if exp is None else rf"{text}^{{{exp}}}"

    def _print_Heaviside(self, expr, exp=None):
        text = rf"H\left({self._print(expr.args[0])}\right)"
        return text if exp is None else rf"{text}^{{{exp}}}"

    def _print_Function(self, expr, exp=None):
        latex_name = getattr(type(expr), "latex_name", "")
        if latex_name:
            text = rf"\operatorname{{{latex_name}}}\left({self._print(expr.args[0])}\right)"
            return text if exp is None else rf"{text}^{{{exp}}}"
        return super()._print_Function(expr, exp=exp)
