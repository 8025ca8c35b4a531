# lossgen: generated from specs/kl_div.toml with template numpy_rowwise.py.jinja; do not edit by hand.
# lossgen-spec-sha256: d08c216c80bc84950ec86c3d2860d05817c67dc1790519f7f70b0f458430e291
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: b17183da12b5f504932f3766ea03f59a7718a31a246d5bd9f4f5c07fe743ef1d
"""NumPy kernels for the row-wise loss ``kl_div`` (Kullback-Leibler divergence from log-probabilities): vectorized over rows, float64.

Each function takes the prediction and target as (N, K) float64 arrays (a label target as its
one-hot encoding) and the parameters; it returns per-row losses (N,) and per-class outputs
(N, K). Weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'kl_div'
SPEC_SHA256 = 'd08c216c80bc84950ec86c3d2860d05817c67dc1790519f7f70b0f458430e291'
PREDICTION = 'q'
PREDICTION_DOMAIN = 'real'
TARGET = 'p'
TARGET_DOMAIN = 'unit_interval'
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


def loss(q, p):
    """Per-row loss, shape (N,)."""
    with np.errstate(all="ignore"):
        K = np.float64(q.shape[-1])
        _r0 = np.sum(_shaped(p*q, q), axis=-1, keepdims=True)
        _r1 = np.sum(_shaped(np.where(np.equal(p, 0), 0, p*np.log(p)), q), axis=-1, keepdims=True)
        return _shaped(-_r0 + _r1, q[..., :1])[..., 0]


def loss_and_grad(q, p):
    """Per-row loss (N,) and per-class gradient (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(q.shape[-1])
        _r0 = np.sum(_shaped(p*q, q), axis=-1, keepdims=True)
        _r1 = np.sum(_shaped(np.where(np.equal(p, 0), 0, p*np.log(p)), q), axis=-1, keepdims=True)
        return (
            _shaped(-_r0 + _r1, q[..., :1])[..., 0],
            _shaped(-p, q),
        )


def grad(q, p):
    """Per-class gradient with respect to the prediction, shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(q.shape[-1])
        return _shaped(-p, q)


def hess(q, p):
    """Per-class second derivative (Hessian diagonal), shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(q.shape[-1])
        return _shaped(0, q)
