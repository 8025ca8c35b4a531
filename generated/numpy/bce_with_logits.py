# lossgen: generated from specs/bce_with_logits.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: d54005f637a698cc5a4d371fd55311353999cd8688fc357504ce680203f8721e
# lossgen-generator: 437608c6472f79d7
# lossgen-content-sha256: 47d4496e0673e6a48c12d311598c315004f26745b20874bb8c8c2fe75f4a188a
"""NumPy kernels for ``bce_with_logits`` (Binary cross-entropy on logits): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'bce_with_logits'
SPEC_SHA256 = 'd54005f637a698cc5a4d371fd55311353999cd8688fc357504ce680203f8721e'
PREDICTION = 'x'
TARGET = 'y'
TARGET_DOMAIN = 'unit_interval'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(x, y):
    """Per-element loss (8 operations after CSE)."""
    with np.errstate(all="ignore"):
        return _shaped(-x*y + np.log1p(np.exp(-abs(x))) + np.maximum(0, x), x)


def loss_and_grad(x, y):
    """Per-element loss and gradient (13 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(-abs(x))
        _t1 = 1/(_t0 + 1)
        return (
            _shaped(-x*y + np.log1p(_t0) + np.maximum(0, x), x),
            _shaped(-y + np.where(np.greater_equal(x, 0), _t1, _t0*_t1), x),
        )


def grad(x, y):
    """Per-element gradient with respect to the prediction (8 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(-abs(x))
        _t1 = 1/(_t0 + 1)
        return _shaped(-y + np.where(np.greater_equal(x, 0), _t1, _t0*_t1), x)


def hess(x, y):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (9 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.exp(-abs(x))
        _t1 = 1/(_t0 + 1)
        _t2 = _t0*_t1
        return _shaped(np.where(np.greater_equal(x, 0), _t1, _t2)*np.where(np.less_equal(x, 0), _t1, _t2), x)
