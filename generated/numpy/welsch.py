# lossgen: generated from specs/welsch.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: d247fefa28e5502876eb573257468055ee19aa473e84c0757feab2a0e44b1b4d
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: b93ff57579a6f3bff36d19c630dae3d08a433da386095636d9470555b443726a
"""NumPy kernels for ``welsch`` (Welsch (Leclerc) loss): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'welsch'
SPEC_SHA256 = 'd247fefa28e5502876eb573257468055ee19aa473e84c0757feab2a0e44b1b4d'
PREDICTION = 'y_pred'
PREDICTION_DOMAIN = 'real'
TARGET = 'y_true'
TARGET_DOMAIN = 'real'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('c', 1.0, 'positive'),)
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(y_pred, y_true, c):
    """Per-element loss (10 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**2
        _t1 = 1/(_t0)
        _t2 = y_pred - y_true
        _t3 = _t2**2
        _t4 = -_t1*_t3
        return _shaped(-0.5*_t0*np.expm1(_t4), y_pred)


def loss_and_grad(y_pred, y_true, c):
    """Per-element loss and gradient (12 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**2
        _t1 = 1/(_t0)
        _t2 = y_pred - y_true
        _t3 = _t2**2
        _t4 = -_t1*_t3
        _t5 = np.exp(_t4)
        return (
            _shaped(-0.5*_t0*np.expm1(_t4), y_pred),
            _shaped(_t2*_t5, y_pred),
        )


def grad(y_pred, y_true, c):
    """Per-element gradient with respect to the prediction (8 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**2
        _t1 = 1/(_t0)
        _t2 = y_pred - y_true
        _t3 = _t2**2
        _t4 = -_t1*_t3
        _t5 = np.exp(_t4)
        return _shaped(_t2*_t5, y_pred)


def hess(y_pred, y_true, c):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (11 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = c**2
        _t1 = 1/(_t0)
        _t2 = y_pred - y_true
        _t3 = _t2**2
        _t4 = -_t1*_t3
        _t5 = np.exp(_t4)
        return _shaped(_t1*_t5*(_t0 - 2*_t3), y_pred)
