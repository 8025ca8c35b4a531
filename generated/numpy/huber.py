# lossgen: generated from specs/huber.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 58f82a48377e5f75341117ea32b1d81f08ee90287b456614c009262f04099c0f
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 7c84ee74ee222276eca415189831a25631ef4916d6b94ced732ea1a299d420ed
"""NumPy kernels for ``huber`` (Huber loss): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.

Conventions:
- sign(0) = 0: the derivative of |u| at u = 0 is taken as 0, as PyTorch does.
- At a branch boundary the derivatives are those of the branch whose condition holds there (conditions are tried in the order declared).
- The Hessian is the almost-everywhere second derivative: point masses (Dirac deltas) at kinks are dropped.
"""

import numpy as np

NAME = 'huber'
SPEC_SHA256 = '58f82a48377e5f75341117ea32b1d81f08ee90287b456614c009262f04099c0f'
PREDICTION = 'y_pred'
PREDICTION_DOMAIN = 'real'
TARGET = 'y_true'
TARGET_DOMAIN = 'real'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('delta', 1.0, 'positive'),)
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(y_pred, y_true, delta):
    """Per-element loss (9 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        _t1 = abs(_t0)
        _t2 = np.greater_equal(delta, _t1)
        return _shaped(np.where(_t2, (0.5)*_t0**2, delta*(_t1 - 0.5*delta)), y_pred)


def loss_and_grad(y_pred, y_true, delta):
    """Per-element loss and gradient (13 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        _t1 = abs(_t0)
        _t2 = np.greater_equal(delta, _t1)
        return (
            _shaped(np.where(_t2, (0.5)*_t0**2, delta*(_t1 - 0.5*delta)), y_pred),
            _shaped(np.where(_t2, _t0, delta*np.where(np.greater(_t0, 0), 1, np.where(np.less(_t0, 0), -1, 0))), y_pred),
        )


def grad(y_pred, y_true, delta):
    """Per-element gradient with respect to the prediction (7 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        _t1 = abs(_t0)
        _t2 = np.greater_equal(delta, _t1)
        return _shaped(np.where(_t2, _t0, delta*np.where(np.greater(_t0, 0), 1, np.where(np.less(_t0, 0), -1, 0))), y_pred)


def hess(y_pred, y_true, delta):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (4 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        _t1 = abs(_t0)
        _t2 = np.greater_equal(delta, _t1)
        return _shaped(np.where(_t2, 1, 0), y_pred)
