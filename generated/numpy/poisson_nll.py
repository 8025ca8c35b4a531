# lossgen: generated from specs/poisson_nll.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 8b1041103d219ffcbe5aa6a82a7b5606d8d6b0e1eb544c2712375e7800e95bea
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 37186fceea367e60b227dc950dfcb16e241012f41271aebf5cd77ef26f9b29f2
"""NumPy kernels for ``poisson_nll`` (Poisson negative log-likelihood (log rate)): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'poisson_nll'
SPEC_SHA256 = '8b1041103d219ffcbe5aa6a82a7b5606d8d6b0e1eb544c2712375e7800e95bea'
PREDICTION = 'x'
PREDICTION_DOMAIN = 'real'
TARGET = 'y'
TARGET_DOMAIN = 'nonnegative'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = ()
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(x, y):
    """Per-element loss (5 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(x)
        _t1 = -_t0
        return _shaped(-_t1 - x*y, x)


def loss_and_grad(x, y):
    """Per-element loss and gradient (7 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(x)
        _t1 = -_t0
        return (
            _shaped(-_t1 - x*y, x),
            _shaped(-_t1 - y, x),
        )


def grad(x, y):
    """Per-element gradient with respect to the prediction (4 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(x)
        _t1 = -_t0
        return _shaped(-_t1 - y, x)


def hess(x, y):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (1 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(x)
        return _shaped(_t0, x)
