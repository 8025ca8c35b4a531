"""The NumPy and Numba backends: both print the same CSE'd programs, vectorized or scalar."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from ..derive import Derivation, Program
from . import GeneratedFile, render_template
from .printers import ScalarPrinter, VectorPrinter

_PROGRAM_DOCS = {
    "loss": "Per-element loss",
    "loss_and_grad": "Per-element loss and gradient",
    "grad": "Per-element gradient with respect to the prediction",
    "hess": "Per-element second derivative with respect to the prediction (Hessian diagonal)",
}


@dataclass(frozen=True)
class PrintedProgram:
    """A program printed for both backends, ready for the templates."""

    name: str
    doc: str
    op_count: int
    outputs: tuple[str, ...]
    scalar_lines: tuple[str, ...]
    scalar_outputs: tuple[tuple[str, str], ...]
    numpy_lines: tuple[str, ...]
    numpy_outputs: tuple[str, ...]


def print_program(program: Program) -> PrintedProgram:
    """Print a program's assignments and outputs with both printers."""
    scalar, vector = ScalarPrinter(), VectorPrinter()
    return PrintedProgram(
        name=program.name,
        doc=_PROGRAM_DOCS[program.name],
        op_count=program.op_count,
        outputs=tuple(n for n, _ in program.outputs),
        scalar_lines=tuple(f"{s} = {scalar.doprint(e)}" for s, e in program.assignments),
        scalar_outputs=tuple((n, scalar.doprint(e)) for n, e in program.outputs),
        numpy_lines=tuple(f"{s} = {vector.doprint(e)}" for s, e in program.assignments),
        numpy_outputs=tuple(vector.doprint(e) for _, e in program.outputs),
    )


def _context(derivation: Derivation) -> SimpleNamespace:
    spec = derivation.spec
    programs = {name: print_program(p) for name, p in derivation.programs.items()}
    params = ", ".join(p.name for p in spec.params)
    return SimpleNamespace(
        name=spec.name,
        title=spec.title,
        spec_sha256=spec.sha256,
        prediction=spec.prediction.name,
        target=spec.target.name,
        target_domain=spec.target.domain.name,
        params_meta=tuple((p.name, p.default, p.domain.name) for p in spec.params),
        conventions=derivation.conventions,
        programs=list(programs.values()),
        program=SimpleNamespace(**programs),
        signature=", ".join([spec.prediction.name, spec.target.name] + ([params] if params else [])),
        param_args="".join(f", {p.name}" for p in spec.params),
    )


def render_numpy(derivation: Derivation) -> GeneratedFile:
    """The vectorized NumPy module for one spec."""
    template = "numpy_module.py.jinja"
    text = render_template(template, ctx=_context(derivation))
    return GeneratedFile(f"numpy/{derivation.spec.name}.py", template, text)


def render_numba(derivation: Derivation) -> GeneratedFile:
    """The fused, parallel Numba module for one spec."""
    template = "numba_module.py.jinja"
    text = render_template(template, ctx=_context(derivation))
    return GeneratedFile(f"numba/{derivation.spec.name}.py", template, text)
