# lossgen: generated from specs/l2.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: ecb10e10d74fdf77ddeeae8597eeb01e56e9bb00b3e56d0db6c67190d63f51a3
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: b72e9df4ed039090aaa84cf9e9a7da72b066ba69392a7bedeb62eaa5383af893
"""NumPy kernels for ``l2`` (L2 loss (half squared error)): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'l2'
SPEC_SHA256 = 'ecb10e10d74fdf77ddeeae8597eeb01e56e9bb00b3e56d0db6c67190d63f51a3'
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
    """Per-element loss (3 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        return _shaped((0.5)*_t0**2, y_pred)


def loss_and_grad(y_pred, y_true):
    """Per-element loss and gradient (3 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        return (
            _shaped((0.5)*_t0**2, y_pred),
            _shaped(_t0, y_pred),
        )


def grad(y_pred, y_true):
    """Per-element gradient with respect to the prediction (1 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = y_pred - y_true
        return _shaped(_t0, y_pred)


def hess(y_pred, y_true):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (0 operations after CSE)."""
    with np.errstate(all="ignore"):
        return _shaped(1, y_pred)
