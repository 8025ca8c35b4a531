# lossgen: generated from specs/bce_with_logits.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 97bcd64b1fd802fbcd736137ddb0ae141520bce56ab3dbf4936388b907880f1b
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 9716bc8d9b8f5ebc8c6d6a4dae0fb5f7c7c81430f6271b47607a7c94c3f345bb
"""NumPy kernels for ``bce_with_logits`` (Binary cross-entropy on logits): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'bce_with_logits'
SPEC_SHA256 = '97bcd64b1fd802fbcd736137ddb0ae141520bce56ab3dbf4936388b907880f1b'
PREDICTION = 'x'
PREDICTION_DOMAIN = 'real'
TARGET = 'y'
TARGET_DOMAIN = 'unit_interval'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = ()
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(x, y):
    """Per-element loss (13 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(-abs(x))
        _t1 = np.log1p(_t0)
        _t2 = 1 - y
        return _shaped(_t2*(_t1 + np.maximum(0, x)) + y*(_t1 + np.maximum(0, -x)), x)


def loss_and_grad(x, y):
    """Per-element loss and gradient (21 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(-abs(x))
        _t1 = np.log1p(_t0)
        _t2 = 1 - y
        _t3 = 1/(_t0 + 1)
        _t4 = _t0*_t3
        _t5 = np.where(np.less_equal(x, 0), _t3, _t4)
        _t6 = np.where(np.greater_equal(x, 0), _t3, _t4)
        return (
            _shaped(_t2*(_t1 + np.maximum(0, x)) + y*(_t1 + np.maximum(0, -x)), x),
            _shaped(_t2*_t6 - _t5*y, x),
        )


def grad(x, y):
    """Per-element gradient with respect to the prediction (12 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(-abs(x))
        _t2 = 1 - y
        _t3 = 1/(_t0 + 1)
        _t4 = _t0*_t3
        _t5 = np.where(np.less_equal(x, 0), _t3, _t4)
        _t6 = np.where(np.greater_equal(x, 0), _t3, _t4)
        return _shaped(_t2*_t6 - _t5*y, x)


def hess(x, y):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (9 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(-abs(x))
        _t3 = 1/(_t0 + 1)
        _t4 = _t0*_t3
        _t5 = np.where(np.less_equal(x, 0), _t3, _t4)
        _t6 = np.where(np.greater_equal(x, 0), _t3, _t4)
        return _shaped(_t5*_t6, x)
