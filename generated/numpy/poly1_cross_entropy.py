# lossgen: generated from specs/poly1_cross_entropy.toml with template numpy_rowwise.py.jinja; do not edit by hand.
# lossgen-spec-sha256: ff18ecb01144dac7615b6a417311fff6f16133304f600a5f2a6dece517da9c9c
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 3f7b59c2eca95059763381d35a27ec58979623f0debea442dbbda880231867f1
"""NumPy kernels for the row-wise loss ``poly1_cross_entropy`` (Poly-1 cross-entropy): vectorized over rows, float64.

Each function takes the prediction and target as (N, K) float64 arrays (a label target as its
one-hot encoding) and the parameters; it returns per-row losses (N,) and per-class outputs
(N, K). Weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'poly1_cross_entropy'
SPEC_SHA256 = 'ff18ecb01144dac7615b6a417311fff6f16133304f600a5f2a6dece517da9c9c'
PREDICTION = 'z'
PREDICTION_DOMAIN = 'real'
TARGET = 'p'
TARGET_DOMAIN = 'unit_interval'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('epsilon', 2.0, 'real'),)
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


def loss(z, p, epsilon):
    """Per-row loss, shape (N,)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r1_max, _r1_log, _r1_softmax = _logsumexp(_shaped(z, z))
        _r3 = np.sum(_shaped(p, z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        _r2 = np.sum(_shaped(_z_shifted*p, z), axis=-1, keepdims=True)
        _r4 = np.sum(_shaped(p*np.expm1(-_r1_log + _z_shifted), z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        return _shaped(_r1_log*_r3 - _r2 - _r4*epsilon, z[..., :1])[..., 0]


def loss_and_grad(z, p, epsilon):
    """Per-row loss (N,) and per-class gradient (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r1_max, _r1_log, _r1_softmax = _logsumexp(_shaped(z, z))
        _r3 = np.sum(_shaped(p, z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        _r2 = np.sum(_shaped(_z_shifted*p, z), axis=-1, keepdims=True)
        _r4 = np.sum(_shaped(p*np.expm1(-_r1_log + _z_shifted), z), axis=-1, keepdims=True)
        _r5 = np.sum(_shaped(_r1_softmax*p, z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        return (
            _shaped(_r1_log*_r3 - _r2 - _r4*epsilon, z[..., :1])[..., 0],
            _shaped(_r1_softmax*_r3 - epsilon*(-_r1_softmax*_r5 + _r1_softmax*p) - p, z),
        )


def grad(z, p, epsilon):
    """Per-class gradient with respect to the prediction, shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r1_max, _r1_log, _r1_softmax = _logsumexp(_shaped(z, z))
        _r3 = np.sum(_shaped(p, z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        _r5 = np.sum(_shaped(_r1_softmax*p, z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        return _shaped(_r1_softmax*_r3 - epsilon*(-_r1_softmax*_r5 + _r1_softmax*p) - p, z)


def hess(z, p, epsilon):
    """Per-class second derivative (Hessian diagonal), shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r1_max, _r1_log, _r1_softmax = _logsumexp(_shaped(z, z))
        _r3 = np.sum(_shaped(p, z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        _r5 = np.sum(_shaped(_r1_softmax*p, z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        _e0 = _r1_softmax**2
        return _shaped(-_e0*_r3 - 2*_e0*_r5*epsilon + 2*_e0*epsilon*p + _r1_softmax*_r3 + _r1_softmax*_r5*epsilon - _r1_softmax*epsilon*p, z)
