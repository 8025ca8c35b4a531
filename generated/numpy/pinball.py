# lossgen: generated from specs/pinball.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 59583f6addc449429c77888f06a3c7027ce7c0f0709b40ff45a7fdecfcc651f9
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: d644f7b9efffc13adeaedbfbecefbc6706f85c1d8f88bfff30dc916f6b08281e
"""NumPy kernels for ``pinball`` (Pinball (quantile) loss): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.

Conventions:
- Heaviside(0) = 1/2: at a tie of max/min the derivative is the mean of the one-sided derivatives, as torch.maximum does (consistent with sign(0) = 0).
- The Hessian is the almost-everywhere second derivative: point masses (Dirac deltas) at kinks are dropped.
"""

import numpy as np

NAME = 'pinball'
SPEC_SHA256 = '59583f6addc449429c77888f06a3c7027ce7c0f0709b40ff45a7fdecfcc651f9'
PREDICTION = 'y_pred'
PREDICTION_DOMAIN = 'real'
TARGET = 'y_true'
TARGET_DOMAIN = 'real'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('tau', 0.5, 'unit_interval'),)
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(y_pred, y_true, tau):
    """Per-element loss (6 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        _t1 = -_t0
        _t2 = tau - 1
        return _shaped(np.maximum(_t1*_t2, _t1*tau), y_pred)


def loss_and_grad(y_pred, y_true, tau):
    """Per-element loss and gradient (15 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        _t1 = -_t0
        _t2 = tau - 1
        _t3 = np.equal(_t0, 0)
        return (
            _shaped(np.maximum(_t1*_t2, _t1*tau), y_pred),
            _shaped(-_t2*np.where(np.greater(_t0, 0), 1, np.where(_t3, 0.5, 0)) - tau*np.where(np.less(_t0, 0), 1, np.where(_t3, 0.5, 0)), y_pred),
        )


def grad(y_pred, y_true, tau):
    """Per-element gradient with respect to the prediction (11 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        _t2 = tau - 1
        _t3 = np.equal(_t0, 0)
        return _shaped(-_t2*np.where(np.greater(_t0, 0), 1, np.where(_t3, 0.5, 0)) - tau*np.where(np.less(_t0, 0), 1, np.where(_t3, 0.5, 0)), y_pred)


def hess(y_pred, y_true, tau):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (0 operations after CSE)."""
    with np.errstate(all="ignore"):
        return _shaped(0, y_pred)
