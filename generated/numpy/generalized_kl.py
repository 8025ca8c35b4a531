# lossgen: generated from specs/generalized_kl.toml with template numpy_rowwise.py.jinja; do not edit by hand.
# lossgen-spec-sha256: b83da64889f776ffad681ea91af99bbad5fb761ebcc8f64fdedb68399728ed10
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 1c8feb5965284f75cc1a285f9d46cf222414b18d52debe12801d06c0d266ddde
"""NumPy kernels for the row-wise loss ``generalized_kl`` (Generalized Kullback-Leibler divergence): vectorized over rows, float64.

Each function takes the prediction and target as (N, K) float64 arrays (a label target as its
one-hot encoding) and the parameters; it returns per-row losses (N,) and per-class outputs
(N, K). Weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'generalized_kl'
SPEC_SHA256 = 'b83da64889f776ffad681ea91af99bbad5fb761ebcc8f64fdedb68399728ed10'
PREDICTION = 'x'
PREDICTION_DOMAIN = 'real'
TARGET = 'p'
TARGET_DOMAIN = 'nonnegative'
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


def loss(x, p):
    """Per-row loss, shape (N,)."""
    with np.errstate(all="ignore"):
        K = np.float64(x.shape[-1])
        _r0 = np.sum(_shaped(p, x), axis=-1, keepdims=True)
        _r1 = np.sum(_shaped(p*x, x), axis=-1, keepdims=True)
        _r2 = np.sum(_shaped(np.exp(x), x), axis=-1, keepdims=True)
        _r3 = np.sum(_shaped(np.where(np.equal(p, 0), 0, p*np.log(p)), x), axis=-1, keepdims=True)
        return _shaped(-_r0 - _r1 + _r2 + _r3, x[..., :1])[..., 0]


def loss_and_grad(x, p):
    """Per-row loss (N,) and per-class gradient (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(x.shape[-1])
        _r0 = np.sum(_shaped(p, x), axis=-1, keepdims=True)
        _r1 = np.sum(_shaped(p*x, x), axis=-1, keepdims=True)
        _r2 = np.sum(_shaped(np.exp(x), x), axis=-1, keepdims=True)
        _r3 = np.sum(_shaped(np.where(np.equal(p, 0), 0, p*np.log(p)), x), axis=-1, keepdims=True)
        return (
            _shaped(-_r0 - _r1 + _r2 + _r3, x[..., :1])[..., 0],
            _shaped(-p + np.exp(x), x),
        )


def grad(x, p):
    """Per-class gradient with respect to the prediction, shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(x.shape[-1])
        return _shaped(-p + np.exp(x), x)


def hess(x, p):
    """Per-class second derivative (Hessian diagonal), shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(x.shape[-1])
        return _shaped(np.exp(x), x)
