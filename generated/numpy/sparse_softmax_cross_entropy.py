# lossgen: generated from specs/sparse_softmax_cross_entropy.toml with template numpy_rowwise.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 291354fc5b411b11db412d2f249715eb23140929cdddce81a492b7c0a03c69ec
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: b88ff2289b22c9a86bfa370b76df91d6393a49c86a42d9df4a7638fcf79ca4a0
"""NumPy kernels for the row-wise loss ``sparse_softmax_cross_entropy`` (Softmax cross-entropy with class-index targets): vectorized over rows, float64.

Each function takes the prediction and target as (N, K) float64 arrays (a label target as its
one-hot encoding) and the parameters; it returns per-row losses (N,) and per-class outputs
(N, K). Weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'sparse_softmax_cross_entropy'
SPEC_SHA256 = '291354fc5b411b11db412d2f249715eb23140929cdddce81a492b7c0a03c69ec'
PREDICTION = 'z'
PREDICTION_DOMAIN = 'real'
TARGET = 'y'
TARGET_DOMAIN = 'unit_interval'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('label_smoothing', 0.0, 'unit_interval'), ('ignore_index', -100.0, 'integer'))
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()
SHAPE = "rowwise"
TARGET_KIND = 'label'
IGNORE_PARAM = 'ignore_index'


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


def loss(z, y, label_smoothing, ignore_index):
    """Per-row loss, shape (N,)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r1_max, _r1_log, _r1_softmax = _logsumexp(_shaped(z, z))
        _r3 = np.sum(_shaped(y, z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        _r2 = np.sum(_shaped(_z_shifted*y, z), axis=-1, keepdims=True)
        _r4 = np.sum(_shaped(_z_shifted, z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        return _shaped(-_r1_log*_r3*label_smoothing + _r1_log*_r3 + _r1_log*label_smoothing + _r2*label_smoothing - _r2 - _r4*label_smoothing/K, z[..., :1])[..., 0]


def loss_and_grad(z, y, label_smoothing, ignore_index):
    """Per-row loss (N,) and per-class gradient (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r1_max, _r1_log, _r1_softmax = _logsumexp(_shaped(z, z))
        _r3 = np.sum(_shaped(y, z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        _r2 = np.sum(_shaped(_z_shifted*y, z), axis=-1, keepdims=True)
        _r4 = np.sum(_shaped(_z_shifted, z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        return (
            _shaped(-_r1_log*_r3*label_smoothing + _r1_log*_r3 + _r1_log*label_smoothing + _r2*label_smoothing - _r2 - _r4*label_smoothing/K, z[..., :1])[..., 0],
            _shaped(_r1_softmax*(-_r3*label_smoothing + _r3 + label_smoothing) - y*(1 - label_smoothing) - label_smoothing/K, z),
        )


def grad(z, y, label_smoothing, ignore_index):
    """Per-class gradient with respect to the prediction, shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r1_max, _r1_log, _r1_softmax = _logsumexp(_shaped(z, z))
        _r3 = np.sum(_shaped(y, z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        return _shaped(_r1_softmax*(-_r3*label_smoothing + _r3 + label_smoothing) - y*(1 - label_smoothing) - label_smoothing/K, z)


def hess(z, y, label_smoothing, ignore_index):
    """Per-class second derivative (Hessian diagonal), shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r1_max, _r1_log, _r1_softmax = _logsumexp(_shaped(z, z))
        _r3 = np.sum(_shaped(y, z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        return _shaped(_r1_softmax*(1 - _r1_softmax)*(-_r3*label_smoothing + _r3 + label_smoothing), z)
