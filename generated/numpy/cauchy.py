# lossgen: generated from specs/cauchy.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 9f13da1db6cfb5f4f69aea4d2d0a633d1263be9cd470b7981a0b94b961cd6aea
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 18643319964dec81b6820845eb3a329fac97de321bb29df8441244542418f64d
"""NumPy kernels for ``cauchy`` (Cauchy (Lorentzian) loss): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'cauchy'
SPEC_SHA256 = '9f13da1db6cfb5f4f69aea4d2d0a633d1263be9cd470b7981a0b94b961cd6aea'
PREDICTION = 'y_pred'
PREDICTION_DOMAIN = 'real'
TARGET = 'y_true'
TARGET_DOMAIN = 'real'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('c', 1.0, 'positive'),)
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(y_pred, y_true, c):
    """Per-element loss (8 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**2
        _r0 = 1/(_t0)
        _t1 = y_pred - y_true
        _t2 = _t1**2
        return _shaped((0.5)*_t0*np.log1p(_r0*_t2), y_pred)


def loss_and_grad(y_pred, y_true, c):
    """Per-element loss and gradient (11 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**2
        _r0 = 1/(_t0)
        _t1 = y_pred - y_true
        _t2 = _t1**2
        _t3 = _t0 + _t2
        return (
            _shaped((0.5)*_t0*np.log1p(_r0*_t2), y_pred),
            _shaped(_t0*_t1/_t3, y_pred),
        )


def grad(y_pred, y_true, c):
    """Per-element gradient with respect to the prediction (6 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**2
        _t1 = y_pred - y_true
        _t2 = _t1**2
        _t3 = _t0 + _t2
        return _shaped(_t0*_t1/_t3, y_pred)


def hess(y_pred, y_true, c):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (8 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**2
        _t1 = y_pred - y_true
        _t2 = _t1**2
        _t3 = _t0 + _t2
        return _shaped(_t0*(_t0 - _t2)/_t3**2, y_pred)
