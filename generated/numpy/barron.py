# lossgen: generated from specs/barron.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: edacbab455d20a6b685724b25e79801f9ffdbdf4db22ce5910fdae8c57557669
# lossgen-generator: df296b6a295b9d76
# lossgen-content-sha256: 3f8214a4c0db4873ababdca06cd27b265e7153c451ff774dfece0d139b191649
"""NumPy kernels for ``barron`` (Barron's general robust loss): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.

Conventions:
- sign(0) = 0: the derivative of |u| at u = 0 is taken as 0, as PyTorch does.
- At a branch boundary the derivatives are those of the branch whose condition holds there (conditions are tried in the order declared).
"""

import numpy as np

NAME = 'barron'
SPEC_SHA256 = 'edacbab455d20a6b685724b25e79801f9ffdbdf4db22ce5910fdae8c57557669'
PREDICTION = 'y_pred'
PREDICTION_DOMAIN = 'real'
TARGET = 'y_true'
TARGET_DOMAIN = 'real'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('alpha', 1.0, 'real'), ('c', 1.0, 'positive'))
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(y_pred, y_true, alpha, c):
    """Per-element loss (26 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**(-2.0)
        _t1 = _t0*(y_pred - y_true)**2
        _t2 = (0.5)*_t1
        _t3 = np.equal(alpha, 0)
        _t4 = np.equal(alpha, 2)
        _t5 = 1/(alpha + np.where(_t3, 1, 0))
        _t6 = np.where(_t4, 1, 0) + abs(alpha - 2)
        _t7 = 1/(_t6)
        _t8 = _t1*_t7
        _t9 = (0.5)*alpha
        _t10 = _t9*np.log1p(_t8)
        return _shaped(np.where(_t3, np.log1p(_t2), np.where(_t4, _t2, _t5*_t6*np.expm1(_t10))), y_pred)


def loss_and_grad(y_pred, y_true, alpha, c):
    """Per-element loss and gradient (45 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**(-2.0)
        _t1 = _t0*(y_pred - y_true)**2
        _t2 = (0.5)*_t1
        _t3 = np.equal(alpha, 0)
        _t4 = np.equal(alpha, 2)
        _t5 = 1/(alpha + np.where(_t3, 1, 0))
        _t6 = np.where(_t4, 1, 0) + abs(alpha - 2)
        _t7 = 1/(_t6)
        _t8 = _t1*_t7
        _t9 = (0.5)*alpha
        _t10 = _t9*np.log1p(_t8)
        _t11 = _t2 + 1
        _r0 = 1/(_t11)
        _t12 = _r0*_t0
        _t13 = 2*y_pred - 2*y_true
        _t14 = (0.5)*_t13
        _t15 = _t8 + 1
        _r1 = 1/(_t15)
        _t16 = _t5*np.exp(_t10)
        _t17 = _r1*_t0*_t16
        return (
            _shaped(np.where(_t3, np.log1p(_t2), np.where(_t4, _t2, _t5*_t6*np.expm1(_t10))), y_pred),
            _shaped(np.where(_t3, _t12*_t14, np.where(_t4, _t0*_t14, _t13*_t17*_t9)), y_pred),
        )


def grad(y_pred, y_true, alpha, c):
    """Per-element gradient with respect to the prediction (39 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**(-2.0)
        _t1 = _t0*(y_pred - y_true)**2
        _t2 = (0.5)*_t1
        _t3 = np.equal(alpha, 0)
        _t4 = np.equal(alpha, 2)
        _t5 = 1/(alpha + np.where(_t3, 1, 0))
        _t6 = np.where(_t4, 1, 0) + abs(alpha - 2)
        _t7 = 1/(_t6)
        _t8 = _t1*_t7
        _t9 = (0.5)*alpha
        _t10 = _t9*np.log1p(_t8)
        _t11 = _t2 + 1
        _r0 = 1/(_t11)
        _t12 = _r0*_t0
        _t13 = 2*y_pred - 2*y_true
        _t14 = (0.5)*_t13
        _t15 = _t8 + 1
        _r1 = 1/(_t15)
        _t16 = _t5*np.exp(_t10)
        _t17 = _r1*_t0*_t16
        return _shaped(np.where(_t3, _t12*_t14, np.where(_t4, _t0*_t14, _t13*_t17*_t9)), y_pred)


def hess(y_pred, y_true, alpha, c):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (52 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**(-2.0)
        _t1 = _t0*(y_pred - y_true)**2
        _t2 = (0.5)*_t1
        _t3 = np.equal(alpha, 0)
        _t4 = np.equal(alpha, 2)
        _t5 = 1/(alpha + np.where(_t3, 1, 0))
        _t6 = np.where(_t4, 1, 0) + abs(alpha - 2)
        _t7 = 1/(_t6)
        _t8 = _t1*_t7
        _t9 = (0.5)*alpha
        _t10 = _t9*np.log1p(_t8)
        _t11 = _t2 + 1
        _r0 = 1/(_t11)
        _t12 = _r0*_t0
        _t13 = 2*y_pred - 2*y_true
        _t15 = _t8 + 1
        _r1 = 1/(_t15)
        _t16 = _t5*np.exp(_t10)
        _t17 = _r1*_t0*_t16
        _t18 = _t13**2/c**4
        _t19 = (0.25)*_t18
        _t20 = _r1**2*_t16*_t7
        return _shaped(np.where(_t3, -_r0**2*_t19 + _t12, np.where(_t4, _t0, _t17*alpha - _t18*_t20*_t9 + _t19*_t20*alpha**2)), y_pred)
