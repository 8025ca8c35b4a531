"""lossgen: loss functions declared as SymPy expressions, turned into verified kernels and docs.

The pipeline, one module per stage: :mod:`lossgen.spec` (spec files → Spec) →
:mod:`lossgen.derive` (Spec → Derivation: gradient, Hessian, stable rewrites, CSE) →
:mod:`lossgen.emit` (Derivation → NumPy/Numba/LaTeX sources, written by :mod:`lossgen.build`) →
:mod:`lossgen.runtime` (generated modules → :class:`~lossgen.runtime.Kernel`).

``import lossgen`` is cheap: SymPy and Numba are imported only when a stage needs them.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["names", "kernel", "__version__"]


def names() -> list[str]:
    """The catalog's loss names, sorted."""
    from .catalog import Project

    return Project().names()


def kernel(name: str, backend: str = "numba", *, arithmetic: str = "float64"):
    """The :class:`~lossgen.runtime.Kernel` for loss ``name`` on ``backend`` ("numpy" or "numba").

    Its methods ``loss``, ``grad``, ``loss_and_grad`` and ``hess`` take
    ``(y_pred, y_true, *, reduction="mean", weight=None, **params)``. ``arithmetic="input"``
    computes float32 inputs in float32 arithmetic (see :func:`lossgen.runtime.kernel`).
    """
    from .runtime import kernel as _kernel

    return _kernel(name, backend, arithmetic=arithmetic)
