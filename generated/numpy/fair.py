# lossgen: generated from specs/fair.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: a7ca6257944a036d689b7602394f2e757669d04f97a226c222ccd76c51e31807
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 7b36095b7bb5ce3079acb429b66d196421251bdc22f450cce3dd00a2a7769b42
"""NumPy kernels for ``fair`` (Fair loss): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.

Conventions:
- sign(0) = 0: the derivative of |u| at u = 0 is taken as 0, as PyTorch does.
"""

import numpy as np

NAME = 'fair'
SPEC_SHA256 = 'a7ca6257944a036d689b7602394f2e757669d04f97a226c222ccd76c51e31807'
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
    """Per-element loss (114 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**2
        _t1 = 1/(c)
        _t2 = y_pred - y_true
        _t3 = abs(_t2)
        _t4 = _t1*_t3
        _t5 = _t4 + 2
        _r0 = 1/(_t5)
        _t6 = 1/(_t0)
        _t7 = _t2**2
        _t8 = _r0**2
        _t9 = _t6*_t7*_t8
        return _shaped(-_t0*np.where(np.less(_t1*abs(_t3), 0.5), _r0*_t4*(-_t4 + 2*_t6*_t7*_t8*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(((1.0 / 61.0))*_t9 + (1.0 / 59.0)) + (1.0 / 57.0)) + (1.0 / 55.0)) + (1.0 / 53.0)) + (1.0 / 51.0)) + (1.0 / 49.0)) + (1.0 / 47.0)) + (1.0 / 45.0)) + (1.0 / 43.0)) + (1.0 / 41.0)) + (1.0 / 39.0)) + (1.0 / 37.0)) + (1.0 / 35.0)) + (1.0 / 33.0)) + (1.0 / 31.0)) + (1.0 / 29.0)) + (1.0 / 27.0)) + (1.0 / 25.0)) + (1.0 / 23.0)) + (1.0 / 21.0)) + (1.0 / 19.0)) + (1.0 / 17.0)) + (1.0 / 15.0)) + (1.0 / 13.0)) + (1.0 / 11.0)) + (1.0 / 9.0)) + (1.0 / 7.0)) + (1.0 / 5.0)) + (1.0 / 3.0))), -_t4 + np.log1p(_t4)), y_pred)


def loss_and_grad(y_pred, y_true, c):
    """Per-element loss and gradient (117 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**2
        _t1 = 1/(c)
        _t2 = y_pred - y_true
        _t3 = abs(_t2)
        _t4 = _t1*_t3
        _t5 = _t4 + 2
        _r0 = 1/(_t5)
        _t6 = 1/(_t0)
        _t7 = _t2**2
        _t8 = _r0**2
        _t9 = _t6*_t7*_t8
        _t10 = _t3 + c
        return (
            _shaped(-_t0*np.where(np.less(_t1*abs(_t3), 0.5), _r0*_t4*(-_t4 + 2*_t6*_t7*_t8*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(_t9*(((1.0 / 61.0))*_t9 + (1.0 / 59.0)) + (1.0 / 57.0)) + (1.0 / 55.0)) + (1.0 / 53.0)) + (1.0 / 51.0)) + (1.0 / 49.0)) + (1.0 / 47.0)) + (1.0 / 45.0)) + (1.0 / 43.0)) + (1.0 / 41.0)) + (1.0 / 39.0)) + (1.0 / 37.0)) + (1.0 / 35.0)) + (1.0 / 33.0)) + (1.0 / 31.0)) + (1.0 / 29.0)) + (1.0 / 27.0)) + (1.0 / 25.0)) + (1.0 / 23.0)) + (1.0 / 21.0)) + (1.0 / 19.0)) + (1.0 / 17.0)) + (1.0 / 15.0)) + (1.0 / 13.0)) + (1.0 / 11.0)) + (1.0 / 9.0)) + (1.0 / 7.0)) + (1.0 / 5.0)) + (1.0 / 3.0))), -_t4 + np.log1p(_t4)), y_pred),
            _shaped(_t2*c/_t10, y_pred),
        )


def grad(y_pred, y_true, c):
    """Per-element gradient with respect to the prediction (5 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t2 = y_pred - y_true
        _t3 = abs(_t2)
        _t10 = _t3 + c
        return _shaped(_t2*c/_t10, y_pred)


def hess(y_pred, y_true, c):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (6 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**2
        _t2 = y_pred - y_true
        _t3 = abs(_t2)
        _t10 = _t3 + c
        return _shaped(_t0/_t10**2, y_pred)
