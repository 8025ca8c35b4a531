# lossgen: generated from specs/mse.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 17a4ed83548a49bc9b08a0a1e33918bdfdd8c44438f7a9907c934f8c5d8de8ed
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: a16a20ae696d0ccc47c3cb933ecaa9a27b5864855cdbb8e6d785e22fda2f1e5e
"""NumPy kernels for ``mse`` (Mean squared error): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'mse'
SPEC_SHA256 = '17a4ed83548a49bc9b08a0a1e33918bdfdd8c44438f7a9907c934f8c5d8de8ed'
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
        return _shaped(_t0**2, y_pred)


def loss_and_grad(y_pred, y_true):
    """Per-element loss and gradient (3 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        return (
            _shaped(_t0**2, y_pred),
            _shaped(2*_t0, y_pred),
        )


def grad(y_pred, y_true):
    """Per-element gradient with respect to the prediction (2 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        return _shaped(2*_t0, y_pred)


def hess(y_pred, y_true):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (0 operations after CSE)."""
    with np.errstate(all="ignore"):
        return _shaped(2, y_pred)
