# lossgen: generated from specs/kl_div_log_target.toml with template numpy_rowwise.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 3fc622ad11fb601855bb958325174d33d875d2c1c0834160da11c9b90e5fe8db
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 8626964cf131ae15debad22e8772ef891321c151fcab8e5460adcd2ad233d1dc
"""NumPy kernels for the row-wise loss ``kl_div_log_target`` (Kullback-Leibler divergence from log-probabilities to log-targets): vectorized over rows, float64.

Each function takes the prediction and target as (N, K) float64 arrays (a label target as its
one-hot encoding) and the parameters; it returns per-row losses (N,) and per-class outputs
(N, K). Weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'kl_div_log_target'
SPEC_SHA256 = '3fc622ad11fb601855bb958325174d33d875d2c1c0834160da11c9b90e5fe8db'
PREDICTION = 'q'
PREDICTION_DOMAIN = 'real'
TARGET = 'lp'
TARGET_DOMAIN = 'real'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = ()
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()
SHAPE = "rowwise"
TARGET_KIND = 'vector'
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


def loss(q, lp):
    """Per-row loss, shape (N,)."""
    with np.errstate(all="ignore"):
        K = np.float64(q.shape[-1])
        _p0 = np.exp(lp)
        _r0 = np.sum(_shaped(_p0*q, q), axis=-1, keepdims=True)
        _r1 = np.sum(_shaped(_p0*lp, q), axis=-1, keepdims=True)
        return _shaped(-_r0 + _r1, q[..., :1])[..., 0]


def loss_and_grad(q, lp):
    """Per-row loss (N,) and per-class gradient (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(q.shape[-1])
        _p0 = np.exp(lp)
        _r0 = np.sum(_shaped(_p0*q, q), axis=-1, keepdims=True)
        _r1 = np.sum(_shaped(_p0*lp, q), axis=-1, keepdims=True)
        return (
            _shaped(-_r0 + _r1, q[..., :1])[..., 0],
            _shaped(-np.exp(lp), q),
        )


def grad(q, lp):
    """Per-class gradient with respect to the prediction, shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(q.shape[-1])
        return _shaped(-np.exp(lp), q)


def hess(q, lp):
    """Per-class second derivative (Hessian diagonal), shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(q.shape[-1])
        return _shaped(0, q)
