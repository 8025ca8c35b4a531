"""Exceptions raised by lossgen.

User mistakes (a bad spec, a stale build, a bad CLI argument) raise a subclass of
:class:`LossgenError`; the CLI prints them without a traceback. Bad arguments to a kernel
raise the built-in ``TypeError``/``ValueError`` that Python users expect.
"""

from __future__ import annotations


class LossgenError(Exception):
    """Base class for errors that are the user's to fix (the CLI prints the message only)."""


class SpecError(LossgenError, ValueError):
    """A spec file is invalid. The message names the file, the field and the problem."""

    def __init__(self, path: str, field: str, message: str):
        self.path = str(path)
        self.field = field
        self.message = message
        super().__init__(f"{self.path}: field '{field}': {message}")

    def __reduce__(self):  # survive the trip back from a build worker process
        return (type(self), (self.path, self.field, self.message))


class StaleBuildError(LossgenError):
    """Generated code is missing or does not match its spec: run ``lossgen build``."""


class UnknownLossError(LossgenError, ValueError):
    """No spec of that name in the catalog."""
