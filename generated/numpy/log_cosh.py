# lossgen: generated from specs/log_cosh.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 3ed561f3d6e245b35f4b1758ea4798d4e99cb397fce11c8552a996ad36686acb
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 40e9a6c83bca97bbfd256d4366c191ac5ae3cf272579983dcdccab996bfc4f74
"""NumPy kernels for ``log_cosh`` (Log-cosh loss): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'log_cosh'
SPEC_SHA256 = '3ed561f3d6e245b35f4b1758ea4798d4e99cb397fce11c8552a996ad36686acb'
PREDICTION = 'y_pred'
PREDICTION_DOMAIN = 'real'
TARGET = 'y_true'
TARGET_DOMAIN = 'real'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = ()
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(y_pred, y_true):
    """Per-element loss (17 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        _t1 = abs(_t0)
        return _shaped(np.where(np.less(_t1, 1), np.log1p(2*np.sinh((0.5)*y_pred - 0.5*y_true)**2), _t1 + np.log1p(np.exp(-2*_t1)) - np.log(2)), y_pred)


def loss_and_grad(y_pred, y_true):
    """Per-element loss and gradient (18 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        _t1 = abs(_t0)
        return (
            _shaped(np.where(np.less(_t1, 1), np.log1p(2*np.sinh((0.5)*y_pred - 0.5*y_true)**2), _t1 + np.log1p(np.exp(-2*_t1)) - np.log(2)), y_pred),
            _shaped(np.tanh(_t0), y_pred),
        )


def grad(y_pred, y_true):
    """Per-element gradient with respect to the prediction (2 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        return _shaped(np.tanh(_t0), y_pred)


def hess(y_pred, y_true):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (4 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        return _shaped(np.cosh(_t0)**(-2.0), y_pred)
