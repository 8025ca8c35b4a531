# lossgen: generated from specs/squared_log_error.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: d3480043de4ba00148d40facccbf5e03c3f69d5e9ed37e17518b138a20321860
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 522237f157d4f3645da1323a28de2fbe41628ff5cff60963bbaf270ce50cb7f2
"""NumPy kernels for ``squared_log_error`` (Squared logarithmic error): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.

Conventions:
- sign(0) = 0: the derivative of |u| at u = 0 is taken as 0, as PyTorch does.
- Heaviside(0) = 1/2: at a tie of max/min the derivative is the mean of the one-sided derivatives, as torch.maximum does (consistent with sign(0) = 0).
- At a branch boundary the derivatives are those of the branch whose condition holds there (conditions are tried in the order declared).
- The Hessian is the almost-everywhere second derivative: point masses (Dirac deltas) at kinks are dropped.
"""

import numpy as np

NAME = 'squared_log_error'
SPEC_SHA256 = 'd3480043de4ba00148d40facccbf5e03c3f69d5e9ed37e17518b138a20321860'
PREDICTION = 'y_pred'
PREDICTION_DOMAIN = 'real'
TARGET = 'y_true'
TARGET_DOMAIN = 'nonnegative'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = ()
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(y_pred, y_true):
    """Per-element loss (20 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = 1/(y_true + 1)
        _t1 = np.maximum(-0.9999989867210388, y_pred)
        _t2 = -_t1 + y_true
        _t3 = np.log1p(-_t0*_t2)
        _t4 = np.less(_t0*abs(_t2), 0.5)
        _t5 = _t1 + 1
        _t6 = np.log(_t0*_t5)
        return _shaped((0.5)*np.where(_t4, _t3**2, _t6**2), y_pred)


def loss_and_grad(y_pred, y_true):
    """Per-element loss and gradient (32 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = 1/(y_true + 1)
        _t1 = np.maximum(-0.9999989867210388, y_pred)
        _t2 = -_t1 + y_true
        _t3 = np.log1p(-_t0*_t2)
        _t4 = np.less(_t0*abs(_t2), 0.5)
        _t5 = _t1 + 1
        _t6 = np.log(_t0*_t5)
        _t7 = np.greater(y_pred, -0.9999989867210388)
        _t8 = np.equal(y_pred, -0.9999989867210388)
        _t9 = np.where(_t7, 1, np.where(_t8, 0.5, 0))/_t5
        return (
            _shaped((0.5)*np.where(_t4, _t3**2, _t6**2), y_pred),
            _shaped(np.where(_t4, _t3*_t9, _t6*_t9), y_pred),
        )


def grad(y_pred, y_true):
    """Per-element gradient with respect to the prediction (28 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = 1/(y_true + 1)
        _t1 = np.maximum(-0.9999989867210388, y_pred)
        _t2 = -_t1 + y_true
        _t3 = np.log1p(-_t0*_t2)
        _t4 = np.less(_t0*abs(_t2), 0.5)
        _t5 = _t1 + 1
        _t6 = np.log(_t0*_t5)
        _t7 = np.greater(y_pred, -0.9999989867210388)
        _t8 = np.equal(y_pred, -0.9999989867210388)
        _t9 = np.where(_t7, 1, np.where(_t8, 0.5, 0))/_t5
        return _shaped(np.where(_t4, _t3*_t9, _t6*_t9), y_pred)


def hess(y_pred, y_true):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (31 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = 1/(y_true + 1)
        _t1 = np.maximum(-0.9999989867210388, y_pred)
        _t2 = -_t1 + y_true
        _t3 = np.log1p(-_t0*_t2)
        _t4 = np.less(_t0*abs(_t2), 0.5)
        _t5 = _t1 + 1
        _t6 = np.log(_t0*_t5)
        _t7 = np.greater(y_pred, -0.9999989867210388)
        _t8 = np.equal(y_pred, -0.9999989867210388)
        _t10 = np.where(_t7, 1, np.where(_t8, 0.25, 0))/_t5**2
        return _shaped(np.where(_t4, _t10*(1 - _t3), _t10*(1 - _t6)), y_pred)
