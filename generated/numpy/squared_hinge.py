# lossgen: generated from specs/squared_hinge.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 7cdbf31a3f226f418f56810a07f11e7a7963da14f98553d9589f114530ff54c9
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 0e58be935233a876606c83805a82d8178c90a56bc838c45dc7b3fd56cba75aab
"""NumPy kernels for ``squared_hinge`` (Squared hinge loss): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.

Conventions:
- At a branch boundary the derivatives are those of the branch whose condition holds there (conditions are tried in the order declared).
"""

import numpy as np

NAME = 'squared_hinge'
SPEC_SHA256 = '7cdbf31a3f226f418f56810a07f11e7a7963da14f98553d9589f114530ff54c9'
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
    """Per-element loss (5 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = x*y
        _t1 = _t0 - 1
        _t2 = np.less(_t0, 1)
        return _shaped(np.where(_t2, _t1**2, 0), x)


def loss_and_grad(x, y):
    """Per-element loss and gradient (8 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = x*y
        _t1 = _t0 - 1
        _t2 = np.less(_t0, 1)
        return (
            _shaped(np.where(_t2, _t1**2, 0), x),
            _shaped(np.where(_t2, 2*_t1*y, 0), x),
        )


def grad(x, y):
    """Per-element gradient with respect to the prediction (6 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = x*y
        _t1 = _t0 - 1
        _t2 = np.less(_t0, 1)
        return _shaped(np.where(_t2, 2*_t1*y, 0), x)


def hess(x, y):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (5 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = x*y
        _t2 = np.less(_t0, 1)
        return _shaped(np.where(_t2, 2*y**2, 0), x)
