"""The build: run spec → derivation → emission for the catalog and write ``generated/``.

Every generated file starts with a stamp::

    # lossgen: generated from specs/huber.toml with template numba_module.py.jinja; do not edit.
    # lossgen-spec-sha256: <hash of the spec file>
    # lossgen-generator: <hash of the generator: version, pipeline sources, templates>
    # lossgen-content-sha256: <hash of the rest of the file>

so deciding whether a file is up to date needs no SymPy work: a file is current when its spec
hash and generator hash match and its content matches its own hash (a hand edit breaks that).
``build`` re-derives only the specs whose files are not current, in parallel processes when
there are several. ``check`` reports what ``build`` would change, from the stamps alone (no SymPy
work even after a template change); ``full=True`` regenerates everything in memory and compares
bytes (slow, but independent of the stamps).
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .catalog import Project
from .emit import GeneratedFile

if TYPE_CHECKING:
    from .derive import Derivation

#: Bump when generated output changes for reasons the hashed sources do not capture.
GENERATOR_VERSION = "1"

#: Pipeline stages whose source determines generated output (the runtime and CLI do not). The reference
#: evaluator is one: the reference sheet's plots and example values are sampled with it.
_PIPELINE_SOURCES = (
    "expr.py", "primitives.py", "domains.py", "spec.py", "derive.py", "reference.py", "build.py", "emit",
)  # fmt: skip

#: (folder under generated/, suffix) of the files each spec produces, one per backend in emit.backends().
GENERATED_FOLDERS = (("numpy", ".py"), ("numba", ".py"), ("numba_float32", ".py"), ("latex", ".tex"))

_COMMENT = {".py": "#", ".tex": "%"}
_STAMP_KEYS = ("lossgen-spec-sha256", "lossgen-generator", "lossgen-content-sha256")


@functools.cache
def generator_fingerprint() -> str:
    """Hash of the generator version and every pipeline source file and template."""
    package = Path(__file__).parent
    digest = hashlib.sha256(f"lossgen-generator-{GENERATOR_VERSION}".encode())
    for entry in _PIPELINE_SOURCES:
        path = package / entry
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and file.suffix in (".py", ".jinja"):
                digest.update(file.relative_to(package).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def stamp(file: GeneratedFile, source: str, spec_sha256: str) -> str:
    """The file's final text: the stamp lines followed by the rendered text."""
    comment = _COMMENT[Path(file.relpath).suffix]
    content_hash = hashlib.sha256(file.text.encode()).hexdigest()
    lines = [
        f"{comment} lossgen: generated from {source} with template {file.template}; do not edit by hand.",
        f"{comment} lossgen-spec-sha256: {spec_sha256}",
        f"{comment} lossgen-generator: {generator_fingerprint()}",
        f"{comment} lossgen-content-sha256: {content_hash}",
    ]
    return "\n".join(lines) + "\n" + file.text


def read_stamp(path: Path) -> dict[str, str] | None:
    """The stamp of a generated file, with ``intact`` telling whether its content matches; None if absent."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = text.split("\n", 4)
    if len(lines) < 5:
        return None
    values = {}
    for line, key in zip(lines[1:4], _STAMP_KEYS):
        _, _, rest = line.partition(f" {key}: ")
        if not rest:
            return None
        values[key] = rest.strip()
    values["intact"] = str(hashlib.sha256(lines[4].encode()).hexdigest() == values["lossgen-content-sha256"])
    return values


def _is_current(path: Path, spec_sha256: str) -> bool:
    found = read_stamp(path)
    return (
        found is not None
        and found["intact"] == "True"
        and found["lossgen-spec-sha256"] == spec_sha256
        and found["lossgen-generator"] == generator_fingerprint()
    )


def _catalog_sha256(shas: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(shas)).encode()).hexdigest()


def render_spec(spec_path: str, source: str) -> list[tuple[str, str]]:
    """Derive and render one spec: ``[(relpath, stamped text), ...]``. Runs in worker processes."""
    from .derive import derive
    from .spec import load_spec

    return render_derivation(derive(load_spec(spec_path, source)), source)


def render_derivation(derivation: Derivation, source: str) -> list[tuple[str, str]]:
    """The stamped files of every backend for one derived spec, read from ``source`` (the spec's
    path as the stamps name it): ``[(relpath, stamped text), ...]``."""
    from .emit import backends

    files = [render(derivation) for render in backends().values()]
    return [(f.relpath, stamp(f, source, derivation.spec.sha256)) for f in files]


@dataclass
class BuildReport:
    """What a build wrote (or, for a check, would write)."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[str]:
        return self.written + self.removed


class Builder:
    """Builds or checks ``generated/`` for a project."""

    def __init__(self, project: Project, jobs: int | None = None):
        self.project = project
        self.jobs = jobs or os.cpu_count() or 1

    def expected_paths(self, name: str) -> list[str]:
        """Paths (relative to generated/) that one spec produces."""
        return [f"{folder}/{name}{suffix}" for folder, suffix in GENERATED_FOLDERS]

    def _stale_specs(self, names: Sequence[str]) -> list[str]:
        stale = []
        for name in names:
            sha = self.project.spec_sha256(name)
            paths = [self.project.generated / p for p in self.expected_paths(name)]
            if not all(_is_current(p, sha) for p in paths):
                stale.append(name)
        return stale

    def _render(self, names: Sequence[str]) -> dict[str, str]:
        jobs = [(str(self.project.spec_path(n)), self.project.relative(self.project.spec_path(n))) for n in names]
        outputs: dict[str, str] = {}
        if len(jobs) > 1 and self.jobs > 1:
            with ProcessPoolExecutor(max_workers=min(self.jobs, len(jobs))) as pool:
                results = list(pool.map(render_spec, *zip(*jobs)))
        else:
            results = [render_spec(path, source) for path, source in jobs]
        for result in results:
            outputs.update(result)
        return outputs

    def _render_reference(self) -> tuple[str, str]:
        from .emit.latex import render_reference

        specs = [self.project.load(n) for n in self.project.names()]
        file = render_reference(specs)
        return file.relpath, stamp(file, "specs/*.toml", _catalog_sha256(s.sha256 for s in specs))

    def _orphans(self) -> list[str]:
        known = {p for n in self.project.names() for p in self.expected_paths(n)} | {"latex/reference.tex"}
        found = []
        for backend, suffix in GENERATED_FOLDERS:
            folder = self.project.generated / backend
            if folder.is_dir():
                found += [f"{backend}/{p.name}" for p in sorted(folder.glob("*" + suffix))]
        return [p for p in found if p not in known]

    def _check_stamps(self, selected: Sequence[str], catalog: Sequence[str]) -> BuildReport:
        """What ``build`` would change, from the stamps alone: a file that is not current is one that
        ``build`` rewrites (its new stamp line differs), so nothing needs to be derived."""
        report = BuildReport()
        for name in selected:
            sha = self.project.spec_sha256(name)
            for relpath in self.expected_paths(name):
                current = _is_current(self.project.generated / relpath, sha)
                (report.unchanged if current else report.written).append(relpath)
        reference_sha = _catalog_sha256(self.project.spec_sha256(n) for n in catalog)
        if not _is_current(self.project.generated / "latex/reference.tex", reference_sha):
            report.written.append("latex/reference.tex")
        report.removed.extend(self._orphans())
        return report

    def run(self, names: Sequence[str] | None = None, *, check: bool = False, full: bool = False) -> BuildReport:
        """Bring generated/ up to date (or, with ``check``, report what is not).

        ``names`` limits the per-spec work to those specs; the reference document and orphan
        removal always cover the whole catalog.
        """
        catalog = self.project.names()
        selected = list(catalog if names is None else names)
        if check and not full:
            return self._check_stamps(selected, catalog)
        # Rendering validates each spec it derives; everything is rendered before anything is written.
        to_render = selected if full else self._stale_specs(selected)
        outputs = self._render(to_render) if to_render else {}
        reference_sha = _catalog_sha256(self.project.spec_sha256(n) for n in catalog)
        reference_path = self.project.generated / "latex/reference.tex"
        if full or not _is_current(reference_path, reference_sha):
            relpath, text = self._render_reference()
            outputs[relpath] = text

        report = BuildReport()
        for name in selected:
            for relpath in self.expected_paths(name):
                if relpath not in outputs:
                    report.unchanged.append(relpath)
        for relpath, text in sorted(outputs.items()):
            target = self.project.generated / relpath
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current == text:
                report.unchanged.append(relpath)
                continue
            report.written.append(relpath)
            if not check:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
        for relpath in self._orphans():
            report.removed.append(relpath)
            if not check:
                (self.project.generated / relpath).unlink()
        return report
