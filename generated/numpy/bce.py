# lossgen: generated from specs/bce.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: eef25dcbe9cdf854d6cf3578ea733ba80c72d20dbf62b96c8bd239e1fceb6f73
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 3218cc3ae5cc49a30760bbc0960fc6d679829d80b202425b8c3ec56ab9459800
"""NumPy kernels for ``bce`` (Binary cross-entropy on probabilities): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.

Conventions:
- At a branch boundary the derivatives are those of the branch whose condition holds there (conditions are tried in the order declared).
- log p and log(1 − p) are clamped below at −100 (PyTorch): the loss is finite at p = 0 and p = 1, and the clamped term has derivative 0.
"""

import numpy as np

NAME = 'bce'
SPEC_SHA256 = 'eef25dcbe9cdf854d6cf3578ea733ba80c72d20dbf62b96c8bd239e1fceb6f73'
PREDICTION = 'p'
PREDICTION_DOMAIN = 'unit_interval'
TARGET = 'y'
TARGET_DOMAIN = 'unit_interval'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = ()
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(p, y):
    """Per-element loss (17 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(-100)
        _t1 = np.greater(p, _t0)
        _t2 = 1 - y
        _t3 = np.less(p, 1 - _t0)
        return _shaped(-_t2*np.where(_t3, np.log1p(-p), -100) - y*np.where(_t1, np.log(p), -100), p)


def loss_and_grad(p, y):
    """Per-element loss and gradient (27 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(-100)
        _t1 = np.greater(p, _t0)
        _t2 = 1 - y
        _t3 = np.less(p, 1 - _t0)
        _t4 = 1 - p
        return (
            _shaped(-_t2*np.where(_t3, np.log1p(-p), -100) - y*np.where(_t1, np.log(p), -100), p),
            _shaped(-_t2*np.where(_t3, -1/_t4, 0) - y*np.where(_t1, 1/(p), 0), p),
        )


def grad(p, y):
    """Per-element gradient with respect to the prediction (16 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(-100)
        _t1 = np.greater(p, _t0)
        _t2 = 1 - y
        _t3 = np.less(p, 1 - _t0)
        _t4 = 1 - p
        return _shaped(-_t2*np.where(_t3, -1/_t4, 0) - y*np.where(_t1, 1/(p), 0), p)


def hess(p, y):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (19 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(-100)
        _t1 = np.greater(p, _t0)
        _t2 = 1 - y
        _t3 = np.less(p, 1 - _t0)
        _t4 = 1 - p
        return _shaped(-_t2*np.where(_t3, -1/_t4**2, 0) - y*np.where(_t1, -1/p**2, 0), p)
