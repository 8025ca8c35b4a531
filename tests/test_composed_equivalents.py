"""Equivalents that compose library calls (``style = "composed"``), each checked here.

Every composed row in the catalog must have an entry in :data:`COMPOSITIONS`: a function that
evaluates the library's composition, returning per-row values and the gradient of their sum.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import BACKENDS, NAMES, PROJECT, kernel


def _torch_kl_div_of_log_softmax(z, p):
    torch = pytest.importorskip("torch")
    logits = torch.tensor(z, requires_grad=True)
    log_q = torch.log_softmax(logits, dim=-1)
    rows = torch.nn.functional.kl_div(log_q, torch.tensor(p), reduction="none").sum(dim=-1)
    batchmean = torch.nn.functional.kl_div(log_q, torch.tensor(p), reduction="batchmean")
    assert np.isclose(batchmean.item(), rows.mean().item(), rtol=1e-13)  # batchmean = lossgen's mean
    rows.sum().backward()
    return rows.detach().numpy(), logits.grad.numpy()


def _optax_kl_divergence_of_log_softmax(z, p):
    jax = pytest.importorskip("jax")
    optax = pytest.importorskip("optax")
    jax.config.update("jax_enable_x64", True)

    def rows(logits):
        return optax.kl_divergence(jax.nn.log_softmax(logits, axis=-1), jax.numpy.asarray(p))

    return np.asarray(rows(z)), np.asarray(jax.grad(lambda a: rows(a).sum())(jax.numpy.asarray(z)))


COMPOSITIONS = {
    ("kl_div_logits", "torch.nn.functional.kl_div"): _torch_kl_div_of_log_softmax,
    ("kl_div_logits", "optax.kl_divergence"): _optax_kl_divergence_of_log_softmax,
}


def _composed_rows():
    return [(name, e.function) for name in NAMES for e in PROJECT.load(name).equivalents if e.style == "composed"]


def test_every_composed_row_has_a_check():
    assert set(_composed_rows()) == set(COMPOSITIONS), "add the composition to COMPOSITIONS"


def _rows(kind, rng):
    if kind == "random":
        z = rng.normal(scale=3.0, size=(20, 5))
    else:  # large logits, ties, exact-zero targets
        z = rng.choice([-1e3, -30.0, 0.0, 30.0, 1e3], size=(20, 5))
    p = rng.dirichlet(np.ones(5), size=20)
    p[::2] = np.eye(5)[rng.integers(0, 5, size=10)]
    return z, p


@pytest.mark.parametrize("kind", ["random", "extreme"])
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("name", "function"), sorted(COMPOSITIONS))
def test_composed_equivalent(name, function, backend, kind):
    z, p = _rows(kind, np.random.default_rng(5))
    theirs, theirs_grad = COMPOSITIONS[(name, function)](z, p)
    k = kernel(name, backend)
    ours = k.loss(z, p, reduction="none")
    ours_grad = k.grad(z, p, reduction="sum")
    scale = np.maximum(1.0, np.abs(theirs))  # values differ by rounding relative to the row's terms
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12 * scale.max())
    np.testing.assert_allclose(ours_grad, theirs_grad, rtol=1e-12, atol=1e-13)
