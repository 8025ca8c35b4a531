# lossgen: generated from specs/gaussian_nll.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 144a6b4f168b27d7bc55ca070ab952c2d1dfbaf99d3115f691994bf578cf9791
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: bb5b7a45092cbe458de1c084842b8e7a224f48288492aa68dd91526727f4274f
"""NumPy kernels for ``gaussian_nll`` (Gaussian negative log-likelihood): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.

Conventions:
- Heaviside(0) = 1/2: at a tie of max/min the derivative is the mean of the one-sided derivatives, as torch.maximum does (consistent with sign(0) = 0).
"""

import numpy as np

NAME = 'gaussian_nll'
SPEC_SHA256 = '144a6b4f168b27d7bc55ca070ab952c2d1dfbaf99d3115f691994bf578cf9791'
PREDICTION = 'y_pred'
PREDICTION_DOMAIN = 'real'
TARGET = 'y_true'
TARGET_DOMAIN = 'real'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('eps', 1e-06, 'positive'),)
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = (('var', 'positive'),)


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(y_pred, y_true, var, eps):
    """Per-element loss (9 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.maximum(eps, var)
        _t1 = 1/(_t0)
        _t2 = y_pred - y_true
        return _shaped((0.5)*_t1*_t2**2 + (0.5)*np.log(_t0), y_pred)


def loss_and_grad(y_pred, y_true, var, eps):
    """Per-element loss and gradient (10 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.maximum(eps, var)
        _t1 = 1/(_t0)
        _t2 = y_pred - y_true
        return (
            _shaped((0.5)*_t1*_t2**2 + (0.5)*np.log(_t0), y_pred),
            _shaped(_t1*_t2, y_pred),
        )


def grad(y_pred, y_true, var, eps):
    """Per-element gradient with respect to the prediction (4 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.maximum(eps, var)
        _t1 = 1/(_t0)
        _t2 = y_pred - y_true
        return _shaped(_t1*_t2, y_pred)


def hess(y_pred, y_true, var, eps):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (2 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.maximum(eps, var)
        _t1 = 1/(_t0)
        return _shaped(_t1, y_pred)
