"""The LaTeX backend: one section per loss, plus the main reference document."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from types import SimpleNamespace

from ..derive import Derivation
from ..errors import SpecError
from ..spec import Spec
from . import GeneratedFile, render_template
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
    "⌋": r"\rfloor", "ℓ": r"\ell", "∘": r"\circ",
}  # fmt: skip
_UNICODE_TEXT = {"–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''", "…": r"\ldots{}", "\u00a0": "~"}
_SUPERSCRIPTS = {
    "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8",
    "⁹": "9", "⁻": "-", "⁺": "+",
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
    for char in unicodedata.normalize("NFC", text):
        if char in _TEX_SPECIALS:
            out.append(_TEX_SPECIALS[char])
        elif char.isascii():
            out.append(char)
        elif char in _UNICODE_TEXT:
            out.append(_UNICODE_TEXT[char])
        elif char in _UNICODE_MATH:
            out.append(f"${_UNICODE_MATH[char]}$")
        elif char in _SUPERSCRIPTS:
            out.append(rf"\textsuperscript{{{_SUPERSCRIPTS[char]}}}")
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


def tex_code(text: str) -> str:
    """Code in typewriter type, breakable after dots, commas and '='."""
    escaped = "".join(_TEX_SPECIALS.get(c, c) for c in text)
    for mark in (".", ",", "="):
        escaped = escaped.replace(mark, mark + r"\allowbreak{}")
    return rf"\texttt{{{escaped}}}"


def _printer(spec: Spec) -> LossLatexPrinter:
    symbols = {i.name: i.latex for i in spec.inputs}
    symbols.update({p.name: p.latex for p in spec.params})
    symbols.update({m.name: m.latex for m in spec.intermediates})
    return LossLatexPrinter(symbols)


def _scale_tex(spec: Spec, text: str, printer: LossLatexPrinter) -> str:
    from ..spec import parse_param_expression

    scale = parse_param_expression(spec, text, "equivalents.scale")
    return "" if scale == 1 else printer.doprint(scale)


def _spec_context(spec: Spec, printer: LossLatexPrinter) -> SimpleNamespace:
    def text(value: str, field: str) -> str:
        return tex_text(value, path=spec.path, field=field)

    return SimpleNamespace(
        name=spec.name,
        name_tex=spec.name.replace("_", r"\_"),
        title=text(spec.title, "title"),
        summary=text(spec.summary, "summary"),
        prediction=spec.prediction.latex,
        intermediates=[SimpleNamespace(latex=m.latex, expr=printer.doprint(m.expr)) for m in spec.intermediates],
        loss=printer.doprint(spec.loss),
        params=[
            SimpleNamespace(
                name_tex=p.name.replace("_", r"\_"),
                latex=p.latex,
                default=f"{p.default:g}",
                domain=p.domain.latex,
                description=text(p.description, f"params.{p.name}.description"),
            )
            for p in spec.params
        ],
        inputs=[
            SimpleNamespace(
                name_tex=i.name.replace("_", r"\_"),
                latex=i.latex,
                role=i.role,
                domain=i.domain.latex,
                description=text(i.description, f"inputs.{i.name}.description"),
            )
            for i in spec.inputs
        ],
        equivalents=[
            SimpleNamespace(
                library=text(e.library, "equivalents.library"),
                call=tex_code(e.call),
                scale=_scale_tex(spec, e.scale, printer),
                note=text(e.note, "equivalents.note"),
                tested=e.style != "documented",
            )
            for e in spec.equivalents
        ],
        references=[SimpleNamespace(title=text(r.title, "references.title"), url=r.url) for r in spec.references],
    )


def render_latex(derivation: Derivation) -> GeneratedFile:
    """The reference-sheet section for one loss: definition, derivatives, parameters, equivalents."""
    spec = derivation.spec
    printer = _printer(spec)
    ctx = _spec_context(spec, printer)
    ctx.grad = printer.doprint(derivation.display_grad)
    ctx.hess = printer.doprint(derivation.display_hess)
    ctx.conventions = [tex_text(c, path=spec.path, field="conventions") for c in derivation.conventions]
    template = "loss_section.tex.jinja"
    return GeneratedFile(f"latex/{spec.name}.tex", template, render_template(template, ctx=ctx))


def render_reference(specs: Sequence[Spec]) -> GeneratedFile:
    """The main document: title page, contents, summary table and one section per loss.

    It needs only the specs (no derivation), so it can be refreshed cheaply.
    """
    rows = []
    for spec in sorted(specs, key=lambda s: s.name):
        printer = _printer(spec)
        ctx = _spec_context(spec, printer)
        ctx.libraries = ", ".join(sorted({tex_text(e.library) for e in spec.equivalents})) or "--"
        ctx.param_list = ", ".join(f"${p.latex}$" for p in spec.params) or "--"
        rows.append(ctx)
    template = "reference.tex.jinja"
    return GeneratedFile("latex/reference.tex", template, render_template(template, losses=rows))
