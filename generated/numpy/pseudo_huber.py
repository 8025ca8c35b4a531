# lossgen: generated from specs/pseudo_huber.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: f1e816ef8d820038b7346b642cfa7711b705e13c9cd9e3d779110e507093d27d
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 6c748330f9417ef4c7a6e0164843d2527bb19a04b39f60a1a4c0f45e12ffc870
"""NumPy kernels for ``pseudo_huber`` (Pseudo-Huber loss): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'pseudo_huber'
SPEC_SHA256 = 'f1e816ef8d820038b7346b642cfa7711b705e13c9cd9e3d779110e507093d27d'
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
        _t1 = _t0**2
        _t2 = _t1 + delta**2
        _t3 = np.sqrt(_t2)
        return _shaped(_t1*delta/(_t3 + delta), y_pred)


def loss_and_grad(y_pred, y_true, delta):
    """Per-element loss and gradient (11 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        _t1 = _t0**2
        _t2 = _t1 + delta**2
        _t3 = np.sqrt(_t2)
        return (
            _shaped(_t1*delta/(_t3 + delta), y_pred),
            _shaped(_t0*delta/_t3, y_pred),
        )


def grad(y_pred, y_true, delta):
    """Per-element gradient with respect to the prediction (8 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        _t1 = _t0**2
        _t2 = _t1 + delta**2
        _t3 = np.sqrt(_t2)
        return _shaped(_t0*delta/_t3, y_pred)


def hess(y_pred, y_true, delta):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (8 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        _t1 = _t0**2
        _t2 = _t1 + delta**2
        return _shaped(delta**3/_t2**(1.5), y_pred)
