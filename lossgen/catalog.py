"""Where the catalog lives: a project root holding ``specs/`` and ``generated/``.

The root is ``$LOSSGEN_ROOT`` if set, else the folder that contains the ``lossgen`` package
(the repository, for the editable install the README uses). This module does not import SymPy:
listing names and hashing specs is cheap; :meth:`Project.load` parses a spec (and imports SymPy).
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from .errors import LossgenError, UnknownLossError


class Project:
    """A lossgen project: ``specs/*.toml`` in, ``generated/`` out."""

    def __init__(self, root: str | Path | None = None):
        if root is None:
            root = os.environ.get("LOSSGEN_ROOT") or Path(__file__).resolve().parent.parent
        self.root = Path(root).resolve()
        self.specs = self.root / "specs"
        self.generated = self.root / "generated"
        if not self.specs.is_dir():
            raise LossgenError(f"no specs/ folder in {self.root} (set LOSSGEN_ROOT or pass --root)")

    def names(self) -> list[str]:
        """Catalog names (spec file stems), sorted."""
        return sorted(p.stem for p in self.specs.glob("*.toml"))

    def spec_path(self, name: str) -> Path:
        """Path of a spec file; LossgenError naming the catalog if it does not exist."""
        path = self.specs / f"{name}.toml"
        if not path.is_file():
            raise UnknownLossError(f"unknown loss '{name}' (catalog: {', '.join(self.names()) or 'empty'})")
        return path

    def spec_sha256(self, name: str) -> str:
        """Hash of the spec file's bytes."""
        return hashlib.sha256(self.spec_path(name).read_bytes()).hexdigest()

    def relative(self, path: Path) -> str:
        """``path`` relative to the root, with forward slashes (stable across machines)."""
        return path.resolve().relative_to(self.root).as_posix()

    def load(self, name: str):
        """The validated :class:`~lossgen.spec.Spec` (parsed once per file version)."""
        path = self.spec_path(name)
        return _load_cached(str(path), self.relative(path), self.spec_sha256(name))


@functools.cache
def _load_cached(path: str, label: str, sha256: str):
    from .spec import load_spec

    return load_spec(path, label)
