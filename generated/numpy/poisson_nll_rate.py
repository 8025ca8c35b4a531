# lossgen: generated from specs/poisson_nll_rate.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: cf9bb941c2a29c65e59f4c6403409d34f52a88da5e21d710a264d6750ab67701
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: cbafa0fde2791c5aea86a6512d0931e8e18605bcb60e08cad960019f07b06520
"""NumPy kernels for ``poisson_nll_rate`` (Poisson negative log-likelihood (rate)): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.

Conventions:
- At a branch boundary the derivatives are those of the branch whose condition holds there (conditions are tried in the order declared).
- For λ < 0 (not a rate) the loss is its value at λ = 0, −y·log ε, with zero derivatives; PyTorch returns NaN for λ < −ε.
"""

import numpy as np

NAME = 'poisson_nll_rate'
SPEC_SHA256 = 'cf9bb941c2a29c65e59f4c6403409d34f52a88da5e21d710a264d6750ab67701'
PREDICTION = 'lam'
PREDICTION_DOMAIN = 'real'
TARGET = 'y'
TARGET_DOMAIN = 'nonnegative'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('eps', 1e-08, 'positive'),)
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(lam, y, eps):
    """Per-element loss (9 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = eps + lam
        _t1 = np.greater_equal(lam, 0)
        return _shaped(np.where(_t1, lam - y*np.log(_t0), -y*np.log(eps)), lam)


def loss_and_grad(lam, y, eps):
    """Per-element loss and gradient (12 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = eps + lam
        _t1 = np.greater_equal(lam, 0)
        return (
            _shaped(np.where(_t1, lam - y*np.log(_t0), -y*np.log(eps)), lam),
            _shaped(np.where(_t1, 1 - y/_t0, 0), lam),
        )


def grad(lam, y, eps):
    """Per-element gradient with respect to the prediction (5 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = eps + lam
        _t1 = np.greater_equal(lam, 0)
        return _shaped(np.where(_t1, 1 - y/_t0, 0), lam)


def hess(lam, y, eps):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (5 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = eps + lam
        _t1 = np.greater_equal(lam, 0)
        return _shaped(np.where(_t1, y/_t0**2, 0), lam)
