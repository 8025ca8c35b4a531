# lossgen: generated from specs/gamma_nll.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 98d7164e03386416bef38597011788634dc1b87461206d5758c65ea771499967
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: aeb5bab70220bb6ee5b25f2327f621e3bebfa5827223b5fc6eb7639dae885889
"""NumPy kernels for ``gamma_nll`` (Gamma negative log-likelihood (log link)): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'gamma_nll'
SPEC_SHA256 = '98d7164e03386416bef38597011788634dc1b87461206d5758c65ea771499967'
PREDICTION = 'x'
PREDICTION_DOMAIN = 'real'
TARGET = 'y'
TARGET_DOMAIN = 'positive'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = ()
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(x, y):
    """Per-element loss (10 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.where(np.less(abs(x), 700), y*np.exp(-x), np.exp(-x + np.maximum(-800, np.log(y))))
        return _shaped(_t0 + x, x)


def loss_and_grad(x, y):
    """Per-element loss and gradient (11 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.where(np.less(abs(x), 700), y*np.exp(-x), np.exp(-x + np.maximum(-800, np.log(y))))
        return (
            _shaped(_t0 + x, x),
            _shaped(1 - _t0, x),
        )


def grad(x, y):
    """Per-element gradient with respect to the prediction (10 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.where(np.less(abs(x), 700), y*np.exp(-x), np.exp(-x + np.maximum(-800, np.log(y))))
        return _shaped(1 - _t0, x)


def hess(x, y):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (9 operations after CSE)."""
    with np.errstate(all="ignore"):
        _t0 = np.where(np.less(abs(x), 700), y*np.exp(-x), np.exp(-x + np.maximum(-800, np.log(y))))
        return _shaped(_t0, x)
