# lossgen: generated from specs/kl_div_logits.toml with template numpy_rowwise.py.jinja; do not edit by hand.
# lossgen-spec-sha256: cf4bfef23d1ce6363085544b33bdf69d4ba28ccfc35e23f010fcea2a18e834ef
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: c601be36de57c54dc22188850dd0513a394b39755ee5ecf51b64ea9324244880
"""NumPy kernels for the row-wise loss ``kl_div_logits`` (Kullback-Leibler divergence from logits): vectorized over rows, float64.

Each function takes the prediction and target as (N, K) float64 arrays (a label target as its
one-hot encoding) and the parameters; it returns per-row losses (N,) and per-class outputs
(N, K). Weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'kl_div_logits'
SPEC_SHA256 = 'cf4bfef23d1ce6363085544b33bdf69d4ba28ccfc35e23f010fcea2a18e834ef'
PREDICTION = 'z'
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


def loss(z, p):
    """Per-row loss, shape (N,)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r1_max, _r1_log, _r1_softmax = _logsumexp(_shaped(z, z))
        _r3 = np.sum(_shaped(p, z), axis=-1, keepdims=True)
        _r4 = np.sum(_shaped(np.where(np.equal(p, 0), 0, p*np.log(p)), z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        _r2 = np.sum(_shaped(_z_shifted*p, z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        return _shaped(_r1_log*_r3 - _r2 + _r4, z[..., :1])[..., 0]


def loss_and_grad(z, p):
    """Per-row loss (N,) and per-class gradient (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r1_max, _r1_log, _r1_softmax = _logsumexp(_shaped(z, z))
        _r3 = np.sum(_shaped(p, z), axis=-1, keepdims=True)
        _r4 = np.sum(_shaped(np.where(np.equal(p, 0), 0, p*np.log(p)), z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        _r2 = np.sum(_shaped(_z_shifted*p, z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        return (
            _shaped(_r1_log*_r3 - _r2 + _r4, z[..., :1])[..., 0],
            _shaped(_r1_softmax*_r3 - p, z),
        )


def grad(z, p):
    """Per-class gradient with respect to the prediction, shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r1_max, _r1_log, _r1_softmax = _logsumexp(_shaped(z, z))
        _r3 = np.sum(_shaped(p, z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        return _shaped(_r1_softmax*_r3 - p, z)


def hess(z, p):
    """Per-class second derivative (Hessian diagonal), shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r1_max, _r1_log, _r1_softmax = _logsumexp(_shaped(z, z))
        _r3 = np.sum(_shaped(p, z), axis=-1, keepdims=True)
        _z_shifted = z - _r1_max
        return _shaped(_r1_softmax*_r3*(1 - _r1_softmax), z)
