# lossgen: generated from specs/mse.toml with template numpy_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 368d4ed0472ebc4630d9d95a602afadb9daf3e8e41ace5e5d0ff70b70d8551d7
# lossgen-generator: 7b6c534e5d62d825
# lossgen-content-sha256: e91b8e64096f03c15a2c2c670b0528ae3398715f93ae37941f4de604068be741
"""NumPy kernels for ``mse`` (Mean squared error): vectorized, element-wise, float64.

Each function takes broadcast-compatible float64 arrays and the parameters, and returns
per-element values; weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'mse'
SPEC_SHA256 = '368d4ed0472ebc4630d9d95a602afadb9daf3e8e41ace5e5d0ff70b70d8551d7'
PREDICTION = 'y_pred'
TARGET = 'y_true'
TARGET_DOMAIN = 'real'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = ()


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constant derivatives broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.full(like.shape, value)


def loss(y_pred, y_true):
    """Per-element loss (2 operations after CSE)."""
    with np.errstate(all="ignore"):
        return _shaped((y_pred - y_true)**2, y_pred)


def loss_and_grad(y_pred, y_true):
    """Per-element loss and gradient (5 operations after CSE)."""
    with np.errstate(all="ignore"):
        return (
            _shaped((y_pred - y_true)**2, y_pred),
            _shaped(2*y_pred - 2*y_true, y_pred),
        )


def grad(y_pred, y_true):
    """Per-element gradient with respect to the prediction (3 operations after CSE)."""
    with np.errstate(all="ignore"):
        return _shaped(2*y_pred - 2*y_true, y_pred)


def hess(y_pred, y_true):
    """Per-element second derivative with respect to the prediction (Hessian diagonal) (0 operations after CSE)."""
    with np.errstate(all="ignore"):
        return _shaped(2, y_pred)
