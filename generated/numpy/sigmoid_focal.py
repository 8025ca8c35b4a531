# lossgen: generated from specs/sigmoid_focal.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 92b7ff6f0aceb552d6972967e31efa3749655c1a622c9acaa031bc91c75f42fd
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: f514fb247e5cd2bed58f60448fa18ed2a869eac903612d67035b36359ec5d0a2
"""NumPy kernels for ``sigmoid_focal`` (Sigmoid focal loss): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'sigmoid_focal'
SPEC_SHA256 = '92b7ff6f0aceb552d6972967e31efa3749655c1a622c9acaa031bc91c75f42fd'
PREDICTION = 'x'
PREDICTION_DOMAIN = 'real'
TARGET = 'y'
TARGET_DOMAIN = 'unit_interval'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('gamma', 2.0, 'nonnegative'), ('alpha', 0.25, 'unit_interval'))
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(x, y, gamma, alpha):
    """Per-element loss (28 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y - 1
        _t1 = _t0*(alpha - 1) + alpha*y
        _t2 = np.exp(-abs(x))
        _t3 = np.log1p(_t2)
        _t4 = -_t0*(_t3 + np.maximum(0, x)) + y*(_t3 + np.maximum(0, -x))
        _t5 = 1/(_t2 + 1)
        _t6 = _t2*_t5
        _t7 = np.where(np.less_equal(x, 0), _t5, _t6)
        _t8 = _t7*y
        _t9 = np.where(np.greater_equal(x, 0), _t5, _t6)
        _t10 = _t0*_t9
        _t11 = -_t10 + _t8
        _t12 = _t11**gamma
        return _shaped(_t1*_t12*_t4, x)


def loss_and_grad(x, y, gamma, alpha):
    """Per-element loss and gradient (42 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y - 1
        _t1 = _t0*(alpha - 1) + alpha*y
        _t2 = np.exp(-abs(x))
        _t3 = np.log1p(_t2)
        _t4 = -_t0*(_t3 + np.maximum(0, x)) + y*(_t3 + np.maximum(0, -x))
        _t5 = 1/(_t2 + 1)
        _t6 = _t2*_t5
        _t7 = np.where(np.less_equal(x, 0), _t5, _t6)
        _t8 = _t7*y
        _t9 = np.where(np.greater_equal(x, 0), _t5, _t6)
        _t10 = _t0*_t9
        _t11 = -_t10 + _t8
        _t12 = _t11**gamma
        _t13 = _t10 + _t8
        _t14 = _t7*_t9
        _t15 = gamma - 1
        _t16 = 2*y - 1
        _t17 = _t11**_t15*_t16*gamma
        _t18 = _t17*_t4
        return (
            _shaped(_t1*_t12*_t4, x),
            _shaped(_t1*(-_t12*_t13 - _t14*_t18), x),
        )


def grad(x, y, gamma, alpha):
    """Per-element gradient with respect to the prediction (40 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y - 1
        _t1 = _t0*(alpha - 1) + alpha*y
        _t2 = np.exp(-abs(x))
        _t3 = np.log1p(_t2)
        _t4 = -_t0*(_t3 + np.maximum(0, x)) + y*(_t3 + np.maximum(0, -x))
        _t5 = 1/(_t2 + 1)
        _t6 = _t2*_t5
        _t7 = np.where(np.less_equal(x, 0), _t5, _t6)
        _t8 = _t7*y
        _t9 = np.where(np.greater_equal(x, 0), _t5, _t6)
        _t10 = _t0*_t9
        _t11 = -_t10 + _t8
        _t12 = _t11**gamma
        _t13 = _t10 + _t8
        _t14 = _t7*_t9
        _t15 = gamma - 1
        _t16 = 2*y - 1
        _t17 = _t11**_t15*_t16*gamma
        _t18 = _t17*_t4
        return _shaped(_t1*(-_t12*_t13 - _t14*_t18), x)


def hess(x, y, gamma, alpha):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (53 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y - 1
        _t1 = _t0*(alpha - 1) + alpha*y
        _t2 = np.exp(-abs(x))
        _t3 = np.log1p(_t2)
        _t4 = -_t0*(_t3 + np.maximum(0, x)) + y*(_t3 + np.maximum(0, -x))
        _t5 = 1/(_t2 + 1)
        _t6 = _t2*_t5
        _t7 = np.where(np.less_equal(x, 0), _t5, _t6)
        _t8 = _t7*y
        _t9 = np.where(np.greater_equal(x, 0), _t5, _t6)
        _t10 = _t0*_t9
        _t11 = -_t10 + _t8
        _t12 = _t11**gamma
        _t13 = _t10 + _t8
        _t14 = _t7*_t9
        _t15 = gamma - 1
        _t16 = 2*y - 1
        _t17 = _t11**_t15*_t16*gamma
        _t18 = _t17*_t4
        return _shaped(_t1*_t14*(_t11**(gamma - 2)*_t14*_t15*_t16**2*_t4*gamma + _t12 + 2*_t13*_t17 - _t18*_t7 + _t18*_t9), x)
