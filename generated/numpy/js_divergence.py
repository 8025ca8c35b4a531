# lossgen: generated from specs/js_divergence.toml with template numpy_rowwise.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 05f12414de4c4fcd84742f500e34e41c24211c1f8cec60a9873e45b534bfac92
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: d6d553e1d36b4654df87756253748668e65ef22f353bd14d0adb34835e054900
"""NumPy kernels for the row-wise loss ``js_divergence`` (Jensen-Shannon divergence from logits): vectorized over rows, float64.

Each function takes the prediction and target as (N, K) float64 arrays (a label target as its
one-hot encoding) and the parameters; it returns per-row losses (N,) and per-class outputs
(N, K). Weights and reductions are applied by ``lossgen.runtime``.

Conventions:
- At a branch boundary the derivatives are those of the branch whose condition holds there (conditions are tried in the order declared).
"""

import numpy as np

NAME = 'js_divergence'
SPEC_SHA256 = '05f12414de4c4fcd84742f500e34e41c24211c1f8cec60a9873e45b534bfac92'
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
        _r0_max, _r0_log, _r0_softmax = _logsumexp(_shaped(z, z))
        _z_shifted = z - _r0_max
        _p1 = (0.5)*_r0_log
        _p7 = np.log(2)
        _p0 = np.log(p)
        _p2 = (0.5)*_p0
        _p3 = _p1 + _p2 - 0.5*_z_shifted
        _p4 = _r0_log - _z_shifted
        _p5 = _p0 + _p4
        _p6 = abs(_p5)
        _p8 = np.exp(-_p6)
        _p9 = _p8 + 1
        _p10 = 1/(_p9)
        _p11 = _p10*_p8
        _p12 = (0.5)*np.where(np.less(_p6, 2), _p3*np.tanh(_p3) - np.log1p(2*np.sinh((0.25)*_p0 + (0.25)*_r0_log - 0.25*_z_shifted)**2), -_p11*_p6 + _p7 - np.log1p(_p8))
        _p13 = np.exp(-_p4)
        _p14 = _p12*_p13
        _p15 = np.greater(p, 0)
        _p16 = (0.5)*_p13
        _p17 = _p16*_p7
        _r1 = np.sum(_shaped(np.where(_p15, _p12*p + _p14, _p17), z), axis=-1, keepdims=True)
        _z_shifted = z - _r0_max
        return _shaped(_r1, z[..., :1])[..., 0]


def loss_and_grad(z, p):
    """Per-row loss (N,) and per-class gradient (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r0_max, _r0_log, _r0_softmax = _logsumexp(_shaped(z, z))
        _z_shifted = z - _r0_max
        _p1 = (0.5)*_r0_log
        _p7 = np.log(2)
        _p0 = np.log(p)
        _p2 = (0.5)*_p0
        _p3 = _p1 + _p2 - 0.5*_z_shifted
        _p4 = _r0_log - _z_shifted
        _p5 = _p0 + _p4
        _p6 = abs(_p5)
        _p8 = np.exp(-_p6)
        _p9 = _p8 + 1
        _p10 = 1/(_p9)
        _p11 = _p10*_p8
        _p12 = (0.5)*np.where(np.less(_p6, 2), _p3*np.tanh(_p3) - np.log1p(2*np.sinh((0.25)*_p0 + (0.25)*_r0_log - 0.25*_z_shifted)**2), -_p11*_p6 + _p7 - np.log1p(_p8))
        _p13 = np.exp(-_p4)
        _p14 = _p12*_p13
        _p15 = np.greater(p, 0)
        _p16 = (0.5)*_p13
        _p17 = _p16*_p7
        _p18 = np.greater_equal(_p5, 0)
        _p19 = np.where(_p18, _p10, _p11)
        _p20 = np.less_equal(_p5, 0)
        _p21 = np.where(_p20, _p10, _p11)
        _p22 = _p19*_p21
        _p23 = _p22*p
        _p24 = (0.5)*_z_shifted
        _p25 = _p13*_p22
        _r1 = np.sum(_shaped(np.where(_p15, _p12*p + _p14, _p17), z), axis=-1, keepdims=True)
        _r2 = np.sum(_shaped(np.where(_p15, _p1*_p23 + _p1*_p25 - _p14 + _p2*_p23 + _p2*_p25 - _p23*_p24 - _p24*_p25, -_p17), z), axis=-1, keepdims=True)
        _z_shifted = z - _r0_max
        _e5 = np.log(2)
        _e0 = np.log(p)
        _e1 = (0.5)*_e0 + (0.5)*_r0_log - 0.5*_z_shifted
        _e2 = _r0_log - _z_shifted
        _e3 = _e0 + _e2
        _e4 = abs(_e3)
        _e6 = np.exp(-_e4)
        _e7 = 1/(_e6 + 1)
        _e8 = _e6*_e7
        _e9 = (0.5)*np.exp(-_e2)
        return (
            _shaped(_r1, z[..., :1])[..., 0],
            _shaped(_r0_softmax*_r2 + np.where(np.greater(p, 0), -_e3*(_e9 + (0.5)*p)*np.where(np.greater_equal(_e3, 0), _e7, _e8)*np.where(np.less_equal(_e3, 0), _e7, _e8) + _e9*np.where(np.less(_e4, 2), _e1*np.tanh(_e1) - np.log1p(2*np.sinh((0.25)*_e0 + (0.25)*_r0_log - 0.25*_z_shifted)**2), -_e4*_e8 + _e5 - np.log1p(_e6)), _e5*_e9), z),
        )


def grad(z, p):
    """Per-class gradient with respect to the prediction, shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r0_max, _r0_log, _r0_softmax = _logsumexp(_shaped(z, z))
        _z_shifted = z - _r0_max
        _p1 = (0.5)*_r0_log
        _p7 = np.log(2)
        _p0 = np.log(p)
        _p2 = (0.5)*_p0
        _p3 = _p1 + _p2 - 0.5*_z_shifted
        _p4 = _r0_log - _z_shifted
        _p5 = _p0 + _p4
        _p6 = abs(_p5)
        _p8 = np.exp(-_p6)
        _p9 = _p8 + 1
        _p10 = 1/(_p9)
        _p11 = _p10*_p8
        _p12 = (0.5)*np.where(np.less(_p6, 2), _p3*np.tanh(_p3) - np.log1p(2*np.sinh((0.25)*_p0 + (0.25)*_r0_log - 0.25*_z_shifted)**2), -_p11*_p6 + _p7 - np.log1p(_p8))
        _p13 = np.exp(-_p4)
        _p14 = _p12*_p13
        _p15 = np.greater(p, 0)
        _p16 = (0.5)*_p13
        _p17 = _p16*_p7
        _p18 = np.greater_equal(_p5, 0)
        _p19 = np.where(_p18, _p10, _p11)
        _p20 = np.less_equal(_p5, 0)
        _p21 = np.where(_p20, _p10, _p11)
        _p22 = _p19*_p21
        _p23 = _p22*p
        _p24 = (0.5)*_z_shifted
        _p25 = _p13*_p22
        _r2 = np.sum(_shaped(np.where(_p15, _p1*_p23 + _p1*_p25 - _p14 + _p2*_p23 + _p2*_p25 - _p23*_p24 - _p24*_p25, -_p17), z), axis=-1, keepdims=True)
        _z_shifted = z - _r0_max
        _e5 = np.log(2)
        _e0 = np.log(p)
        _e1 = (0.5)*_e0 + (0.5)*_r0_log - 0.5*_z_shifted
        _e2 = _r0_log - _z_shifted
        _e3 = _e0 + _e2
        _e4 = abs(_e3)
        _e6 = np.exp(-_e4)
        _e7 = 1/(_e6 + 1)
        _e8 = _e6*_e7
        _e9 = (0.5)*np.exp(-_e2)
        return _shaped(_r0_softmax*_r2 + np.where(np.greater(p, 0), -_e3*(_e9 + (0.5)*p)*np.where(np.greater_equal(_e3, 0), _e7, _e8)*np.where(np.less_equal(_e3, 0), _e7, _e8) + _e9*np.where(np.less(_e4, 2), _e1*np.tanh(_e1) - np.log1p(2*np.sinh((0.25)*_e0 + (0.25)*_r0_log - 0.25*_z_shifted)**2), -_e4*_e8 + _e5 - np.log1p(_e6)), _e5*_e9), z)


def hess(z, p):
    """Per-class second derivative (Hessian diagonal), shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r0_max, _r0_log, _r0_softmax = _logsumexp(_shaped(z, z))
        _z_shifted = z - _r0_max
        _p1 = (0.5)*_r0_log
        _p7 = np.log(2)
        _p0 = np.log(p)
        _p2 = (0.5)*_p0
        _p3 = _p1 + _p2 - 0.5*_z_shifted
        _p4 = _r0_log - _z_shifted
        _p5 = _p0 + _p4
        _p6 = abs(_p5)
        _p8 = np.exp(-_p6)
        _p9 = _p8 + 1
        _p10 = 1/(_p9)
        _p11 = _p10*_p8
        _p12 = (0.5)*np.where(np.less(_p6, 2), _p3*np.tanh(_p3) - np.log1p(2*np.sinh((0.25)*_p0 + (0.25)*_r0_log - 0.25*_z_shifted)**2), -_p11*_p6 + _p7 - np.log1p(_p8))
        _p13 = np.exp(-_p4)
        _p14 = _p12*_p13
        _p15 = np.greater(p, 0)
        _p16 = (0.5)*_p13
        _p17 = _p16*_p7
        _p18 = np.greater_equal(_p5, 0)
        _p19 = np.where(_p18, _p10, _p11)
        _p20 = np.less_equal(_p5, 0)
        _p21 = np.where(_p20, _p10, _p11)
        _p22 = _p19*_p21
        _p23 = _p22*p
        _p24 = (0.5)*_z_shifted
        _p25 = _p13*_p22
        _p26 = _p1*p
        _p27 = _p9**(-2.0)
        _p28 = _p27*np.exp(-2*_p6)
        _p29 = _p21*np.where(_p18, _p27, _p28)
        _p30 = _p19*np.where(_p20, _p27, _p28)
        _p31 = _p24*p
        _p32 = _p2*p
        _p33 = _p13*_p29
        _p34 = _p13*_p30
        _r2 = np.sum(_shaped(np.where(_p15, _p1*_p23 + _p1*_p25 - _p14 + _p2*_p23 + _p2*_p25 - _p23*_p24 - _p24*_p25, -_p17), z), axis=-1, keepdims=True)
        _r3 = np.sum(_shaped(np.where(_p15, -_p0*_p25 - _p1*_p33 + _p1*_p34 + _p14 + _p16*_p22 - _p2*_p33 + _p2*_p34 + (0.5)*_p23 + _p24*_p33 - _p24*_p34 - _p25*_r0_log + _p25*_z_shifted - _p26*_p29 + _p26*_p30 + _p29*_p31 - _p29*_p32 - _p30*_p31 + _p30*_p32, _p17), z), axis=-1, keepdims=True)
        _z_shifted = z - _r0_max
        _e0 = _r0_softmax*_r2
        _e1 = _r0_log - _z_shifted
        _e2 = np.exp(-_e1)
        _e3 = np.log(p)
        _e4 = (0.5)*_e3 + (0.5)*_r0_log - 0.5*_z_shifted
        _e5 = _e1 + _e3
        _e6 = abs(_e5)
        _e7 = np.exp(-_e6)
        _e8 = _e7 + 1
        _e9 = 1/(_e8)
        _e10 = _e7*_e9
        _e11 = _e2*np.where(np.less(_e6, 2), _e4*np.tanh(_e4) - np.log1p(2*np.sinh((0.25)*_e3 + (0.25)*_r0_log - 0.25*_z_shifted)**2), -_e10*_e6 - np.log1p(_e7) + np.log(2))
        _e12 = np.greater_equal(_e5, 0)
        _e13 = np.where(_e12, _e9, _e10)
        _e14 = _e2 + p
        _e15 = np.less_equal(_e5, 0)
        _e16 = np.where(_e15, _e9, _e10)
        _e17 = _e14*_e16
        _e18 = _e13*_e17
        _e19 = _e13*_e5
        _e20 = _e16*_e19*_e2
        _e21 = _e8**(-2.0)
        _e22 = _e21*np.exp(-2*_e6)
        _e23 = _e17*_e5*np.where(_e12, _e21, _e22)
        _e24 = _e14*_e19*np.where(_e15, _e21, _e22)
        _e25 = 2*_e20
        _e26 = (0.5)*_r0_softmax
        _e27 = _r0_softmax**2
        return _shaped(np.where(np.greater(p, 0), _e0 + (0.5)*_e11 + (0.5)*_e18 - _e20 - 0.5*_e23 + (0.5)*_e24 - _e26*(2*_e0 + _e11 + _e18 - _e23 + _e24 - _e25) + _e26*(-_e11 - _e18 + _e23 - _e24 + _e25 + 2*_r0_softmax*_r3), _e0 + _e2*np.log(2**(0.5 - _r0_softmax)) - _e27*_r2 + _e27*_r3), z)
