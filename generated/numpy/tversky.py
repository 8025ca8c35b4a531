# lossgen: generated from specs/tversky.toml with template numpy_rowwise.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 76c31c85efe3c1a5cf73fffb29e06e135327e9d637264281e9649d3b7d378dba
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: ce196eeb4f398be804febea5bbb59f9f3c3e1f26a7301177e84e340a0ffedf1f
"""NumPy kernels for the row-wise loss ``tversky`` (Tversky loss (binary, on logits)): vectorized over rows, float64.

Each function takes the prediction and target as (N, K) float64 arrays (a label target as its
one-hot encoding) and the parameters; it returns per-row losses (N,) and per-class outputs
(N, K). Weights and reductions are applied by ``lossgen.runtime``.
"""

import numpy as np

NAME = 'tversky'
SPEC_SHA256 = '76c31c85efe3c1a5cf73fffb29e06e135327e9d637264281e9649d3b7d378dba'
PREDICTION = 'z'
PREDICTION_DOMAIN = 'real'
TARGET = 't'
TARGET_DOMAIN = 'unit_interval'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('alpha', 0.3, 'unit_interval'), ('beta', 0.7, 'unit_interval'), ('smooth', 1.0, 'nonnegative'))
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


def loss(z, t, alpha, beta, smooth):
    """Per-row loss, shape (N,)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _p0 = np.exp(-abs(z))
        _p1 = 1/(_p0 + 1)
        _p2 = _p0*_p1
        _p3 = np.where(np.greater_equal(z, 0), _p1, _p2)
        _r0 = np.sum(_shaped(_p3, z), axis=-1, keepdims=True)
        _r1 = np.sum(_shaped(t*np.where(np.less_equal(z, 0), _p1, _p2), z), axis=-1, keepdims=True)
        _r2 = np.sum(_shaped(_p3*t, z), axis=-1, keepdims=True)
        _q0 = _r0*alpha
        _q1 = _r1*beta
        _q2 = _r2*alpha
        _q3 = 1/(_q0 + _q1 - _q2 + _r2 + smooth)
        return _shaped(_q0*_q3 + _q1*_q3 - _q2*_q3, z[..., :1])[..., 0]


def loss_and_grad(z, t, alpha, beta, smooth):
    """Per-row loss (N,) and per-class gradient (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _p0 = np.exp(-abs(z))
        _p1 = 1/(_p0 + 1)
        _p2 = _p0*_p1
        _p3 = np.where(np.greater_equal(z, 0), _p1, _p2)
        _r0 = np.sum(_shaped(_p3, z), axis=-1, keepdims=True)
        _r1 = np.sum(_shaped(t*np.where(np.less_equal(z, 0), _p1, _p2), z), axis=-1, keepdims=True)
        _r2 = np.sum(_shaped(_p3*t, z), axis=-1, keepdims=True)
        _q0 = _r0*alpha
        _q1 = _r1*beta
        _q2 = _r2*alpha
        _q3 = 1/(_q0 + _q1 - _q2 + _r2 + smooth)
        _e0 = _r1*beta + alpha*(_r0 - _r2)
        _e1 = _e0 + _r2 + smooth
        _e2 = 1/(_e1)
        _e3 = _e2*alpha
        _e4 = _e1**(-2.0)
        _e5 = _e0*_e4
        _e6 = np.exp(-abs(z))
        _e7 = 1/(_e6 + 1)
        _e8 = _e6*_e7
        _e9 = np.where(np.greater_equal(z, 0), _e7, _e8)*np.where(np.less_equal(z, 0), _e7, _e8)
        _e10 = _e9*t
        return (
            _shaped(_q0*_q3 + _q1*_q3 - _q2*_q3, z[..., :1])[..., 0],
            _shaped(-_e10*(_e2*beta - _e5*beta) + _e10*(_e0*_e4*(alpha - 1) - _e3) + _e9*(_e3 - _e5*alpha), z),
        )


def grad(z, t, alpha, beta, smooth):
    """Per-class gradient with respect to the prediction, shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _p0 = np.exp(-abs(z))
        _p1 = 1/(_p0 + 1)
        _p2 = _p0*_p1
        _p3 = np.where(np.greater_equal(z, 0), _p1, _p2)
        _r0 = np.sum(_shaped(_p3, z), axis=-1, keepdims=True)
        _r1 = np.sum(_shaped(t*np.where(np.less_equal(z, 0), _p1, _p2), z), axis=-1, keepdims=True)
        _r2 = np.sum(_shaped(_p3*t, z), axis=-1, keepdims=True)
        _e0 = _r1*beta + alpha*(_r0 - _r2)
        _e1 = _e0 + _r2 + smooth
        _e2 = 1/(_e1)
        _e3 = _e2*alpha
        _e4 = _e1**(-2.0)
        _e5 = _e0*_e4
        _e6 = np.exp(-abs(z))
        _e7 = 1/(_e6 + 1)
        _e8 = _e6*_e7
        _e9 = np.where(np.greater_equal(z, 0), _e7, _e8)*np.where(np.less_equal(z, 0), _e7, _e8)
        _e10 = _e9*t
        return _shaped(-_e10*(_e2*beta - _e5*beta) + _e10*(_e0*_e4*(alpha - 1) - _e3) + _e9*(_e3 - _e5*alpha), z)


def hess(z, t, alpha, beta, smooth):
    """Per-class second derivative (Hessian diagonal), shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _p0 = np.exp(-abs(z))
        _p1 = 1/(_p0 + 1)
        _p2 = _p0*_p1
        _p3 = np.where(np.greater_equal(z, 0), _p1, _p2)
        _r0 = np.sum(_shaped(_p3, z), axis=-1, keepdims=True)
        _r1 = np.sum(_shaped(t*np.where(np.less_equal(z, 0), _p1, _p2), z), axis=-1, keepdims=True)
        _r2 = np.sum(_shaped(_p3*t, z), axis=-1, keepdims=True)
        _e0 = _r1*beta + alpha*(_r0 - _r2)
        _e1 = _e0 + _r2 + smooth
        _e2 = 1/(_e1)
        _e3 = _e2*alpha
        _e4 = _e1**(-2.0)
        _e5 = _e4*alpha
        _e6 = -_e0*_e5 + _e3
        _e21 = alpha - 1
        _e23 = alpha**2
        _e24 = _e23*_e4
        _e25 = _e1**(-3.0)
        _e26 = _e0*_e25
        _e27 = 2*_e26
        _e29 = 2*alpha
        _e30 = _e4*beta
        _e32 = _e21*_e29
        _e33 = _e21*_e5 + _e24
        _e35 = 2*beta**2
        _e36 = _e21*_e30 + _e5*beta
        _e37 = _e29 - 2
        _e38 = _e26*_e37
        _e7 = abs(z)
        _e8 = np.exp(-_e7)
        _e9 = _e8 + 1
        _e10 = 1/(_e9)
        _e11 = np.greater_equal(z, 0)
        _e12 = _e10*_e8
        _e13 = np.where(_e11, _e10, _e12)
        _e14 = _e9**(-2.0)
        _e15 = np.less_equal(z, 0)
        _e16 = _e14*np.exp(-2*_e7)
        _e17 = _e13*np.where(_e15, _e14, _e16)
        _e18 = np.where(_e15, _e10, _e12)
        _e19 = _e18*np.where(_e11, _e14, _e16)
        _e20 = t*(-_e0*_e4*beta + _e2*beta)
        _e22 = t*(_e0*_e21*_e4 - _e3)
        _e28 = _e13*_e18
        _e31 = _e28*(_e26*_e29*beta - _e29*_e30)
        _e34 = _e28*t
        return _shaped(-_e17*_e20 + _e17*_e22 + _e17*_e6 + _e19*_e20 - _e19*_e22 - _e19*_e6 + _e28*(_e28*(_e23*_e27 - 2*_e24) - _e31*t + _e34*(-_e26*_e32 + _e33)) - _e34*(_e31 - _e34*(_e26*_e35 - _e35*_e4) + _e34*(-_e21*_e27*beta + _e36)) + _e34*(_e28*(_e33 - _e38*alpha) - _e34*(_e36 - _e38*beta) + _e34*(_e0*_e21*_e25*_e37 - _e32*_e4)), z)
