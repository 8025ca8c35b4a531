# lossgen: generated from specs/geman_mcclure.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: a88eae8b369eec070fc58bc04ecd3edc7ada7f34b3549dc857cbda293ae01238
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 18d43ba34b69da3218618191ac1f35aa8a73a85fced4504bf24d671c88835304
"""NumPy kernels for ``geman_mcclure`` (Geman-McClure loss): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'geman_mcclure'
SPEC_SHA256 = 'a88eae8b369eec070fc58bc04ecd3edc7ada7f34b3549dc857cbda293ae01238'
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
        _t1 = y_pred - y_true
        _t2 = _t1**2
        _t3 = _t0 + _t2
        _r0 = 1/(_t3)
        return _shaped((0.5)*_r0*_t0*_t2, y_pred)


def loss_and_grad(y_pred, y_true, c):
    """Per-element loss and gradient (12 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**2
        _t1 = y_pred - y_true
        _t2 = _t1**2
        _t3 = _t0 + _t2
        _r0 = 1/(_t3)
        _t4 = c**4
        return (
            _shaped((0.5)*_r0*_t0*_t2, y_pred),
            _shaped(_r0**2*_t1*_t4, y_pred),
        )


def grad(y_pred, y_true, c):
    """Per-element gradient with respect to the prediction (9 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**2
        _t1 = y_pred - y_true
        _t2 = _t1**2
        _t3 = _t0 + _t2
        _r0 = 1/(_t3)
        _t4 = c**4
        return _shaped(_r0**2*_t1*_t4, y_pred)


def hess(y_pred, y_true, c):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (10 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**2
        _t1 = y_pred - y_true
        _t2 = _t1**2
        _t3 = _t0 + _t2
        _t4 = c**4
        return _shaped(_t4*(_t0 - 3*_t2)/_t3**3, y_pred)
