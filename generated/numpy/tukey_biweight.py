# lossgen: generated from specs/tukey_biweight.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 933de657423724e9438746c2d8dc364183f73ee64ab6eff3bbbc051dd06aae40
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 5d5fe53baa59143e9fa952f18da8a61c5867f6ac060766212f967743935a40e8
"""NumPy kernels for ``tukey_biweight`` (Tukey's biweight (bisquare) loss): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.

Conventions:
- sign(0) = 0: the derivative of |u| at u = 0 is taken as 0, as PyTorch does.
- At a branch boundary the derivatives are those of the branch whose condition holds there (conditions are tried in the order declared).
"""

import numpy as np

NAME = 'tukey_biweight'
SPEC_SHA256 = '933de657423724e9438746c2d8dc364183f73ee64ab6eff3bbbc051dd06aae40'
PREDICTION = 'y_pred'
PREDICTION_DOMAIN = 'real'
TARGET = 'y_true'
TARGET_DOMAIN = 'real'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('c', 4.685, 'positive'),)
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(y_pred, y_true, c):
    """Per-element loss (30 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        _t1 = c**(-4.0)
        _t2 = ((1.0 / 6.0))*_t1
        _t3 = c**2
        _r0 = 1/(_t3)
        _t4 = abs(_t0)
        _t5 = np.greater_equal(c, 2*_t4)
        _t6 = c - y_pred + y_true
        _t7 = _t0 + c
        _t11 = _t6*_t7
        _t8 = np.greater_equal(c, _t4)
        return _shaped(np.where(_t5, -0.5*_r0*_t0**4 + _t0**6*_t2 + (0.5)*_t0**2, np.where(_t8, _t2*(-_t11**3 + c**6), ((1.0 / 6.0))*_t3)), y_pred)


def loss_and_grad(y_pred, y_true, c):
    """Per-element loss and gradient (35 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        _t1 = c**(-4.0)
        _t2 = ((1.0 / 6.0))*_t1
        _t3 = c**2
        _r0 = 1/(_t3)
        _t4 = abs(_t0)
        _t5 = np.greater_equal(c, 2*_t4)
        _t6 = c - y_pred + y_true
        _t7 = _t0 + c
        _t11 = _t6*_t7
        _t8 = np.greater_equal(c, _t4)
        _t9 = _t0*_t1*_t11**2
        return (
            _shaped(np.where(_t5, -0.5*_r0*_t0**4 + _t0**6*_t2 + (0.5)*_t0**2, np.where(_t8, _t2*(-_t11**3 + c**6), ((1.0 / 6.0))*_t3)), y_pred),
            _shaped(np.where(_t5, _t9, np.where(_t8, _t9, 0)), y_pred),
        )


def grad(y_pred, y_true, c):
    """Per-element gradient with respect to the prediction (16 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        _t1 = c**(-4.0)
        _t4 = abs(_t0)
        _t5 = np.greater_equal(c, 2*_t4)
        _t6 = c - y_pred + y_true
        _t7 = _t0 + c
        _t11 = _t6*_t7
        _t8 = np.greater_equal(c, _t4)
        _t9 = _t0*_t1*_t11**2
        return _shaped(np.where(_t5, _t9, np.where(_t8, _t9, 0)), y_pred)


def hess(y_pred, y_true, c):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (20 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        _t1 = c**(-4.0)
        _t4 = abs(_t0)
        _t5 = np.greater_equal(c, 2*_t4)
        _t6 = c - y_pred + y_true
        _t7 = _t0 + c
        _t11 = _t6*_t7
        _t8 = np.greater_equal(c, _t4)
        _t10 = 2*_t0
        _t12 = _t1*_t11*(_t10*_t6 - _t10*_t7 + _t11)
        return _shaped(np.where(_t5, _t12, np.where(_t8, _t12, 0)), y_pred)
