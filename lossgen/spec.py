"""Stage 1 of the pipeline: spec files (TOML) → validated, immutable :class:`Spec` objects.

A spec is data. It is read with :mod:`tomllib` and its expressions are parsed by the
whitelisting parser in :mod:`lossgen.expr`; nothing in a spec is ever executed. Every error
raised here is a :class:`~lossgen.errors.SpecError` naming the file, the field and the problem.
"""

from __future__ import annotations

import hashlib
import keyword
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from .domains import DOMAINS, Domain
from .errors import SpecError
from .expr import RESERVED_NAMES, ExpressionParser
from .primitives import SPEC_FUNCTIONS, is_row_scalar, row_functions

#: Shapes a loss may have: a loss per element, or a loss per row reducing over the last axis.
SHAPES = ("elementwise", "rowwise")
ROLES = ("prediction", "target", "weight", "auxiliary")
#: Kinds of input of a row-wise loss: a row of K values, or one class index per row.
KINDS = ("vector", "label")
#: The number of classes K, a symbol every row-wise expression may use.
CLASSES = sp.Symbol("K", positive=True, integer=True)


#: Styles of library equivalents. The test suite has one adapter per style; "composed" rows (a
#: composition of library calls, e.g. kl_div of log_softmax) each have a dedicated test in
#: tests/test_composed_equivalents.py; "documented" rows
#: are stated by the library's documentation and not executed (the library is not installable).
EQUIVALENT_STYLES = ("torch", "scipy", "sklearn", "xgboost", "optax", "documented", "composed")
#: What a library call returns with its default arguments (the ``reduction`` of an equivalent).
#: "mean_over_elements" (row-wise losses): the sum over rows divided by the number of elements
#: N·K, as PyTorch's kl_div with its default reduction="mean" (its "batchmean" is lossgen's mean).
EQUIVALENT_REDUCTIONS = ("mean", "sum", "none", "mean_over_elements")
#: Quantities an equivalent's ``examples`` may state.
EXAMPLE_QUANTITIES = ("loss", "grad", "hess")
_EQUIVALENT_KEYS = {
    "library", "function", "style", "args", "kwargs", "scale", "note",
    "reduction", "differences", "hessian_differs_at", "examples",
}  # fmt: skip

_LOSS_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SYMBOL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: Names that would shadow something in generated code or in the kernel API.
_RESERVED_SYMBOLS = (
    frozenset(keyword.kwlist)
    | RESERVED_NAMES
    | frozenset(SPEC_FUNCTIONS)
    | {"math", "np", "numba", "float", "range", "int", "len"}
)
_RESERVED_PARAMS = frozenset({"reduction", "weight", "out", "y_pred", "y_true", "self"})

_TOP_LEVEL_KEYS = {
    "name", "title", "summary", "shape", "loss", "inputs", "params", "intermediates",
    "conventions", "references", "equivalents",
}  # fmt: skip


@dataclass(frozen=True)
class InputSpec:
    """An array argument of the loss."""

    name: str
    role: str
    domain: Domain
    latex: str
    description: str
    symbol: sp.Symbol
    #: "element" for element-wise losses; "vector" or "label" (a class index) for row-wise ones.
    kind: str = "element"
    #: For a label: the parameter holding the index of rows to ignore (PyTorch's ignore_index).
    ignore: str | None = None


@dataclass(frozen=True)
class ParamSpec:
    """A scalar parameter with a default, passed to kernels as a keyword argument."""

    name: str
    default: float
    domain: Domain
    latex: str
    description: str
    symbol: sp.Symbol


@dataclass(frozen=True)
class Intermediate:
    """A named subexpression (e.g. r = y_pred - y_true), in terms of earlier names."""

    name: str
    text: str
    latex: str
    symbol: sp.Symbol
    expr: sp.Expr


@dataclass(frozen=True)
class Reference:
    title: str
    url: str


@dataclass(frozen=True)
class EquivalentExample:
    """A value a library returns at one point: its ``quantity`` (loss, grad or hess) there is ``theirs``.

    ``point`` gives the prediction and the target, and optionally parameters (the others take their defaults).
    ``theirs`` is the library's own value, before the equivalent's ``scale``.
    """

    quantity: str
    point: tuple[tuple[str, float], ...]
    theirs: float


@dataclass(frozen=True)
class Equivalent:
    """The same loss in another library: ``ours = scale * theirs`` (per element).

    ``args`` are our input, parameter or intermediate names passed positionally; ``kwargs`` maps the library's
    keyword names to expressions in our parameters.
    """

    library: str
    function: str
    style: str
    args: tuple[str, ...]
    kwargs: tuple[tuple[str, str], ...]
    scale: str
    note: str
    #: What a call with the library's default arguments returns: "mean" (over all elements), "sum" or "none"
    #: (per element); "" when not stated. Checked by tests/test_equivalent_claims.py for executed styles.
    reduction: str = ""
    #: Prose for the reference sheet: how the library's derivatives, conventions or accuracy differ from ours.
    differences: str = ""
    #: A condition over our names where the library's Hessian differs from ours ("abs(r) == delta"); "" for nowhere.
    hessian_differs_at: str = ""
    #: Values the library returns at given points (where it differs from ours), checked by the tests.
    examples: tuple[EquivalentExample, ...] = ()

    @property
    def call(self) -> str:
        """The call as a user would write it."""
        parts = list(self.args) + [f"{k}={v}" for k, v in self.kwargs]
        if self.style == "xgboost":
            params = ", ".join([f"'objective': '{self.function}'"] + [f"'{k}': {v}" for k, v in self.kwargs])
            return "xgboost.train({" + params + "}, ...)"
        return f"{self.function}({', '.join(parts)})"


@dataclass(frozen=True)
class Spec:
    """A validated loss specification. Expressions are SymPy objects built without eval."""

    path: str
    name: str
    title: str
    summary: str
    shape: str
    loss_text: str
    inputs: tuple[InputSpec, ...]
    params: tuple[ParamSpec, ...]
    intermediates: tuple[Intermediate, ...]
    loss: sp.Expr
    conventions: tuple[str, ...]
    references: tuple[Reference, ...]
    equivalents: tuple[Equivalent, ...]
    sha256: str

    def input(self, role: str) -> InputSpec | None:
        """The input with ``role``, or None."""
        return next((i for i in self.inputs if i.role == role), None)

    @property
    def prediction(self) -> InputSpec:
        return next(i for i in self.inputs if i.role == "prediction")

    @property
    def target(self) -> InputSpec:
        return next(i for i in self.inputs if i.role == "target")

    @property
    def weight(self) -> InputSpec | None:
        return self.input("weight")

    @property
    def auxiliary(self) -> tuple[InputSpec, ...]:
        """Further array inputs (e.g. a variance), passed to kernels by name; not differentiated."""
        return tuple(i for i in self.inputs if i.role == "auxiliary")

    @property
    def rowwise(self) -> bool:
        return self.shape == "rowwise"

    @property
    def element_symbols(self) -> frozenset[sp.Symbol]:
        """Symbols standing for "element k" of a row (row-wise specs): vector inputs and intermediates."""
        if not self.rowwise:
            return frozenset()
        symbols = {i.symbol for i in self.inputs if i.kind in ("vector", "label")}
        for inter in self.intermediates:
            if not is_row_scalar(inter.expr.subs({m.symbol: m.expr for m in self.intermediates}), frozenset(symbols)):
                symbols.add(inter.symbol)
        return frozenset(symbols)

    def expanded_loss(self) -> sp.Expr:
        """The loss with every intermediate substituted: a function of inputs and params only."""
        expr = self.loss
        for inter in reversed(self.intermediates):
            expr = expr.subs(inter.symbol, inter.expr)
        return expr


def spec_sha256(path: Path) -> str:
    """Hash of a spec file's bytes (what generated files record to detect staleness)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_spec(path: str | Path, label: str | None = None) -> Spec:
    """Read and validate one spec file. Raises SpecError naming the file (as ``label``) and field."""
    path = Path(path)
    label = label or str(path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise SpecError(label, "<file>", f"cannot read: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw_bytes.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SpecError(label, "<file>", f"invalid TOML: {exc}") from None
    return _SpecReader(label, path.stem, data, hashlib.sha256(raw_bytes).hexdigest()).read()


class _SpecReader:
    def __init__(self, label: str, stem: str, data: dict, sha256: str):
        self.label = label
        self.stem = stem
        self.data = data
        self.sha256 = sha256
        self.names: dict[str, str] = {}  # symbol name -> field that declared it

    def fail(self, field: str, message: str) -> SpecError:
        return SpecError(self.label, field, message)

    def string(self, table: Mapping, key: str, field: str, *, required: bool = True, default: str = "") -> str:
        if key not in table:
            if required:
                raise self.fail(field, "missing (required)")
            return default
        value = table[key]
        if not isinstance(value, str):
            raise self.fail(field, f"expected a string, got {type(value).__name__}")
        if required and not value.strip():
            raise self.fail(field, "must not be empty")
        return value.strip()

    def table(self, key: str) -> Mapping:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table, got {type(value).__name__}")
        return value

    def array_of_tables(self, key: str) -> list[dict]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, "expected an array of tables ([[" + key + "]])")
        return value

    def check_keys(self, table: Mapping, allowed: set[str], field: str) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.fail(f"{field}.{unknown[0]}", f"unknown key (allowed: {', '.join(sorted(allowed))})")

    def declare(self, name: str, field: str, *, reserved: frozenset[str] = _RESERVED_SYMBOLS) -> None:
        if not _SYMBOL_NAME.match(name):
            raise self.fail(field, f"'{name}' is not a valid name (letters, digits, '_'; starts with a letter)")
        if name in reserved:
            raise self.fail(field, f"'{name}' is a reserved name")
        if name in self.names:
            raise self.fail(field, f"duplicate name '{name}' (already declared in {self.names[name]})")
        self.names[name] = field

    def domain(self, table: Mapping, field: str, default: str) -> Domain:
        name = self.string(table, "domain", f"{field}.domain", required=False, default=default)
        if name not in DOMAINS:
            raise self.fail(f"{field}.domain", f"bad domain '{name}' (known: {', '.join(DOMAINS)})")
        return DOMAINS[name]

    def read(self) -> Spec:
        data = self.data
        self.check_keys(data, _TOP_LEVEL_KEYS, "<top level>")
        name = self.string(data, "name", "name")
        if not _LOSS_NAME.match(name):
            raise self.fail("name", f"'{name}' must be lowercase letters, digits and '_', starting with a letter")
        if name != self.stem:
            raise self.fail("name", f"'{name}' must equal the file name '{self.stem}'")
        title = self.string(data, "title", "title")
        summary = " ".join(self.string(data, "summary", "summary").split())
        shape = self.string(data, "shape", "shape", required=False, default="elementwise")
        if shape not in SHAPES:
            raise self.fail("shape", f"unsupported shape '{shape}' (supported: {', '.join(SHAPES)})")

        inputs = self.read_inputs(shape)
        params = self.read_params()
        self.check_ignore(inputs, params)
        symbols: dict[str, sp.Expr] = {i.name: i.symbol for i in inputs}
        symbols.update({p.name: p.symbol for p in params if p.domain.name != "integer"})
        functions = dict(SPEC_FUNCTIONS)
        if shape == "rowwise":
            if "K" in self.names:
                raise self.fail(self.names["K"], "'K' is the number of classes in a rowwise spec")
            symbols["K"] = CLASSES
            # Grows as vector intermediates are read: reductions treat them as elements too.
            self.vectors = {i.symbol for i in inputs if i.kind in ("vector", "label")}
            functions.update(row_functions(self.vectors, CLASSES))
        parser = ExpressionParser(symbols, functions, self.label)
        intermediates = self.read_intermediates(parser)

        loss_text = self.string(data, "loss", "loss")
        loss = parser.parse(loss_text, "loss")
        self.check_loss(loss, inputs, intermediates)
        if shape == "rowwise":
            elements = frozenset(i.symbol for i in inputs if i.kind in ("vector", "label"))
            expanded = loss
            for inter in reversed(intermediates):
                expanded = expanded.subs(inter.symbol, inter.expr)
            if not is_row_scalar(expanded, elements):
                raise self.fail(
                    "loss", "a rowwise loss must reduce every vector over the class axis (sum, mean or logsumexp)"
                )

        conventions = data.get("conventions", [])
        if not isinstance(conventions, list) or not all(isinstance(c, str) for c in conventions):
            raise self.fail("conventions", "expected an array of strings")
        spec = Spec(
            path=self.label,
            name=name,
            title=title,
            summary=summary,
            shape=shape,
            loss_text=loss_text,
            inputs=inputs,
            params=params,
            intermediates=intermediates,
            loss=loss,
            conventions=tuple(" ".join(c.split()) for c in conventions),
            references=self.read_references(),
            equivalents=self.read_equivalents(inputs, params, intermediates),
            sha256=self.sha256,
        )
        return spec

    def read_inputs(self, shape: str) -> tuple[InputSpec, ...]:
        table = self.table("inputs")
        inputs = []
        for name, entry in table.items():
            field = f"inputs.{name}"
            if not isinstance(entry, dict):
                raise self.fail(field, "expected a table with 'role'")
            self.check_keys(entry, {"role", "domain", "latex", "description", "kind", "ignore"}, field)
            self.declare(name, field)
            role = self.string(entry, "role", f"{field}.role")
            if role not in ROLES:
                raise self.fail(f"{field}.role", f"bad role '{role}' (known: {', '.join(ROLES)})")
            default_kind = "vector" if shape == "rowwise" and role not in ("weight", "auxiliary") else "element"
            kind = self.string(entry, "kind", f"{field}.kind", required=False, default=default_kind)
            if shape == "elementwise" and kind != "element":
                raise self.fail(f"{field}.kind", "only rowwise specs have vector or label inputs")
            if shape == "rowwise" and role != "weight" and kind not in KINDS:
                raise self.fail(f"{field}.kind", f"bad kind '{kind}' (known: {', '.join(KINDS)})")
            if kind == "label" and role != "target":
                raise self.fail(f"{field}.kind", "only the target may be a label")
            if role == "auxiliary" and shape != "elementwise":
                raise self.fail(f"{field}.role", "auxiliary inputs (e.g. a variance) are element-wise only")
            ignore = self.string(entry, "ignore", f"{field}.ignore", required=False) or None
            if ignore and kind != "label":
                raise self.fail(f"{field}.ignore", "only a label input can have ignored rows")
            domain = self.domain(entry, field, "unit_interval" if kind == "label" else "real")
            if kind == "label" and "domain" in entry:
                raise self.fail(f"{field}.domain", "a label is a class index: it has no domain")
            symbol = sp.Symbol(name, **domain.assumptions)
            latex = self.string(entry, "latex", f"{field}.latex", required=False, default=sp.latex(symbol))
            description = self.string(entry, "description", f"{field}.description", required=False)
            inputs.append(InputSpec(name, role, domain, latex, description, symbol, kind, ignore))
        for role, count in (("prediction", 1), ("target", 1)):
            found = [i.name for i in inputs if i.role == role]
            if len(found) != count:
                raise self.fail("inputs", f"needs exactly {count} input with role '{role}', found {len(found)}")
        if sum(i.role == "weight" for i in inputs) > 1:
            raise self.fail("inputs", "at most one input may have role 'weight'")
        return tuple(inputs)

    def check_ignore(self, inputs, params) -> None:
        integer_params = {p.name for p in params if p.domain.name == "integer"}
        for i in inputs:
            if i.ignore and i.ignore not in integer_params:
                raise self.fail(f"inputs.{i.name}.ignore", f"'{i.ignore}' must name a parameter with domain 'integer'")
        used = {i.ignore for i in inputs if i.ignore}
        for name in integer_params - used:
            raise self.fail(f"params.{name}.domain", "an integer parameter must be named by a label's 'ignore'")

    def read_params(self) -> tuple[ParamSpec, ...]:
        params = []
        for name, entry in self.table("params").items():
            field = f"params.{name}"
            if not isinstance(entry, dict):
                raise self.fail(field, "expected a table with 'default'")
            self.check_keys(entry, {"default", "domain", "latex", "description"}, field)
            self.declare(name, field, reserved=_RESERVED_SYMBOLS | _RESERVED_PARAMS)
            if "default" not in entry:
                raise self.fail(f"{field}.default", "missing default")
            default = entry["default"]
            if isinstance(default, bool) or not isinstance(default, (int, float)):
                raise self.fail(f"{field}.default", f"expected a number, got {type(default).__name__}")
            domain = self.domain(entry, field, "real")
            if not domain.contains(float(default)):
                raise self.fail(f"{field}.default", f"{default} is outside the domain {domain.description}")
            symbol = sp.Symbol(name, **domain.assumptions)
            latex = self.string(entry, "latex", f"{field}.latex", required=False, default=sp.latex(symbol))
            description = self.string(entry, "description", f"{field}.description", required=False)
            params.append(ParamSpec(name, float(default), domain, latex, description, symbol))
        return tuple(params)

    def read_intermediates(self, parser: ExpressionParser) -> tuple[Intermediate, ...]:
        result = []
        for name, entry in self.table("intermediates").items():
            field = f"intermediates.{name}"
            if isinstance(entry, str):
                entry = {"expr": entry}
            if not isinstance(entry, dict):
                raise self.fail(field, "expected an expression string or a table with 'expr'")
            self.check_keys(entry, {"expr", "latex"}, field)
            self.declare(name, field)
            expr = parser.parse(self.string(entry, "expr", f"{field}.expr"), f"{field}.expr")
            symbol = sp.Symbol(name, real=True)
            latex = self.string(entry, "latex", f"{field}.latex", required=False, default=sp.latex(symbol))
            result.append(Intermediate(name, entry["expr"].strip(), latex, symbol, expr))
            if getattr(self, "vectors", None) is not None and not is_row_scalar(expr, self.vectors):
                self.vectors.add(symbol)
            parser.symbols[name] = symbol  # later intermediates and the loss may use it
        return tuple(result)

    def check_loss(self, loss: sp.Expr, inputs, intermediates) -> None:
        expanded = loss
        for inter in reversed(intermediates):
            expanded = expanded.subs(inter.symbol, inter.expr)
        if expanded.has(sp.zoo, sp.nan, sp.oo, -sp.oo):  # before the next check: zoo + r is zoo
            raise self.fail("loss", "contains an infinite or undefined constant")
        prediction = next(i for i in inputs if i.role == "prediction")
        if prediction.symbol not in expanded.free_symbols:
            raise self.fail("loss", f"does not depend on the prediction '{prediction.name}'")
        for weight in (i for i in inputs if i.role == "weight"):
            if weight.symbol in expanded.free_symbols:
                raise self.fail(
                    "loss", f"must not use the weight input '{weight.name}': kernels multiply the loss by it"
                )

    def read_references(self) -> tuple[Reference, ...]:
        refs = []
        for k, entry in enumerate(self.array_of_tables("references")):
            field = f"references[{k}]"
            self.check_keys(entry, {"title", "url"}, field)
            refs.append(
                Reference(
                    self.string(entry, "title", f"{field}.title"),
                    self.string(entry, "url", f"{field}.url", required=False),
                )
            )
        return tuple(refs)

    def read_equivalents(self, inputs, params, intermediates) -> tuple[Equivalent, ...]:
        params_only = ExpressionParser({p.name: p.symbol for p in params}, SPEC_FUNCTIONS, self.label)
        argument_names = {x.name for group in (inputs, params, intermediates) for x in group}
        result = []
        for k, entry in enumerate(self.array_of_tables("equivalents")):
            field = f"equivalents[{k}]"
            self.check_keys(entry, _EQUIVALENT_KEYS, field)
            style = self.string(entry, "style", f"{field}.style")
            if style not in EQUIVALENT_STYLES:
                raise self.fail(f"{field}.style", f"unknown style '{style}' (known: {', '.join(EQUIVALENT_STYLES)})")
            args = entry.get("args", [])
            if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
                raise self.fail(f"{field}.args", "expected an array of input or parameter names")
            for a in args:
                if a not in argument_names:
                    raise self.fail(f"{field}.args", f"unknown name '{a}' (known: {', '.join(sorted(argument_names))})")
            kwargs = entry.get("kwargs", {})
            if not isinstance(kwargs, dict):
                raise self.fail(f"{field}.kwargs", "expected a table of keyword = expression")
            for key, text in kwargs.items():
                params_only.parse(text, f"{field}.kwargs.{key}")
            scale = entry.get("scale", "1")
            params_only.parse(scale, f"{field}.scale")
            result.append(
                Equivalent(
                    library=self.string(entry, "library", f"{field}.library"),
                    function=self.string(entry, "function", f"{field}.function"),
                    style=style,
                    args=tuple(args),
                    kwargs=tuple((k2, str(v)) for k2, v in kwargs.items()),
                    scale=str(scale),
                    note=" ".join(self.string(entry, "note", f"{field}.note", required=False).split()),
                    **self.read_equivalent_claims(entry, field, inputs, params, intermediates),
                )
            )
        return tuple(result)

    def read_equivalent_claims(self, entry: Mapping, field: str, inputs, params, intermediates) -> dict:
        """The optional claims of an equivalent: reduction, differences, hessian_differs_at, examples."""
        reduction = self.string(entry, "reduction", f"{field}.reduction", required=False)
        if reduction and reduction not in EQUIVALENT_REDUCTIONS:
            raise self.fail(
                f"{field}.reduction", f"bad reduction '{reduction}' (known: {', '.join(EQUIVALENT_REDUCTIONS)})"
            )
        differences = " ".join(self.string(entry, "differences", f"{field}.differences", required=False).split())
        condition = self.string(entry, "hessian_differs_at", f"{field}.hessian_differs_at", required=False)
        if condition:
            symbols = {x.name: x.symbol for group in (inputs, params, intermediates) for x in group}
            # A condition is parsed where a condition is expected: as the test of a where().
            ExpressionParser(symbols, SPEC_FUNCTIONS, self.label).parse(
                f"where({condition}, 1, 0)", f"{field}.hessian_differs_at"
            )
        examples = entry.get("examples", [])
        if not isinstance(examples, list) or not all(isinstance(e, dict) for e in examples):
            raise self.fail(f"{field}.examples", "expected an array of tables { quantity, theirs, <names> = value }")
        point_names = {i.name for i in inputs if i.role != "weight"} | {p.name for p in params}
        required = {i.name for i in inputs if i.role in ("prediction", "target")}
        read = []
        for j, example in enumerate(examples):
            where = f"{field}.examples[{j}]"
            self.check_keys(example, {"quantity", "theirs"} | point_names, where)
            quantity = self.string(example, "quantity", f"{where}.quantity")
            if quantity not in EXAMPLE_QUANTITIES:
                known = ", ".join(EXAMPLE_QUANTITIES)
                raise self.fail(f"{where}.quantity", f"bad quantity '{quantity}' (known: {known})")
            missing = sorted(required - set(example))
            if missing:
                raise self.fail(where, f"missing the value of '{missing[0]}'")
            values = {}
            for key in ["theirs", *sorted(set(example) - {"quantity", "theirs"})]:
                value = example.get(key)
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                    raise self.fail(f"{where}.{key}", "expected a finite number")
                values[key] = float(value)
            theirs = values.pop("theirs")
            point = tuple(sorted(values.items(), key=lambda kv: _order(kv[0], inputs, params)))
            read.append(EquivalentExample(quantity, point, theirs))
        return {
            "reduction": reduction,
            "differences": differences,
            "hessian_differs_at": condition,
            "examples": tuple(read),
        }


def _order(name: str, inputs, params) -> int:
    """Position of an input or parameter in declaration order (inputs first)."""
    names = [i.name for i in inputs] + [p.name for p in params]
    return names.index(name)


def parse_param_expression(spec: Spec, text: str, field: str) -> sp.Expr:
    """Parse an expression over ``spec``'s parameters (used for equivalents' kwargs and scale)."""
    parser = ExpressionParser({p.name: p.symbol for p in spec.params}, SPEC_FUNCTIONS, spec.path)
    return parser.parse(text, field)
