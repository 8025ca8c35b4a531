# lossgen: generated from specs/multi_margin.toml with template numpy_rowwise.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 1caf30f71cbcb49c3633255b58198033c0d0f4cb909e6e254010308245bed190
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: fae4d5b3e80c25b6e84a7dd7f3c2949aabc3cd40612a7d661cb7e8bc391b244c
"""NumPy kernels for the row-wise loss ``multi_margin`` (Multi-class margin (Weston-Watkins hinge) loss): vectorized over rows, float64.

Each function takes the prediction and target as (N, K) float64 arrays (a label target as its
one-hot encoding) and the parameters; it returns per-row losses (N,) and per-class outputs
(N, K). Weights and reductions are applied by ``lossgen.runtime``.

Conventions:
- At a branch boundary the derivatives are those of the branch whose condition holds there (conditions are tried in the order declared).
"""

import numpy as np

NAME = 'multi_margin'
SPEC_SHA256 = '1caf30f71cbcb49c3633255b58198033c0d0f4cb909e6e254010308245bed190'
PREDICTION = 'z'
PREDICTION_DOMAIN = 'real'
TARGET = 'y'
TARGET_DOMAIN = 'unit_interval'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('margin', 1.0, 'positive'), ('p', 1.0, 'positive'))
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


def loss(z, y, margin, p):
    """Per-row loss, shape (N,)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r0 = np.sum(_shaped(y*z, z), axis=-1, keepdims=True)
        _p0 = -_r0 + margin + z
        _p1 = _p0**p
        _p2 = np.greater(_p0, 0)
        _p3 = np.where(_p2, _p1, 0)
        _r1 = np.sum(_shaped(_p3, z), axis=-1, keepdims=True)
        _r2 = np.sum(_shaped(_p3*y, z), axis=-1, keepdims=True)
        _q0 = 1/(K)
        return _shaped(_q0*_r1 - _q0*_r2, z[..., :1])[..., 0]


def loss_and_grad(z, y, margin, p):
    """Per-row loss (N,) and per-class gradient (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r0 = np.sum(_shaped(y*z, z), axis=-1, keepdims=True)
        _p0 = -_r0 + margin + z
        _p1 = _p0**p
        _p2 = np.greater(_p0, 0)
        _p3 = np.where(_p2, _p1, 0)
        _p4 = _p1*p
        _p5 = np.where(_p2, -_p4/_p0, 0)
        _r1 = np.sum(_shaped(_p3, z), axis=-1, keepdims=True)
        _r2 = np.sum(_shaped(_p3*y, z), axis=-1, keepdims=True)
        _r3 = np.sum(_shaped(_p5, z), axis=-1, keepdims=True)
        _r4 = np.sum(_shaped(_p5*y, z), axis=-1, keepdims=True)
        _q0 = 1/(K)
        _e0 = 1/(K)
        _e1 = margin + z
        _e2 = p*(_e1 - _r0)**(p - 1)
        return (
            _shaped(_q0*_r1 - _q0*_r2, z[..., :1])[..., 0],
            _shaped(np.where(np.greater(_e1, _r0), _e0*(-_e2*y + _e2 + _r3*y - _r4*y), _e0*y*(_r3 - _r4)), z),
        )


def grad(z, y, margin, p):
    """Per-class gradient with respect to the prediction, shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r0 = np.sum(_shaped(y*z, z), axis=-1, keepdims=True)
        _p0 = -_r0 + margin + z
        _p1 = _p0**p
        _p2 = np.greater(_p0, 0)
        _p4 = _p1*p
        _p5 = np.where(_p2, -_p4/_p0, 0)
        _r3 = np.sum(_shaped(_p5, z), axis=-1, keepdims=True)
        _r4 = np.sum(_shaped(_p5*y, z), axis=-1, keepdims=True)
        _e0 = 1/(K)
        _e1 = margin + z
        _e2 = p*(_e1 - _r0)**(p - 1)
        return _shaped(np.where(np.greater(_e1, _r0), _e0*(-_e2*y + _e2 + _r3*y - _r4*y), _e0*y*(_r3 - _r4)), z)


def hess(z, y, margin, p):
    """Per-class second derivative (Hessian diagonal), shape (N, K)."""
    with np.errstate(all="ignore"):
        K = np.float64(z.shape[-1])
        _r0 = np.sum(_shaped(y*z, z), axis=-1, keepdims=True)
        _p0 = -_r0 + margin + z
        _p1 = _p0**p
        _p2 = np.greater(_p0, 0)
        _p4 = _p1*p
        _p6 = _p0**(-2.0)
        _p7 = np.where(_p2, _p1*_p6*p**2 - _p4*_p6, 0)
        _r5 = np.sum(_shaped(_p7, z), axis=-1, keepdims=True)
        _r6 = np.sum(_shaped(_p7*y, z), axis=-1, keepdims=True)
        _e0 = 1/(K)
        _e1 = margin + z
        _e2 = p*(_e1 - _r0)**(p - 2)*(p - 1)
        _e3 = _e2*(y - 1)
        _e4 = -_e2
        _e5 = y**2
        return _shaped(np.where(np.greater(_e1, _r0), _e0*(_e3*y - _e3 + _e5*(-_e4 - _r6) + y*(_e4 + _r5*y)), _e0*_e5*(_r5 - _r6)), z)
