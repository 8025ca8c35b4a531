# lossgen: generated from specs/smooth_l1.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 2b646a029785b0c6d5e3d1f432c446e3c8f407a6145f188fbc668f003c8420f9
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: bd40b3801ba1c9cd872ccddd3e094e823a255c57838f0656d70de0aecd0ba57d
"""NumPy kernels for ``smooth_l1`` (Smooth L1 loss): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.

Conventions:
- sign(0) = 0: the derivative of |u| at u = 0 is taken as 0, as PyTorch does.
- At a branch boundary the derivatives are those of the branch whose condition holds there (conditions are tried in the order declared).
- The Hessian is the almost-everywhere second derivative: point masses (Dirac deltas) at kinks are dropped.
"""

import numpy as np

NAME = 'smooth_l1'
SPEC_SHA256 = '2b646a029785b0c6d5e3d1f432c446e3c8f407a6145f188fbc668f003c8420f9'
PREDICTION = 'y_pred'
PREDICTION_DOMAIN = 'real'
TARGET = 'y_true'
TARGET_DOMAIN = 'real'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('beta', 1.0, 'positive'),)
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(y_pred, y_true, beta):
    """Per-element loss (10 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = 1/(beta)
        _t1 = y_pred - y_true
        _t2 = abs(_t1)
        _t3 = np.greater(beta, _t2)
        return _shaped(np.where(_t3, (0.5)*_t0*_t1**2, _t2 - 0.5*beta), y_pred)


def loss_and_grad(y_pred, y_true, beta):
    """Per-element loss and gradient (14 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = 1/(beta)
        _t1 = y_pred - y_true
        _t2 = abs(_t1)
        _t3 = np.greater(beta, _t2)
        return (
            _shaped(np.where(_t3, (0.5)*_t0*_t1**2, _t2 - 0.5*beta), y_pred),
            _shaped(np.where(_t3, _t0*_t1, np.where(np.greater(_t1, 0), 1, np.where(np.less(_t1, 0), -1, 0))), y_pred),
        )


def grad(y_pred, y_true, beta):
    """Per-element gradient with respect to the prediction (8 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = 1/(beta)
        _t1 = y_pred - y_true
        _t2 = abs(_t1)
        _t3 = np.greater(beta, _t2)
        return _shaped(np.where(_t3, _t0*_t1, np.where(np.greater(_t1, 0), 1, np.where(np.less(_t1, 0), -1, 0))), y_pred)


def hess(y_pred, y_true, beta):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (5 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = 1/(beta)
        _t1 = y_pred - y_true
        _t2 = abs(_t1)
        _t3 = np.greater(beta, _t2)
        return _shaped(np.where(_t3, _t0, 0), y_pred)
