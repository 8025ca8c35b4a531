"""The LaTeX backend: one section per loss, plus the main reference document."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from types import SimpleNamespace

import sympy as sp
from sympy.simplify import fraction

from ..derive import Derivation
from ..errors import SpecError
from ..spec import Equivalent, EquivalentExample, Spec
from . import GeneratedFile, render_template
from .plots import sample
from .printers import LossLatexPrinter

_TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}

_UNICODE_MATH = {
    "−": "-", "·": r"\cdot", "≤": r"\leq", "≥": r"\geq", "≠": r"\neq", "≈": r"\approx",
    "∈": r"\in", "∞": r"\infty", "→": r"\to", "×": r"\times", "√": r"\surd", "‖": r"\|",
    "∂": r"\partial", "′": "'", "½": r"\tfrac{1}{2}", "±": r"\pm", "∑": r"\sum", "⌊": r"\lfloor",
    "⌋": r"\rfloor", "ℓ": r"\ell", "∘": r"\circ", "≪": r"\ll", "≫": r"\gg", "≲": r"\lesssim", "≳": r"\gtrsim",
    "∓": r"\mp", "⋅": r"\cdot",
    "∇": r"\nabla", "≡": r"\equiv", "∝": r"\propto",
}  # fmt: skip
_UNICODE_TEXT = {"–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''", "…": r"\ldots{}", "\u00a0": "~"}
_SUPERSCRIPTS = {
    "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8",
    "⁹": "9", "⁻": "-", "⁺": "+", "ⁱ": "i", "ⁿ": "n", "ᵀ": "T",
}  # fmt: skip
_SUBSCRIPTS = {
    "₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "₅": "5", "₆": "6", "₇": "7", "₈": "8",
    "₉": "9", "₋": "-", "₊": "+", "ₐ": "a", "ₑ": "e", "ᵢ": "i", "ⱼ": "j", "ₖ": "k", "ₗ": "l",
    "ₘ": "m", "ₙ": "n", "ₒ": "o", "ₚ": "p", "ᵣ": "r", "ₛ": "s", "ₜ": "t", "ᵤ": "u", "ₓ": "x",
}  # fmt: skip
_COMBINING = {"\u0302": r"\hat", "\u0303": r"\tilde", "\u0304": r"\bar", "\u0307": r"\dot"}


_GREEK_CAPITALS_IN_LATEX = {"gamma", "delta", "theta", "lambda", "xi", "pi", "sigma", "upsilon", "phi", "psi", "omega"}
_GREEK_CAPITALS_AS_LATIN = {
    "alpha": "A", "beta": "B", "epsilon": "E", "zeta": "Z", "eta": "H", "iota": "I", "kappa": "K",
    "mu": "M", "nu": "N", "omicron": "O", "rho": "P", "tau": "T", "chi": "X",
}  # fmt: skip


def _greek(char: str) -> str | None:
    name = unicodedata.name(char, "")
    if name.startswith("GREEK SMALL LETTER "):
        letter = name[len("GREEK SMALL LETTER ") :].lower()
        letter = {"lamda": "lambda", "final sigma": "varsigma", "omicron": "o"}.get(letter, letter)
        return letter if letter == "o" else "\\" + letter
    if name.startswith("GREEK CAPITAL LETTER "):
        letter = name[len("GREEK CAPITAL LETTER ") :].lower().replace("lamda", "lambda")
        if letter in _GREEK_CAPITALS_IN_LATEX:
            return "\\" + letter.capitalize()
        return _GREEK_CAPITALS_AS_LATIN.get(letter)
    return None


def tex_text(text: str, *, path: str = "<spec>", field: str = "<text>") -> str:
    """Escape prose for LaTeX, typesetting Greek letters and math symbols in math mode."""
    out = []
    scripts = re.compile(f"([{''.join(_SUPERSCRIPTS)}]+)|([{''.join(_SUBSCRIPTS)}]+)")
    for char in _script_runs(unicodedata.normalize("NFC", text), scripts):
        if len(char) > 1:  # a run of super- or subscript characters, already typeset
            out.append(char)
        elif char in _TEX_SPECIALS:
            out.append(_TEX_SPECIALS[char])
        elif char.isascii():
            out.append(char)
        elif char in _UNICODE_TEXT:
            out.append(_UNICODE_TEXT[char])
        elif char in _UNICODE_MATH:
            out.append(f"${_UNICODE_MATH[char]}$")
        elif (greek := _greek(char)) is not None:
            out.append(f"${greek}$")
        elif char.encode("latin-1", "ignore"):
            out.append(char)  # Latin-1 letters (é, ü) are handled by pdflatex's utf8 input
        else:
            base, *marks = unicodedata.normalize("NFD", char)
            if base.isascii() and len(marks) == 1 and marks[0] in _COMBINING:
                out.append(f"${_COMBINING[marks[0]]}{{{base}}}$")  # ŷ -> $\hat{y}$
            else:
                raise SpecError(path, field, f"character {char!r} (U+{ord(char):04X}) cannot be typeset")
    return "".join(out).replace("$$", "")


def _script_runs(text: str, scripts: re.Pattern) -> list[str]:
    """Characters of ``text``; each run of super- or subscript characters is one math piece: 10⁻¹⁶ → 10$^{-16}$."""
    pieces: list[str] = []
    position = 0
    for match in scripts.finditer(text):
        pieces += list(text[position : match.start()])
        sup, sub = match.groups()
        if sup:
            body = "".join(_SUPERSCRIPTS[c] for c in sup)
            pieces.append(f"$^{{{body}}}$")
        else:
            body = "".join(_SUBSCRIPTS[c] for c in sub)
            pieces.append(f"$_{{{body}}}$")
        position = match.end()
    return pieces + list(text[position:])


def tex_code(text: str) -> str:
    """Code in typewriter type, breakable after dots, commas, underscores, brackets and '='."""
    out = []
    for char in text:
        out.append(r"\textquotesingle{}" if char == "'" else _TEX_SPECIALS.get(char, char))  # not a curly quote
        if char in ".,=_({[/:":
            out.append(r"\allowbreak{}")
    return rf"\texttt{{{''.join(out)}}}"


def _atom(latex: str) -> str:
    """A symbol's LaTeX as a factor: compound names such as ``1 - p_t`` are bracketed."""
    depth, compound = 0, False
    for char in latex:
        depth += {"{": 1, "(": 1, "}": -1, ")": -1}.get(char, 0)
        compound |= depth == 0 and char in "+-" and latex.strip()[0] != char
    return rf"\left({latex}\right)" if compound else latex


def _printer(spec: Spec) -> LossLatexPrinter:
    symbols = {i.name: _atom(i.latex) for i in spec.inputs}
    symbols.update({p.name: _atom(p.latex) for p in spec.params})
    symbols.update({m.name: _atom(m.latex) for m in spec.intermediates})
    return LossLatexPrinter(symbols)


# -- long formulas ---------------------------------------------------------------------------------------------

#: Estimated width (in characters of display math) above which a sum is broken into several lines.
_LINE_CHARS = 58
#: The same for the summary table's formula column (text style).
_SUMMARY_CHARS = 28
_INVISIBLE = re.compile(r"\\(left|right|operatorname|mathrm|text|displaystyle|textstyle|[:,;!]|quad|qquad)(?![A-Za-z])")


def visible_length(tex: str) -> int:
    """A rough width of typeset math, in characters: commands count as one, fractions as their wider part."""
    fraction = re.compile(r"\\frac\{([^{}]*)\}\{([^{}]*)\}")
    previous = None
    while previous != tex:
        previous = tex
        tex = fraction.sub(lambda m: "x" * max(visible_length(m.group(1)), visible_length(m.group(2))), tex)
    tex = _INVISIBLE.sub("", tex)
    tex = re.sub(r"\\[A-Za-z]+", "x", tex)
    return len(re.sub(r"[{}\s&^_]", "", tex))


def _pieces(expr: sp.Expr, printer: LossLatexPrinter, width: int) -> list[str]:
    r"""``expr`` printed as pieces between which a line may break: before the + and − of a sum wider than
    ``width``, also of a sum inside the brackets of a product (then sized ``\Bigl( \Bigr)``, which, unlike
    ``\left( \right)``, may open and close on different lines). Joined with spaces, the pieces are the formula."""
    text = printer._print(expr)
    if visible_length(text) <= width:
        return [text]
    if isinstance(expr, sp.Add):
        pieces: list[str] = []
        for i, term in enumerate(printer._as_ordered_terms(expr, order=None)):
            sign = "" if i == 0 else "+ "
            if i and term.could_extract_minus_sign():
                sign, term = "- ", -term
            if printer._needs_add_brackets(term):
                inner = [rf"\left({printer._print(term)}\right)"]
            else:
                inner = _pieces(term, printer, width)
            pieces += [sign + inner[0], *inner[1:]]
        return pieces
    if isinstance(expr, sp.Mul) and fraction(expr, exact=True)[1] == 1:
        sign = ""
        if expr.could_extract_minus_sign():
            sign, expr = "- ", -expr
        factors = expr.as_ordered_factors()
        pieces = []
        for i, factor in enumerate(factors):
            if isinstance(factor, sp.Add) and len(inner := _pieces(factor, printer, width)) > 1:
                group = [r"\Bigl(" + inner[0], *inner[1:-1], inner[-1] + r"\Bigr)"]
            else:
                group = [printer._print(factor)]
                if printer._needs_mul_brackets(factor, first=i == 0, last=i == len(factors) - 1):
                    group = [rf"\left({group[0]}\right)"]
            if pieces:
                pieces[-1] += " " + group[0]
                pieces += group[1:]
            else:
                pieces = group
        pieces[0] = sign + pieces[0]
        return pieces
    return [text]


def display_lines(lhs: str, expr: sp.Expr, printer: LossLatexPrinter, width: int = _LINE_CHARS) -> list[str]:
    """``lhs &= expr`` as lines of an ``aligned`` block; a formula wider than ``width`` characters is broken
    before the + and − signs of its sums (also of sums in brackets), filling each line greedily."""
    lines: list[list[str]] = [[]]
    budget = width - visible_length(lhs)
    for piece in _pieces(expr, printer, budget):
        used = sum(visible_length(t) for t in lines[-1])
        if lines[-1] and used + visible_length(piece) > budget:
            lines.append([])
            budget = width - 4
        lines[-1].append(piece)
    first, *rest = (" ".join(line) for line in lines)
    return [f"{lhs} &= {first}"] + [rf"&\quad {line}" for line in rest]


# -- numbers ---------------------------------------------------------------------------------------------------


def tex_number(value: float, digits: int | None = None) -> str:
    """A number for math mode: ``-40``, ``0.25``, ``9.237 \\cdot 10^{-14}``, ``10^{-16}``.

    With ``digits``, rounded to that many significant digits; otherwise the shortest repr.
    """
    if value == 0:
        return "0"
    text = repr(float(value)) if digits is None else f"{value:.{digits}g}"
    if "e" not in text:
        if text.endswith(".0"):
            text = text[:-2]
        if abs(value) >= 1e5 or (digits is None and abs(value) < 1e-4):
            text = f"{value:.{digits or 15}e}"
        else:
            return text
    mantissa, exponent = text.split("e")
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    power = f"10^{{{int(exponent)}}}"
    if mantissa in ("1", "-1"):
        return ("-" if mantissa == "-1" else "") + power
    return rf"{mantissa} \cdot {power}"


def significant_digits(value: float) -> int:
    """Significant digits in the shortest repr of ``value`` (how precisely a stated number was written)."""
    mantissa = repr(float(abs(value))).split("e")[0]
    return max(1, len(mantissa.replace(".", "").strip("0")))


# -- context for the templates ---------------------------------------------------------------------------------

#: What the test suite checks for each style of equivalent (tests/test_conformance.py, test_equivalent_claims.py).
TESTED_BY_STYLE = {
    "torch": "values, gradient, Hessian, reduction",
    "optax": "values, gradient, Hessian, reduction",
    "scipy": "values, reduction",
    "sklearn": "mean, weighted mean",
    "xgboost": "trained boosters (gradient, Hessian)",
}
#: Styles whose tests compare derivatives (gradient and Hessian); the others compare values only.
DERIVATIVE_STYLES = ("torch", "optax", "xgboost")
NOT_TESTED = "stated by the library's documentation, not tested"
_REDUCTION_TEXT = {
    "mean": "mean over all {unit}s",
    "sum": "sum over all {unit}s",
    "none": "none: one value per {unit}",
    "mean_over_elements": "sum over rows divided by the number of elements N·K",
    "": "not stated",
}
_QUANTITY_TEXT = {"loss": "value", "grad": "gradient", "hess": "Hessian"}


def _scale_tex(spec: Spec, text: str, printer: LossLatexPrinter) -> str:
    from ..spec import parse_param_expression

    scale = parse_param_expression(spec, text, "equivalents.scale")
    return "" if scale == 1 else printer.doprint(scale)


def _condition_tex(spec: Spec, text: str, printer: LossLatexPrinter) -> str:
    from ..expr import ExpressionParser
    from ..primitives import SPEC_FUNCTIONS

    symbols = {x.name: x.symbol for group in (spec.inputs, spec.params, spec.intermediates) for x in group}
    parsed = ExpressionParser(symbols, SPEC_FUNCTIONS, spec.path).parse(
        f"where({text}, 1, 0)", "equivalents.hessian_differs_at"
    )
    return printer.doprint(parsed.args[0][1])


def _example_tex(spec: Spec, example: EquivalentExample, derivation: Derivation | None) -> str:
    symbols = {i.name: i.latex for i in spec.inputs} | {p.name: p.latex for p in spec.params}
    where = ", ".join(f"${symbols[name]} = {tex_number(value)}$" for name, value in example.point)
    text = rf"\newline At {where}: {_QUANTITY_TEXT[example.quantity]} ${tex_number(example.theirs)}$"
    if derivation is not None and spec.shape == "elementwise":
        from ..reference import mp_values

        point = dict(example.point)
        params = {p.name: point.get(p.name, p.default) for p in spec.params}
        extra = {a.name: [point[a.name]] for a in spec.auxiliary}
        ours = mp_values(
            derivation, example.quantity, [point[spec.prediction.name]], [point[spec.target.name]], params, extra
        )[0]
        digits = max(4, significant_digits(example.theirs))
        text += f" (lossgen ${tex_number(float(ours), digits)}$)"
    return text


def _equivalent_context(spec: Spec, e: Equivalent, printer: LossLatexPrinter, derivation: Derivation | None):
    def text(value: str, field: str) -> str:
        return tex_text(value, path=spec.path, field=field)

    # The Hessian and reduction claims are tested for element-wise losses (tests/test_equivalent_claims.py).
    elementwise = spec.shape == "elementwise"
    unit = "element" if elementwise else "row"
    notes = [text(e.note, "equivalents.note")] if e.note else []
    if e.differences:
        notes.append(text(e.differences, "equivalents.differences"))
    if e.hessian_differs_at:
        notes.append(f"Hessian differs where ${_condition_tex(spec, e.hessian_differs_at, printer)}$.")
    elif e.style in DERIVATIVE_STYLES and not e.differences and elementwise:
        notes.append("Same gradient and Hessian as lossgen.")
    notes += [_example_tex(spec, x, derivation) for x in e.examples]
    if e.style == "xgboost":
        reduction = f"none: gradient and Hessian per {unit} (a training objective)"
    else:
        reduction = _REDUCTION_TEXT[e.reduction].format(unit=unit)
    tested = TESTED_BY_STYLE.get(e.style, "") if elementwise else ""
    return SimpleNamespace(
        library=text(e.library, "equivalents.library"),
        call=tex_code(e.call),
        scale=_scale_tex(spec, e.scale, printer),
        reduction=reduction,
        notes=" ".join(notes) or "--",
        tested=(tested or "checked by the test suite") if e.style != "documented" else "",
        untested=NOT_TESTED if e.style == "documented" else "",
    )


def _name_tex(name: str) -> str:
    return name.replace("_", r"\_\allowbreak{}")


def _spec_context(spec: Spec, printer: LossLatexPrinter, derivation: Derivation | None = None) -> SimpleNamespace:
    def text(value: str, field: str) -> str:
        return tex_text(value, path=spec.path, field=field)

    definition = [line for m in spec.intermediates for line in display_lines(m.latex, m.expr, printer)]
    definition += display_lines(r"\ell", spec.loss, printer)
    return SimpleNamespace(
        name=spec.name,
        unit="element" if spec.shape == "elementwise" else "row",
        name_tex=spec.name.replace("_", r"\_"),
        name_break=_name_tex(spec.name),
        title=text(spec.title, "title"),
        summary=text(spec.summary, "summary"),
        definition=definition,
        params=[
            SimpleNamespace(
                name_tex=_name_tex(p.name),
                latex=p.latex,
                default=tex_number(p.default),
                domain=p.domain.latex,
                description=text(p.description, f"params.{p.name}.description"),
            )
            for p in spec.params
        ],
        inputs=[
            SimpleNamespace(
                name_tex=_name_tex(i.name),
                latex=i.latex,
                role=i.role,
                domain=i.domain.latex,
                description=text(i.description, f"inputs.{i.name}.description"),
            )
            for i in spec.inputs
        ],
        equivalents=[_equivalent_context(spec, e, printer, derivation) for e in spec.equivalents],
        references=[SimpleNamespace(title=text(r.title, "references.title"), url=r.url) for r in spec.references],
    )


def _plot_context(derivation: Derivation) -> SimpleNamespace | None:
    data = sample(derivation)
    if data is None:
        return None
    spec = derivation.spec
    symbols = {i.name: i.latex for i in spec.inputs} | {p.name: p.latex for p in spec.params}
    fixed = [f"${symbols[name]} = {tex_number(value)}$" for name, value in data.fixed]
    prediction = spec.prediction.latex
    if data.classes:  # a row-wise loss: the first prediction of a row varies
        prediction = f"{{{prediction}}}_{{1}}"
        others = ", ".join(["0"] * (data.classes - 1))
        target = "label 0" if getattr(spec.target, "kind", "") == "label" else f"${spec.target.latex} = (1, {others})$"
        setting = (
            f"for a row of $K = {data.classes}$ predictions $({prediction}, {others})$ with the target on the "
            f"first class ({target})"
        )
    else:
        setting = "at " + ", ".join(fixed[:1])
        fixed = fixed[1:]
    setting += (", " + ", ".join(fixed) if fixed else "") + " (parameters at their defaults)"
    titles = {
        "loss": r"\ell",
        "grad": rf"\partial \ell / \partial {prediction}",
        "hess": rf"\partial^2 \ell / \partial {prediction}^2",
    }
    panels = [
        SimpleNamespace(
            column=panel.quantity,
            title=titles[panel.quantity],
            ymin=panel.ymin,
            ymax=panel.ymax,
            filled=" ".join(f"({m.x},{m.y})" for m in panel.marks if m.filled),
            open=" ".join(f"({m.x},{m.y})" for m in panel.marks if not m.filled),
        )
        for panel in data.panels
    ]
    return SimpleNamespace(
        header=data.header,
        rows=data.rows,
        xmin=data.xmin,
        xmax=data.xmax,
        xlabel=prediction,
        panels=panels,
        setting=setting,
        jumps=any(panel.marks for panel in data.panels),
    )


def render_latex(derivation: Derivation) -> GeneratedFile:
    """The reference-sheet section for one loss: definition, derivatives, plot, parameters, equivalents."""
    spec = derivation.spec
    printer = _printer(spec)
    ctx = _spec_context(spec, printer, derivation)
    prediction = spec.prediction.latex
    ctx.derivatives = display_lines(
        rf"\frac{{\partial \ell}}{{\partial {prediction}}}", derivation.display_grad, printer
    ) + display_lines(rf"\frac{{\partial^2 \ell}}{{\partial {prediction}^2}}", derivation.display_hess, printer)
    ctx.conventions = [tex_text(c, path=spec.path, field="conventions") for c in derivation.conventions]
    ctx.plot = _plot_context(derivation)
    template = "loss_section.tex.jinja"
    return GeneratedFile(f"latex/{spec.name}.tex", template, render_template(template, ctx=ctx))


def _agreeing(spec: Spec, printer: LossLatexPrinter) -> str:
    """Which library functions agree, with their factor when it is not 1: for the summary table."""
    parts = []
    for e in spec.equivalents:
        short = e.function.rsplit(".", 1)[-1]
        scale = _scale_tex(spec, e.scale, printer)
        factor = rf" ($\times {scale}$)" if scale else ""
        mark = r"\textsuperscript{d}" if e.style == "documented" else ""
        library = tex_text(e.library, path=spec.path, field="equivalents.library")
        parts.append(rf"{library} {tex_code(short)}{factor}{mark}")
    return "; ".join(parts) or "--"


def render_reference(specs: Sequence[Spec]) -> GeneratedFile:
    """The main document: title page, contents, summary table and one section per loss.

    It needs only the specs (no derivation), so it can be refreshed cheaply.
    """
    rows = []
    for spec in sorted(specs, key=lambda s: s.name):
        printer = _printer(spec)
        ctx = _spec_context(spec, printer)
        ctx.agreeing = _agreeing(spec, printer)
        ctx.documented = any(e.style == "documented" for e in spec.equivalents)
        ctx.param_list = (
            r"\newline ".join(rf"\lossgenfit[\textstyle]{{{p.latex} = {tex_number(p.default)}}}" for p in spec.params)
            or "--"
        )
        lines = display_lines(r"\ell", spec.loss, printer, _SUMMARY_CHARS)
        lines += [line for m in spec.intermediates for line in display_lines(m.latex, m.expr, printer, _SUMMARY_CHARS)]
        # An array (text style) aligned at "=": the empty group keeps the relation's spacing.
        ctx.formula = r"\begin{array}[t]{@{}r@{}>{{}}l@{}}" + r" \\ ".join(lines) + r"\end{array}"
        rows.append(ctx)
    template = "reference.tex.jinja"
    return GeneratedFile("latex/reference.tex", template, render_template(template, losses=rows))
