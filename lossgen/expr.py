"""Safe parsing of spec expressions into SymPy objects.

Spec files are data: an expression string is parsed with :func:`ast.parse` and only a whitelist
of node types, operators, names and functions is turned into SymPy objects. Nothing is ever
passed to ``eval``, ``exec`` or ``sympify`` (which calls ``eval``), so a spec such as
``loss = "__import__('os').system('...')"`` is rejected before anything runs.

Grammar (Python syntax): numbers, the declared symbols, ``pi``, ``E``, ``+ - * / **``, unary
``-``/``+``, calls of the functions in :data:`lossgen.primitives.SPEC_FUNCTIONS`, comparisons
(``<``, ``<=``, ``>``, ``>=``, ``==``, ``!=``, also chained), ``and``/``or``/``not`` inside
conditions, ``where(cond, a, b)`` and ``Piecewise((a, cond), ..., (b, True))``.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping

import sympy as sp

from .errors import SpecError

_BINARY_OPS: dict[type[ast.operator], Callable[[sp.Expr, sp.Expr], sp.Expr]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}

_COMPARISONS: dict[type[ast.cmpop], Callable[[sp.Expr, sp.Expr], sp.Basic]] = {
    ast.Lt: sp.Lt,
    ast.LtE: sp.Le,
    ast.Gt: sp.Gt,
    ast.GtE: sp.Ge,
    ast.Eq: sp.Eq,
    ast.NotEq: sp.Ne,
}

_CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "E": sp.E}

#: Names a spec may not use for its own symbols (they mean something in expressions).
RESERVED_NAMES = frozenset(_CONSTANTS) | {"where", "Piecewise", "True", "False"}


class ExpressionParser:
    """Turns expression strings of one spec field into SymPy, reporting errors against it."""

    def __init__(
        self,
        symbols: Mapping[str, sp.Expr],
        functions: Mapping[str, Callable[..., sp.Expr]],
        path: str,
    ):
        self.symbols = dict(symbols)
        self.functions = dict(functions)
        self.path = path

    def parse(self, text: object, field: str) -> sp.Expr:
        """Parse ``text`` (the value of ``field``) into a SymPy expression or raise SpecError."""
        if isinstance(text, bool) or not isinstance(text, (str, int, float)):
            raise SpecError(self.path, field, f"expected an expression string, got {type(text).__name__}")
        if isinstance(text, (int, float)):
            text = repr(text)
        if not text.strip():
            raise SpecError(self.path, field, "expression is empty")
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as exc:
            # Python reports 0 for an unexpected end of input: point just past the text.
            column = exc.offset if exc.offset else len(text.strip()) + 1
            raise SpecError(self.path, field, f"syntax error at column {column}: {exc.msg}") from None
        converter = _Converter(self, field)
        return converter.expr(tree.body)


class _Converter:
    def __init__(self, parser: ExpressionParser, field: str):
        self.parser = parser
        self.field = field

    def fail(self, node: ast.AST, message: str) -> SpecError:
        column = getattr(node, "col_offset", None)
        where = f" (column {column + 1})" if column is not None else ""
        return SpecError(self.parser.path, self.field, message + where)

    def visit(self, node: ast.AST) -> sp.Basic:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise self.fail(node, f"'{type(node).__name__}' is not allowed in an expression")
        return method(node)

    def visit_Constant(self, node: ast.Constant) -> sp.Basic:
        value = node.value
        if isinstance(value, bool):
            return sp.true if value else sp.false
        if isinstance(value, int):
            return sp.Integer(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise self.fail(node, "non-finite number")
            # A decimal literal means its decimal value: 0.1 is 1/10, not the nearest double.
            return sp.Rational(repr(value))
        raise self.fail(node, f"constant {value!r} is not a number")

    def visit_Name(self, node: ast.Name) -> sp.Basic:
        if node.id in self.parser.symbols:
            return self.parser.symbols[node.id]
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        if node.id in self.parser.functions or node.id in ("where", "Piecewise"):
            raise self.fail(node, f"function '{node.id}' must be called")
        known = ", ".join(sorted(self.parser.symbols)) or "none"
        raise self.fail(node, f"unknown symbol '{node.id}' (known: {known})")

    def visit_BinOp(self, node: ast.BinOp) -> sp.Basic:
        op = _BINARY_OPS.get(type(node.op))
        if op is None:
            raise self.fail(node, f"operator '{type(node.op).__name__}' is not allowed")
        return op(self.expr(node.left), self.expr(node.right))

    def visit_UnaryOp(self, node: ast.UnaryOp) -> sp.Basic:
        if isinstance(node.op, ast.USub):
            return -self.expr(node.operand)
        if isinstance(node.op, ast.UAdd):
            return self.expr(node.operand)
        if isinstance(node.op, ast.Not):
            return sp.Not(self.condition(node.operand))
        raise self.fail(node, f"operator '{type(node.op).__name__}' is not allowed")

    def visit_Compare(self, node: ast.Compare) -> sp.Basic:
        terms = [self.expr(node.left)] + [self.expr(c) for c in node.comparators]
        parts = []
        for op, left, right in zip(node.ops, terms, terms[1:]):
            relation = _COMPARISONS.get(type(op))
            if relation is None:
                raise self.fail(node, f"comparison '{type(op).__name__}' is not allowed")
            parts.append(relation(left, right))
        return sp.And(*parts) if len(parts) > 1 else parts[0]

    def visit_BoolOp(self, node: ast.BoolOp) -> sp.Basic:
        values = [self.condition(v) for v in node.values]
        return sp.And(*values) if isinstance(node.op, ast.And) else sp.Or(*values)

    def visit_Call(self, node: ast.Call) -> sp.Basic:
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, "only plain function names may be called (no attributes)")
        name = node.func.id
        if node.keywords:
            raise self.fail(node, f"'{name}' takes positional arguments only")
        if name == "where":
            if len(node.args) != 3:
                raise self.fail(node, "where(condition, value_if_true, value_if_false) takes 3 arguments")
            cond, a, b = node.args
            return sp.Piecewise((self.expr(a), self.condition(cond)), (self.expr(b), True))
        if name == "Piecewise":
            return self.piecewise(node)
        function = self.parser.functions.get(name)
        if function is None:
            known = ", ".join(sorted([*self.parser.functions, "where", "Piecewise"]))
            raise self.fail(node, f"unknown function '{name}' (known: {known})")
        args = [self.expr(a) for a in node.args]
        try:
            return function(*args)
        except (TypeError, ValueError) as exc:
            raise self.fail(node, f"bad arguments to '{name}': {exc}") from None

    def piecewise(self, node: ast.Call) -> sp.Basic:
        pieces = []
        for arg in node.args:
            if not isinstance(arg, ast.Tuple) or len(arg.elts) != 2:
                raise self.fail(arg, "Piecewise takes (value, condition) pairs")
            value, cond = arg.elts
            pieces.append((self.expr(value), self.condition(cond)))
        if not pieces:
            raise self.fail(node, "Piecewise needs at least one (value, condition) pair")
        if pieces[-1][1] is not sp.true:
            raise self.fail(node, "the last Piecewise pair must have the condition True")
        return sp.Piecewise(*pieces)

    def expr(self, node: ast.AST) -> sp.Expr:
        value = self.visit(node)
        if not isinstance(value, sp.Expr):
            raise self.fail(node, "a condition is used where a value is expected")
        return value

    def condition(self, node: ast.AST) -> sp.Basic:
        value = self.visit(node)
        if isinstance(value, sp.Expr) or value is None:
            raise self.fail(node, "a value is used where a condition is expected")
        return value
