# lossgen: generated from specs/dice.toml with template numpy_rowwise.py.jinja; do not edit by hand.
# lossgen-spec-sha256: e99a8b071522d241515f2901d0670574b31e4f2de463a5e1b5b94eca87b26957
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: ad96c62095c1e8abb3d751f19fb9a02a8ebb7a1d6c6ccd1150cae80673ca90a5
"""NumPy kernels for the row-wise loss ``dice`` (Soft Dice loss (binary, on logits)): vectorized over rows, float64.

Each function takes the prediction and target as (N, K) float64 arrays (a label target as its
one-hot encoding) and the parameters; it returns per-row losses (N,) and per-class outputs
(N, K). Weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'dice'
SPEC_SHA256 = 'e99a8b071522d241515f2901d0670574b31e4f2de463a5e1b5b94eca87b26957'
PREDICTION = 'z'
PREDICTION_DOMAIN = 'real'
TARGET = 't'
TARGET_DOMAIN = 'unit_interval'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('smooth', 1.0, 'nonnegative'),)
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


def loss(z, t, smooth):
    """Per-row loss, shape (N,)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _p0 = np.exp(-abs(z))
        _p1 = 1/(_p0 + 1)
        _p2 = _p0*_p1
        _p3 = np.where(np.greater_equal(z, 0), _p1, _p2)
        _r0 = np.sum(_shaped(_p3*t, z), axis=-1, keepdims=True)
        _r1 = np.sum(_shaped(t*np.where(np.less_equal(z, 0), _p1, _p2), z), axis=-1, keepdims=True)
        _r2 = np.sum(_shaped(_p3, z), axis=-1, keepdims=True)
        _q0 = 1/(_r0 + _r1 + _r2 + 2*smooth)
        return _shaped(-_q0*_r0 + _q0*_r1 + _q0*_r2, z[..., :1])[..., 0]


def loss_and_grad(z, t, smooth):
    """Per-row loss (N,) and per-class gradient (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _p0 = np.exp(-abs(z))
        _p1 = 1/(_p0 + 1)
        _p2 = _p0*_p1
        _p3 = np.where(np.greater_equal(z, 0), _p1, _p2)
        _r0 = np.sum(_shaped(_p3*t, z), axis=-1, keepdims=True)
        _r1 = np.sum(_shaped(t*np.where(np.less_equal(z, 0), _p1, _p2), z), axis=-1, keepdims=True)
        _r2 = np.sum(_shaped(_p3, z), axis=-1, keepdims=True)
        _q0 = 1/(_r0 + _r1 + _r2 + 2*smooth)
        _e0 = _r1 + _r2
        _e1 = _r0 + smooth
        _e2 = np.exp(-abs(z))
        _e3 = 1/(_e2 + 1)
        _e4 = _e2*_e3
        return (
            _shaped(-_q0*_r0 + _q0*_r1 + _q0*_r2, z[..., :1])[..., 0],
            _shaped(2*(-_e1*t + _e1 - t*(_e0 + smooth))*np.where(np.greater_equal(z, 0), _e3, _e4)*np.where(np.less_equal(z, 0), _e3, _e4)/(_e0 + _r0 + 2*smooth)**2, z),
        )


def grad(z, t, smooth):
    """Per-class gradient with respect to the prediction, shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _p0 = np.exp(-abs(z))
        _p1 = 1/(_p0 + 1)
        _p2 = _p0*_p1
        _p3 = np.where(np.greater_equal(z, 0), _p1, _p2)
        _r0 = np.sum(_shaped(_p3*t, z), axis=-1, keepdims=True)
        _r1 = np.sum(_shaped(t*np.where(np.less_equal(z, 0), _p1, _p2), z), axis=-1, keepdims=True)
        _r2 = np.sum(_shaped(_p3, z), axis=-1, keepdims=True)
        _e0 = _r1 + _r2
        _e1 = _r0 + smooth
        _e2 = np.exp(-abs(z))
        _e3 = 1/(_e2 + 1)
        _e4 = _e2*_e3
        return _shaped(2*(-_e1*t + _e1 - t*(_e0 + smooth))*np.where(np.greater_equal(z, 0), _e3, _e4)*np.where(np.less_equal(z, 0), _e3, _e4)/(_e0 + _r0 + 2*smooth)**2, z)


def hess(z, t, smooth):
    """Per-class second derivative (Hessian diagonal), shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _p0 = np.exp(-abs(z))
        _p1 = 1/(_p0 + 1)
        _p2 = _p0*_p1
        _p3 = np.where(np.greater_equal(z, 0), _p1, _p2)
        _r0 = np.sum(_shaped(_p3*t, z), axis=-1, keepdims=True)
        _r1 = np.sum(_shaped(t*np.where(np.less_equal(z, 0), _p1, _p2), z), axis=-1, keepdims=True)
        _r2 = np.sum(_shaped(_p3, z), axis=-1, keepdims=True)
        _e0 = 2*smooth
        _e1 = _r1 + _r2
        _e2 = _e0 + _e1 + _r0
        _e3 = _r0 + smooth
        _e4 = _e3*t
        _e5 = t*(_e1 + smooth)
        _e6 = np.exp(-abs(z))
        _e7 = 1/(_e6 + 1)
        _e8 = _e6*_e7
        _e9 = np.where(np.greater_equal(z, 0), _e7, _e8)
        _e10 = np.where(np.less_equal(z, 0), _e7, _e8)
        _e11 = _e0 - 2*_e4 - 2*_e5 + 2*_r0
        _e12 = _e11 + _e2*t
        _e13 = _e10*_e9
        return _shaped(2*_e13*(_e13*(_e12*t - _e12 - t*(_e11 + _e2*(t - 1))) + _e2*(_e10 - _e9)*(_e3 - _e4 - _e5))/_e2**3, z)
