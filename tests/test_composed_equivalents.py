"""Equivalents that compose library calls (``style = "composed"``), each checked here.

Every composed row in the catalog must have an entry in :data:`COMPOSITIONS`: a function that
evaluates the library's composition, returning per-row values and the gradient of their sum (None
where the library has no gradient, as SciPy).
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


def _optax_dice_loss_one_channel(z, t):
    """optax.losses.dice_loss on one channel (so the sigmoid is applied), the pixels of a row as the spatial axis,
    with tversky's default parameters (α = 0.3, β = 0.7, smooth = 1)."""
    jax = pytest.importorskip("jax")
    optax = pytest.importorskip("optax")
    jax.config.update("jax_enable_x64", True)

    def rows(logits):
        targets = jax.numpy.asarray(t)[..., None]
        return optax.losses.dice_loss(logits[..., None], targets, alpha=0.3, beta=0.7, smooth=1.0)

    return np.asarray(rows(jax.numpy.asarray(z))), np.asarray(jax.grad(lambda a: rows(a).sum())(jax.numpy.asarray(z)))


def _scipy_jensenshannon_squared(z, p):
    """SciPy returns the Jensen-Shannon distance, the square root of the divergence; no gradient."""
    scipy_special = pytest.importorskip("scipy.special")
    from scipy.spatial.distance import jensenshannon

    return jensenshannon(p, scipy_special.softmax(z, axis=-1), axis=-1) ** 2, None


def _scipy_kl_div_row_sum(x, p):
    """SciPy's element-wise kl_div(p, q) = p·log(p/q) − p + q of q = exp(x), summed over the row; no gradient."""
    scipy_special = pytest.importorskip("scipy.special")
    with np.errstate(over="ignore"):
        return scipy_special.kl_div(p, np.exp(x)).sum(axis=-1), None


COMPOSITIONS = {
    ("kl_div_logits", "torch.nn.functional.kl_div"): _torch_kl_div_of_log_softmax,
    ("kl_div_logits", "optax.kl_divergence"): _optax_kl_divergence_of_log_softmax,
    ("tversky", "optax.losses.dice_loss"): _optax_dice_loss_one_channel,
    ("js_divergence", "scipy.spatial.distance.jensenshannon"): _scipy_jensenshannon_squared,
    ("generalized_kl", "scipy.special.kl_div"): _scipy_kl_div_row_sum,
}

#: Inputs a composition is defined on, where not all: SciPy's kl_div takes q = exp(x), which overflows to inf for
#: x > 709.78 (SciPy then returns NaN; lossgen's loss is +inf, as the truth) and underflows to 0 for x < -745
#: (SciPy's p·log(p/q) is then inf; lossgen's p·(log p − x) is finite, as the truth): x is clipped to ±700.
COMPOSITION_INPUTS = {
    ("generalized_kl", "scipy.special.kl_div"): lambda z, p: (np.clip(z, -700.0, 700.0), p),
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
    if (name, function) in COMPOSITION_INPUTS:
        z, p = COMPOSITION_INPUTS[(name, function)](z, p)
    theirs, theirs_grad = COMPOSITIONS[(name, function)](z, p)
    k = kernel(name, backend)
    ours = k.loss(z, p, reduction="none")
    ours_grad = k.grad(z, p, reduction="sum")
    scale = np.maximum(1.0, np.abs(theirs))  # values differ by rounding relative to the row's terms
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12 * scale.max())
    if theirs_grad is not None:  # None: the library has no gradient (SciPy)
        np.testing.assert_allclose(ours_grad, theirs_grad, rtol=1e-12, atol=1e-13)
