"""Relations between catalog losses that their summaries state: special cases, limits and reparametrizations.

Each relation is checked on the kernels themselves (values, gradients and Hessian diagonals, NumPy backend, float64),
so a spec that drifts from a stated relation fails here even where no library implements it (Barron's limits, the
Tweedie power's special cases, Dice as Tversky with α = β = ½, ...).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import kernel

RTOL = 1e-12


def _all(name: str, pred, target, **params) -> dict[str, np.ndarray]:
    k = kernel(name, "numpy")
    return {
        "loss": k.loss(pred, target, reduction="none", **params),
        "grad": k.grad(pred, target, reduction="none", **params),
        "hess": k.hess(pred, target, reduction="none", **params),
    }


def _assert_scaled(ours: dict, theirs: dict, scale: float = 1.0, rtol: float = RTOL, quantities=None) -> None:
    for quantity in quantities or ("loss", "grad", "hess"):
        largest = np.max(np.abs(theirs[quantity]), initial=0.0)
        np.testing.assert_allclose(
            ours[quantity], scale * theirs[quantity], rtol=rtol, atol=rtol * abs(scale) * largest, err_msg=quantity
        )


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(3)
    target = rng.normal(size=200)
    pred = target + np.concatenate([rng.normal(scale=0.3, size=100), rng.normal(scale=30.0, size=100)])
    return pred, target


@pytest.mark.parametrize("c", [0.5, 1.0, 2.0])
def test_barron_special_cases(regression, c):
    """Barron's α = 0, 2, 1, −2 are the Cauchy, L2, pseudo-Huber and Geman-McClure losses (suitably scaled)."""
    pred, target = regression
    root2 = np.sqrt(2.0)
    _assert_scaled(_all("cauchy", pred, target, c=c), _all("barron", pred, target, alpha=0.0, c=c / root2), c**2 / 2)
    _assert_scaled(_all("l2", pred, target), _all("barron", pred, target, alpha=2.0, c=c), c**2)
    _assert_scaled(_all("pseudo_huber", pred, target, delta=c), _all("barron", pred, target, alpha=1.0, c=c), c**2)
    _assert_scaled(
        _all("geman_mcclure", pred, target, c=c), _all("barron", pred, target, alpha=-2.0, c=c / 2), c**2 / 4
    )


def test_barron_is_continuous_at_its_limits(regression):
    """The general formula next to α = 0 and α = 2 approaches the special cases used there."""
    pred, target = regression
    for alpha in (0.0, 2.0):
        at = _all("barron", pred, target, alpha=alpha)
        for offset in (1e-9, -1e-9):
            _assert_scaled(_all("barron", pred, target, alpha=alpha + offset), at, rtol=1e-7)


def test_l2_is_half_mse(regression):
    pred, target = regression
    _assert_scaled(_all("l2", pred, target), _all("mse", pred, target), 0.5)


def test_fair_derivatives_are_lightgbms(regression):
    """LightGBM's objective "fair" (documented row): gradient c·r/(|r| + c), Hessian c²/(|r| + c)²."""
    pred, target = regression
    r, c = pred - target, 1.7
    ours = _all("fair", pred, target, c=c)
    np.testing.assert_allclose(ours["grad"], c * r / (np.abs(r) + c), rtol=1e-14)
    np.testing.assert_allclose(ours["hess"], c**2 / (np.abs(r) + c) ** 2, rtol=1e-14)


def test_tweedie_special_cases_are_poisson_and_gamma():
    rng = np.random.default_rng(4)
    x = rng.normal(scale=2.0, size=200)
    y = rng.lognormal(size=200)
    _assert_scaled(_all("tweedie_nll", x, y, rho=1.0), _all("poisson_nll", x, y))
    _assert_scaled(_all("tweedie_nll", x, y, rho=2.0), _all("gamma_nll", x, y))
    # Gradient and Hessian are continuous in ρ (the values differ from the limits by target-only terms).
    for rho, limit in ((1.0, "poisson_nll"), (2.0, "gamma_nll")):
        for offset in (1e-9, -1e-9):
            near = _all("tweedie_nll", x, y, rho=rho + offset)
            _assert_scaled(near, _all(limit, x, y), rtol=1e-6, quantities=("grad", "hess"))


def test_soft_margin_is_bce_with_logits_of_01_labels():
    rng = np.random.default_rng(5)
    x = rng.normal(scale=5.0, size=200)
    y = rng.choice([-1.0, 1.0], size=200)
    _assert_scaled(_all("soft_margin", x, y), _all("bce_with_logits", x, (y + 1) / 2))


def test_squared_hinge_is_the_square_of_hinge():
    rng = np.random.default_rng(6)
    x = rng.normal(scale=2.0, size=200)
    y = rng.choice([-1.0, 1.0], size=200)
    hinge = _all("hinge", x, y)
    squared = _all("squared_hinge", x, y)
    np.testing.assert_allclose(squared["loss"], hinge["loss"] ** 2, rtol=RTOL)
    np.testing.assert_allclose(squared["grad"], 2 * hinge["loss"] * hinge["grad"], rtol=RTOL)


def test_bce_is_bce_with_logits_of_the_logit():
    """Away from PyTorch's −100 clamp (p in [e^−100, 1 − e^−100]) bce(p) = bce_with_logits(logit(p))."""
    rng = np.random.default_rng(7)
    p = np.concatenate([rng.uniform(size=100), 10.0 ** rng.uniform(-40, -1, size=50)])
    y = rng.uniform(size=p.size)
    bce = kernel("bce", "numpy").loss(p, y, reduction="none")
    with_logits = kernel("bce_with_logits", "numpy").loss(np.log(p) - np.log1p(-p), y, reduction="none")
    np.testing.assert_allclose(bce, with_logits, rtol=1e-13)
    # The clamp: at p = 0 and p = 1 each log counts as −100.
    np.testing.assert_array_equal(
        kernel("bce", "numpy").loss(np.array([0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.5]), reduction="none"),
        [100.0, 100.0, 50.0],
    )


@pytest.fixture(scope="module")
def rows():
    rng = np.random.default_rng(8)
    z = rng.normal(scale=3.0, size=(40, 6))
    p = rng.dirichlet(np.ones(6), size=40)
    p[::3] = np.eye(6)[rng.integers(0, 6, size=14)]
    return z, p


def test_dice_is_tversky_with_equal_weights(rows):
    z, t = rows
    _assert_scaled(_all("dice", z, t, smooth=0.7), _all("tversky", z, t, alpha=0.5, beta=0.5, smooth=0.7))


def test_poly1_with_zero_epsilon_is_softmax_cross_entropy(rows):
    z, p = rows
    _assert_scaled(_all("poly1_cross_entropy", z, p, epsilon=0.0), _all("softmax_cross_entropy", z, p))


def test_kl_div_log_target_is_kl_div_of_the_log(rows):
    z, p = rows
    log_q = z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))
    p = np.clip(p, 1e-12, None) / np.sum(np.clip(p, 1e-12, None), axis=-1, keepdims=True)  # finite log-targets
    _assert_scaled(_all("kl_div_log_target", log_q, np.log(p)), _all("kl_div", log_q, p), rtol=1e-11)


def test_generalized_kl_is_kl_for_normalized_measures(rows):
    """Σ (p log(p/q) − p + q) = KL(p ‖ q) when p and q = exp(x) both sum to 1 (gradients differ: q is free)."""
    z, p = rows
    log_q = z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))
    ours = kernel("generalized_kl", "numpy").loss(log_q, p, reduction="none")
    np.testing.assert_allclose(ours, kernel("kl_div", "numpy").loss(log_q, p, reduction="none"), atol=1e-14)


def test_js_divergence_bounds_and_symmetry(rows):
    """0 ≤ JS ≤ log 2, 0 at q = p, and the same value with the roles of p and q swapped."""
    z, p = rows
    k = kernel("js_divergence", "numpy")
    js = k.loss(z, p, reduction="none")
    assert np.all(js >= 0) and np.all(js <= np.log(2))
    q = np.exp(z - np.max(z, axis=-1, keepdims=True))
    q /= q.sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(k.loss(np.log(p + 1e-300), q, reduction="none"), js, rtol=1e-12, atol=1e-15)
    interior = p[1::3]  # rows without zeros: z = log p gives q = p
    np.testing.assert_allclose(k.loss(np.log(interior), interior, reduction="none"), 0.0, atol=1e-15)
