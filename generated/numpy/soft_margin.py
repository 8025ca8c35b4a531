# lossgen: generated from specs/soft_margin.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 3264c13e07b935b5dacab1a464b01f5496c8d6be671c65b250cc9f5b2b870182
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 314d644497b4b09de19b21bade712893ca0ccb252c522b7c6d7cb95f3e95969a
"""NumPy kernels for ``soft_margin`` (Soft margin (logistic) loss): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'soft_margin'
SPEC_SHA256 = '3264c13e07b935b5dacab1a464b01f5496c8d6be671c65b250cc9f5b2b870182'
PREDICTION = 'x'
PREDICTION_DOMAIN = 'real'
TARGET = 'y'
TARGET_DOMAIN = 'real'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = ()
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(x, y):
    """Per-element loss (8 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = x*y
        _t1 = np.exp(-abs(_t0))
        return _shaped(np.log1p(_t1) + np.maximum(0, -_t0), x)


def loss_and_grad(x, y):
    """Per-element loss and gradient (14 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = x*y
        _t1 = np.exp(-abs(_t0))
        _t2 = 1/(_t1 + 1)
        _t3 = _t1*_t2
        _t4 = np.where(np.less_equal(_t0, 0), _t2, _t3)
        return (
            _shaped(np.log1p(_t1) + np.maximum(0, -_t0), x),
            _shaped(-_t4*y, x),
        )


def grad(x, y):
    """Per-element gradient with respect to the prediction (10 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = x*y
        _t1 = np.exp(-abs(_t0))
        _t2 = 1/(_t1 + 1)
        _t3 = _t1*_t2
        _t4 = np.where(np.less_equal(_t0, 0), _t2, _t3)
        return _shaped(-_t4*y, x)


def hess(x, y):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (12 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = x*y
        _t1 = np.exp(-abs(_t0))
        _t2 = 1/(_t1 + 1)
        _t3 = _t1*_t2
        _t4 = np.where(np.less_equal(_t0, 0), _t2, _t3)
        return _shaped(_t4*y**2*np.where(np.greater_equal(_t0, 0), _t2, _t3), x)
