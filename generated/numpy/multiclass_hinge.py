# lossgen: generated from specs/multiclass_hinge.toml with template numpy_rowwise.py.jinja; do not edit by hand.
# lossgen-spec-sha256: ff1cf7c65a99bcf6231535ebf215037cbde1bb2f4da74689b1c9582f1d3dfc02
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: c5e0fc126f01f5a71a78076fdaecceadeb3ead8a298cd4673c86ee026e7d8140
"""NumPy kernels for the row-wise loss ``multiclass_hinge`` (Multiclass hinge loss (Crammer-Singer)): vectorized over rows, float64.

Each function takes the prediction and target as (N, K) float64 arrays (a label target as its
one-hot encoding) and the parameters; it returns per-row losses (N,) and per-class outputs
(N, K). Weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'multiclass_hinge'
SPEC_SHA256 = 'ff1cf7c65a99bcf6231535ebf215037cbde1bb2f4da74689b1c9582f1d3dfc02'
PREDICTION = 'z'
PREDICTION_DOMAIN = 'real'
TARGET = 'y'
TARGET_DOMAIN = 'unit_interval'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = ()
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()
SHAPE = "rowwise"
TARGET_KIND = 'label'
IGNORE_PARAM = None


def _shaped(value, like):
    """``value`` as a float64 array of ``like``'s shape (constants broadcast)."""
    value = np.asarray(value, dtype=np.float64)
    return value if value.shape == like.shape else np.broadcast_to(value, like.shape).copy()


def _logsumexp(u):
    """(M, L, softmax) over the last axis, kept: M = max u and L = log Σ_k e^(u - M), so
    log Σ e^u = M + L, and the softmax e^(u - M) / Σ_k e^(u - M) from the same exponentials."""
    m = np.max(u, axis=-1, keepdims=True)
    shift = np.where(np.isfinite(m), m, 0.0)
    exps = np.exp(u - shift)
    total = np.sum(exps, axis=-1, keepdims=True)
    return m, np.log(total) + (shift - m), exps / total


def loss(z, y):
    """Per-row loss, shape (N,)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r0 = np.sum(_shaped(y*z, z), axis=-1, keepdims=True)
        _r1 = np.max(_shaped(-y + z, z), axis=-1, keepdims=True)
        return _shaped(-_r0 + _r1 + 1, z[..., :1])[..., 0]


def loss_and_grad(z, y):
    """Per-row loss (N,) and per-class gradient (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r0 = np.sum(_shaped(y*z, z), axis=-1, keepdims=True)
        _r1 = np.max(_shaped(-y + z, z), axis=-1, keepdims=True)
        _r2 = np.sum(_shaped(np.where(np.equal(_r1, -y + z), 1, 0), z), axis=-1, keepdims=True)
        return (
            _shaped(-_r0 + _r1 + 1, z[..., :1])[..., 0],
            _shaped(-y + np.where(np.equal(_r1, -y + z), 1, 0)/_r2, z),
        )


def grad(z, y):
    """Per-class gradient with respect to the prediction, shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r1 = np.max(_shaped(-y + z, z), axis=-1, keepdims=True)
        _r2 = np.sum(_shaped(np.where(np.equal(_r1, -y + z), 1, 0), z), axis=-1, keepdims=True)
        return _shaped(-y + np.where(np.equal(_r1, -y + z), 1, 0)/_r2, z)


def hess(z, y):
    """Per-class second derivative (Hessian diagonal), shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        return _shaped(0, z)
