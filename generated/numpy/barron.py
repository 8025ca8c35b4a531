# lossgen: generated from specs/barron.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: edacbab455d20a6b685724b25e79801f9ffdbdf4db22ce5910fdae8c57557669
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 33e2e1645a3d9d9de0928e701da781aadfa16567a229c5814825a9b74ba322cd
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
        _r0 = 1/(c)
        _t0 = _r0**2
        _t1 = y_pred - y_true
        _t2 = _t0*_t1**2
        _t3 = (0.5)*_t2
        _t4 = np.equal(alpha, 0)
        _t5 = np.equal(alpha, 2)
        _t6 = 1/(alpha + np.where(_t4, 1, 0))
        _t7 = np.where(_t5, 1, 0) + abs(alpha - 2)
        _t8 = 1/(_t7)
        _t9 = _t2*_t8
        _t10 = (0.5)*alpha
        _t11 = _t10*np.log1p(_t9)
        return _shaped(np.where(_t4, np.log1p(_t3), np.where(_t5, _t3, _t6*_t7*np.expm1(_t11))), y_pred)


def loss_and_grad(y_pred, y_true, alpha, c):
    """Per-element loss and gradient (45 operations after CSE)."""
    with np.errstate(all="ignore"):
        _r0 = 1/(c)
        _t0 = _r0**2
        _t1 = y_pred - y_true
        _t2 = _t0*_t1**2
        _t3 = (0.5)*_t2
        _t4 = np.equal(alpha, 0)
        _t5 = np.equal(alpha, 2)
        _t6 = 1/(alpha + np.where(_t4, 1, 0))
        _t7 = np.where(_t5, 1, 0) + abs(alpha - 2)
        _t8 = 1/(_t7)
        _t9 = _t2*_t8
        _t10 = (0.5)*alpha
        _t11 = _t10*np.log1p(_t9)
        _t12 = 2*y_pred - 2*y_true
        _t13 = _t3 + 1
        _r1 = 1/(_t13)
        _t14 = _r1*_t0
        _t15 = _t9 + 1
        _r2 = 1/(_t15)
        _t16 = _t6*np.exp(_t11)
        _t17 = _r2*_t0*_t16
        return (
            _shaped(np.where(_t4, np.log1p(_t3), np.where(_t5, _t3, _t6*_t7*np.expm1(_t11))), y_pred),
            _shaped(np.where(_t4, (0.5)*_t12*_t14, np.where(_t5, _t0*_t1, _t10*_t12*_t17)), y_pred),
        )


def grad(y_pred, y_true, alpha, c):
    """Per-element gradient with respect to the prediction (39 operations after CSE)."""
    with np.errstate(all="ignore"):
        _r0 = 1/(c)
        _t0 = _r0**2
        _t1 = y_pred - y_true
        _t2 = _t0*_t1**2
        _t3 = (0.5)*_t2
        _t4 = np.equal(alpha, 0)
        _t5 = np.equal(alpha, 2)
        _t6 = 1/(alpha + np.where(_t4, 1, 0))
        _t7 = np.where(_t5, 1, 0) + abs(alpha - 2)
        _t8 = 1/(_t7)
        _t9 = _t2*_t8
        _t10 = (0.5)*alpha
        _t11 = _t10*np.log1p(_t9)
        _t12 = 2*y_pred - 2*y_true
        _t13 = _t3 + 1
        _r1 = 1/(_t13)
        _t14 = _r1*_t0
        _t15 = _t9 + 1
        _r2 = 1/(_t15)
        _t16 = _t6*np.exp(_t11)
        _t17 = _r2*_t0*_t16
        return _shaped(np.where(_t4, (0.5)*_t12*_t14, np.where(_t5, _t0*_t1, _t10*_t12*_t17)), y_pred)


def hess(y_pred, y_true, alpha, c):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (52 operations after CSE)."""
    with np.errstate(all="ignore"):
        _r0 = 1/(c)
        _t0 = _r0**2
        _t1 = y_pred - y_true
        _t2 = _t0*_t1**2
        _t3 = (0.5)*_t2
        _t4 = np.equal(alpha, 0)
        _t5 = np.equal(alpha, 2)
        _t6 = 1/(alpha + np.where(_t4, 1, 0))
        _t7 = np.where(_t5, 1, 0) + abs(alpha - 2)
        _t8 = 1/(_t7)
        _t9 = _t2*_t8
        _t10 = (0.5)*alpha
        _t11 = _t10*np.log1p(_t9)
        _t12 = 2*y_pred - 2*y_true
        _t13 = _t3 + 1
        _r1 = 1/(_t13)
        _t14 = _r1*_t0
        _t15 = _t9 + 1
        _r2 = 1/(_t15)
        _t16 = _t6*np.exp(_t11)
        _t17 = _r2*_t0*_t16
        _t18 = _r0**4*_t12**2
        _t19 = (0.25)*_t18
        _t20 = _r2**2*_t16*_t8
        return _shaped(np.where(_t4, -_r1**2*_t19 + _t14, np.where(_t5, _t0, -_t10*_t18*_t20 + _t17*alpha + _t19*_t20*alpha**2)), y_pred)
