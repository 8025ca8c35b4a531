# lossgen: generated from specs/mae.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 5f637c7717f1c38a145eed4fa5291ce281ef51868476262f64bb4fa760f9bd90
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 649e638a3780035d93faee3d1198541f8edd8ec853bb62155e439f6a3067e3a7
"""NumPy kernels for ``mae`` (Mean absolute error): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.

Conventions:
- sign(0) = 0: the derivative of |u| at u = 0 is taken as 0, as PyTorch does.
- The Hessian is the almost-everywhere second derivative: point masses (Dirac deltas) at kinks are dropped.
"""

import numpy as np

NAME = 'mae'
SPEC_SHA256 = '5f637c7717f1c38a145eed4fa5291ce281ef51868476262f64bb4fa760f9bd90'
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
    """Per-element loss (2 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        return _shaped(abs(_t0), y_pred)


def loss_and_grad(y_pred, y_true):
    """Per-element loss and gradient (4 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        return (
            _shaped(abs(_t0), y_pred),
            _shaped(np.where(np.greater(_t0, 0), 1, np.where(np.less(_t0, 0), -1, 0)), y_pred),
        )


def grad(y_pred, y_true):
    """Per-element gradient with respect to the prediction (3 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        return _shaped(np.where(np.greater(_t0, 0), 1, np.where(np.less(_t0, 0), -1, 0)), y_pred)


def hess(y_pred, y_true):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (0 operations after CSE)."""
    with np.errstate(all="ignore"):
        return _shaped(0, y_pred)
