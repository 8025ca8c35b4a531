# lossgen: generated from specs/sigmoid_focal.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 92b7ff6f0aceb552d6972967e31efa3749655c1a622c9acaa031bc91c75f42fd
# lossgen-generator: e6cdadca69ef9881
# lossgen-content-sha256: a58d62169bea12a251c926b5edfca6905a4c04ee0b11fa9b6dc8b723f047447a
"""NumPy kernels for ``sigmoid_focal`` (Sigmoid focal loss): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'sigmoid_focal'
SPEC_SHA256 = '92b7ff6f0aceb552d6972967e31efa3749655c1a622c9acaa031bc91c75f42fd'
PREDICTION = 'x'
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
    """Per-element loss (29 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = alpha*y
        _t1 = alpha - 1
        _t2 = y - 1
        _t3 = -_t2
        _t4 = np.exp(-abs(x))
        _t5 = np.log1p(_t4)
        _t6 = y*(_t5 + np.maximum(0, -x))
        _t7 = _t5 + np.maximum(0, x)
        _t8 = 1/(_t4 + 1)
        _t9 = _t4*_t8
        _t10 = np.where(np.less_equal(x, 0), _t8, _t9)
        _t11 = _t10*y
        _t12 = np.where(np.greater_equal(x, 0), _t8, _t9)
        return _shaped((_t0 - _t1*_t3)*(_t11 + _t12*_t3)**gamma*(_t3*_t7 + _t6), x)


def loss_and_grad(x, y, gamma, alpha):
    """Per-element loss and gradient (50 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = alpha*y
        _t1 = alpha - 1
        _t2 = y - 1
        _t3 = -_t2
        _t4 = np.exp(-abs(x))
        _t5 = np.log1p(_t4)
        _t6 = y*(_t5 + np.maximum(0, -x))
        _t7 = _t5 + np.maximum(0, x)
        _t8 = 1/(_t4 + 1)
        _t9 = _t4*_t8
        _t10 = np.where(np.less_equal(x, 0), _t8, _t9)
        _t11 = _t10*y
        _t12 = np.where(np.greater_equal(x, 0), _t8, _t9)
        _t13 = _t0 + _t1*_t2
        _t14 = _t12*_t2
        _t15 = _t11 + _t14
        _t16 = _t11 - _t14
        _t17 = _t16**gamma
        _t18 = _t10*_t12
        _t19 = -_t2*_t7 + _t6
        _t20 = gamma - 1
        _t21 = 2*y - 1
        _t22 = _t16**_t20*_t21*gamma
        _t23 = _t19*_t22
        return (
            _shaped((_t0 - _t1*_t3)*(_t11 + _t12*_t3)**gamma*(_t3*_t7 + _t6), x),
            _shaped(_t13*(-_t15*_t17 - _t18*_t23), x),
        )


def grad(x, y, gamma, alpha):
    """Per-element gradient with respect to the prediction (40 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = alpha*y
        _t1 = alpha - 1
        _t2 = y - 1
        _t4 = np.exp(-abs(x))
        _t5 = np.log1p(_t4)
        _t6 = y*(_t5 + np.maximum(0, -x))
        _t7 = _t5 + np.maximum(0, x)
        _t8 = 1/(_t4 + 1)
        _t9 = _t4*_t8
        _t10 = np.where(np.less_equal(x, 0), _t8, _t9)
        _t11 = _t10*y
        _t12 = np.where(np.greater_equal(x, 0), _t8, _t9)
        _t13 = _t0 + _t1*_t2
        _t14 = _t12*_t2
        _t15 = _t11 + _t14
        _t16 = _t11 - _t14
        _t17 = _t16**gamma
        _t18 = _t10*_t12
        _t19 = -_t2*_t7 + _t6
        _t20 = gamma - 1
        _t21 = 2*y - 1
        _t22 = _t16**_t20*_t21*gamma
        _t23 = _t19*_t22
        return _shaped(_t13*(-_t15*_t17 - _t18*_t23), x)


def hess(x, y, gamma, alpha):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (53 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = alpha*y
        _t1 = alpha - 1
        _t2 = y - 1
        _t4 = np.exp(-abs(x))
        _t5 = np.log1p(_t4)
        _t6 = y*(_t5 + np.maximum(0, -x))
        _t7 = _t5 + np.maximum(0, x)
        _t8 = 1/(_t4 + 1)
        _t9 = _t4*_t8
        _t10 = np.where(np.less_equal(x, 0), _t8, _t9)
        _t11 = _t10*y
        _t12 = np.where(np.greater_equal(x, 0), _t8, _t9)
        _t13 = _t0 + _t1*_t2
        _t14 = _t12*_t2
        _t15 = _t11 + _t14
        _t16 = _t11 - _t14
        _t17 = _t16**gamma
        _t18 = _t10*_t12
        _t19 = -_t2*_t7 + _t6
        _t20 = gamma - 1
        _t21 = 2*y - 1
        _t22 = _t16**_t20*_t21*gamma
        _t23 = _t19*_t22
        return _shaped(_t13*_t18*(-_t10*_t23 + _t12*_t23 + 2*_t15*_t22 + _t16**(gamma - 2)*_t18*_t19*_t20*_t21**2*gamma + _t17), x)
