# lossgen: generated from specs/tweedie_nll.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 11ec007ca25343cc410f5d72321e95b6864f1ec8a90bc4059de620722c1974c7
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 318deffc99e21435fc3af94882b1a2e69e4a35d04917733b96e314738363410c
"""NumPy kernels for ``tweedie_nll`` (Tweedie negative log-likelihood (log link)): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.

Conventions:
- At a branch boundary the derivatives are those of the branch whose condition holds there (conditions are tried in the order declared).
"""

import numpy as np

NAME = 'tweedie_nll'
SPEC_SHA256 = '11ec007ca25343cc410f5d72321e95b6864f1ec8a90bc4059de620722c1974c7'
PREDICTION = 'x'
PREDICTION_DOMAIN = 'real'
TARGET = 'y'
TARGET_DOMAIN = 'nonnegative'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('rho', 1.5, 'positive'),)
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(x, y, rho):
    """Per-element loss (58 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(x)
        _t1 = -_t0
        _t2 = np.equal(rho, 1)
        _t3 = np.equal(y, 0)
        _t4 = np.maximum(-800, np.log(y))
        _t5 = -_t4
        _t6 = np.where(_t3, 0, np.where(np.less(abs(x), 700), y*np.exp(-x), np.exp(-_t5 - x)))
        _t7 = np.equal(rho, 2)
        _t8 = rho - 2
        _t9 = np.exp(-_t8*x)
        _t10 = 1/(-rho + np.where(_t7, 1, 0) + 2)
        _t11 = rho - 1
        _t12 = 1/(_t11 + np.where(_t2, 1, 0))
        _t13 = np.greater(rho, 2)
        _t14 = np.less(x, 0)
        _t15 = np.greater(x, 0)
        _t16 = np.less(rho, 1)
        _t17 = -_t11*x
        _t18 = _t11*x
        _t19 = np.less(abs(_t18), 700)
        _t20 = np.where(_t3, 0, np.where(_t19, y*np.exp(_t17), np.exp(_t17 + _t4)))
        return _shaped(np.where(_t2, -_t1 - x*y, np.where(_t7, _t6 + x, np.where(((_t13 & _t14) | (_t15 & _t16)), _t9*(_t10 + _t12*_t6), _t10*_t9 + _t12*_t20))), x)


def loss_and_grad(x, y, rho):
    """Per-element loss and gradient (77 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(x)
        _t1 = -_t0
        _t2 = np.equal(rho, 1)
        _t3 = np.equal(y, 0)
        _t4 = np.maximum(-800, np.log(y))
        _t5 = -_t4
        _t6 = np.where(_t3, 0, np.where(np.less(abs(x), 700), y*np.exp(-x), np.exp(-_t5 - x)))
        _t7 = np.equal(rho, 2)
        _t8 = rho - 2
        _t9 = np.exp(-_t8*x)
        _t10 = 1/(-rho + np.where(_t7, 1, 0) + 2)
        _t11 = rho - 1
        _t12 = 1/(_t11 + np.where(_t2, 1, 0))
        _t13 = np.greater(rho, 2)
        _t14 = np.less(x, 0)
        _t15 = np.greater(x, 0)
        _t16 = np.less(rho, 1)
        _t17 = -_t11*x
        _t18 = _t11*x
        _t19 = np.less(abs(_t18), 700)
        _t20 = np.where(_t3, 0, np.where(_t19, y*np.exp(_t17), np.exp(_t17 + _t4)))
        _t21 = _t6 - 1
        _t22 = -_t21
        _t23 = -_t6
        _t24 = (_t13 | _t15)
        _t25 = (_t13 | _t16)
        _t26 = (_t14 | _t16)
        return (
            _shaped(np.where(_t2, -_t1 - x*y, np.where(_t7, _t6 + x, np.where(((_t13 & _t14) | (_t15 & _t16)), _t9*(_t10 + _t12*_t6), _t10*_t9 + _t12*_t20))), x),
            _shaped(np.where(_t2, -_t1 - y, np.where(_t7, _t22, np.where((_t24 & _t25 & _t26 & (_t14 | _t15)), np.where(_t2, _t0, np.where(_t7, _t23, _t22*_t9)), np.where(_t2, _t0, np.where(_t7, _t23, -_t20 + _t9))))), x),
        )


def grad(x, y, rho):
    """Per-element gradient with respect to the prediction (54 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(x)
        _t1 = -_t0
        _t2 = np.equal(rho, 1)
        _t3 = np.equal(y, 0)
        _t4 = np.maximum(-800, np.log(y))
        _t5 = -_t4
        _t6 = np.where(_t3, 0, np.where(np.less(abs(x), 700), y*np.exp(-x), np.exp(-_t5 - x)))
        _t7 = np.equal(rho, 2)
        _t8 = rho - 2
        _t9 = np.exp(-_t8*x)
        _t11 = rho - 1
        _t13 = np.greater(rho, 2)
        _t14 = np.less(x, 0)
        _t15 = np.greater(x, 0)
        _t16 = np.less(rho, 1)
        _t17 = -_t11*x
        _t18 = _t11*x
        _t19 = np.less(abs(_t18), 700)
        _t20 = np.where(_t3, 0, np.where(_t19, y*np.exp(_t17), np.exp(_t17 + _t4)))
        _t21 = _t6 - 1
        _t22 = -_t21
        _t23 = -_t6
        _t24 = (_t13 | _t15)
        _t25 = (_t13 | _t16)
        _t26 = (_t14 | _t16)
        return _shaped(np.where(_t2, -_t1 - y, np.where(_t7, _t22, np.where((_t24 & _t25 & _t26 & (_t14 | _t15)), np.where(_t2, _t0, np.where(_t7, _t23, _t22*_t9)), np.where(_t2, _t0, np.where(_t7, _t23, -_t20 + _t9))))), x)


def hess(x, y, rho):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (49 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(x)
        _t2 = np.equal(rho, 1)
        _t3 = np.equal(y, 0)
        _t4 = np.maximum(-800, np.log(y))
        _t5 = -_t4
        _t6 = np.where(_t3, 0, np.where(np.less(abs(x), 700), y*np.exp(-x), np.exp(-_t5 - x)))
        _t8 = rho - 2
        _t9 = np.exp(-_t8*x)
        _t11 = rho - 1
        _t13 = np.greater(rho, 2)
        _t14 = np.less(x, 0)
        _t15 = np.greater(x, 0)
        _t16 = np.less(rho, 1)
        _t18 = _t11*x
        _t19 = np.less(abs(_t18), 700)
        _t21 = _t6 - 1
        _t24 = (_t13 | _t15)
        _t25 = (_t13 | _t16)
        _t26 = (_t14 | _t16)
        return _shaped(np.where(_t2, _t0, np.where((_t24 & _t25 & _t26 & np.not_equal(x, 0)), _t9*(_t21*_t8 + _t6), _t11*np.where(_t3, 0, np.where(_t19, y*np.exp(-_t18), np.exp(-_t18 - _t5))) - _t8*np.exp(-_t8*x))), x)
