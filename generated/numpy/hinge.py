# lossgen: generated from specs/hinge.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 8a364d230b5c037430f086e71970dc48a0e98fe26203eaaef42665e6ad355a5b
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 2535872a348e28c0dd0288aa3c722ac6c37db1ccb14ecd0a0589cefff3c54130
"""NumPy kernels for ``hinge`` (Hinge loss): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.

Conventions:
- At a branch boundary the derivatives are those of the branch whose condition holds there (conditions are tried in the order declared).
"""

import numpy as np

NAME = 'hinge'
SPEC_SHA256 = '8a364d230b5c037430f086e71970dc48a0e98fe26203eaaef42665e6ad355a5b'
PREDICTION = 'x'
PREDICTION_DOMAIN = 'real'
TARGET = 'y'
TARGET_DOMAIN = 'real'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = ()
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(x, y):
    """Per-element loss (4 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = x*y
        _t1 = np.less(_t0, 1)
        return _shaped(np.where(_t1, 1 - _t0, 0), x)


def loss_and_grad(x, y):
    """Per-element loss and gradient (6 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = x*y
        _t1 = np.less(_t0, 1)
        return (
            _shaped(np.where(_t1, 1 - _t0, 0), x),
            _shaped(np.where(_t1, -y, 0), x),
        )


def grad(x, y):
    """Per-element gradient with respect to the prediction (4 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = x*y
        _t1 = np.less(_t0, 1)
        return _shaped(np.where(_t1, -y, 0), x)


def hess(x, y):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (0 operations after CSE)."""
    with np.errstate(all="ignore"):
        return _shaped(0, x)
