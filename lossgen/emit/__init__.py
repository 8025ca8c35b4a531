"""Stage 3 of the pipeline: a :class:`~lossgen.derive.Derivation` → generated source files.

Each backend is a function from a derivation to :class:`GeneratedFile` objects, rendering a
Jinja template that lives in ``templates/`` beside this package. Rendering is pure and
deterministic; stamping the files with hashes and writing them is :mod:`lossgen.build`'s job.

Adding a backend: write a printer (``printers.py``) if the language needs one, a template, and a
function ``render_<backend>(derivation) -> GeneratedFile``; list it in :data:`BACKENDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2

TEMPLATE_DIR = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class GeneratedFile:
    """One output file: its path relative to ``generated/``, the template used, and its text."""

    relpath: str
    template: str
    text: str


def environment() -> jinja2.Environment:
    """The Jinja environment shared by all templates (strict: undefined names are errors)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["pyrepr"] = repr
    return env


def render_template(template: str, **context) -> str:
    """Render ``template`` from :data:`TEMPLATE_DIR` with ``context``."""
    return environment().get_template(template).render(**context)


def backends() -> dict[str, Callable]:
    """Per-spec renderers by backend name (imported lazily to keep this module light)."""
    from .latex import render_latex
    from .python import render_numba, render_numba_float32, render_numpy

    return {"numpy": render_numpy, "numba": render_numba, "numba_float32": render_numba_float32, "latex": render_latex}
