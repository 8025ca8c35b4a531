# lossgen: generated from specs/gaussian_nll.toml with template numba_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 144a6b4f168b27d7bc55ca070ab952c2d1dfbaf99d3115f691994bf578cf9791
# lossgen-generator: d61cd89db4543b1c
# lossgen-content-sha256: b12e9da28d854818f8492e95fff8a991d4845b9f6d9393c54dc09b5d9aa737b2
"""Numba kernels for ``gaussian_nll`` (Gaussian negative log-likelihood).

One fused pass over memory per call, parallel over fixed-size chunks. Elements are computed in
float64 whatever the input dtype and stored in the output's dtype. Each chunk keeps its losses
in a small buffer and sums them in a fixed lane order; the partials are added in chunk order, so
results do not depend on the number of threads. ``_weight`` is None or an array like ``_pred``; ``_scale`` multiplies
every written element (1/N or 1/sum(w) for a mean).

Conventions:
- Heaviside(0) = 1/2: at a tie of max/min the derivative is the mean of the one-sided derivatives, as torch.maximum does (consistent with sign(0) = 0).
"""

import math

import numpy as np
from numba import njit, prange

NAME = 'gaussian_nll'
SPEC_SHA256 = '144a6b4f168b27d7bc55ca070ab952c2d1dfbaf99d3115f691994bf578cf9791'
PREDICTION = 'y_pred'
TARGET = 'y_true'
TARGET_DOMAIN = 'real'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('eps', 1e-06, 'positive'),)
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = (('var', 'positive'),)

#: Elements per chunk of the parallel loops (the unit of the deterministic reduction); a chunk's
#: losses fit in L1 (16 KiB) between the element loop and their sum.
CHUNK = 2048


def _kernel(function):
    try:
        return njit(parallel=True, cache=True, error_model="numpy")(function)
    except RuntimeError:  # no writable cache location: compile on every import instead
        return njit(parallel=True, cache=False, error_model="numpy")(function)


@njit(inline="always", error_model="numpy")
def _lane_sum(buffer, count):
    """Sum of buffer[:count] in 8 interleaved lanes, combined pairwise: a fixed order (results do not
    depend on the thread count) that LLVM vectorizes. A single running sum would serialize the
    whole loop: without fast-math LLVM may not reassociate it."""
    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 0.0
    full = count - count % 8
    for j in range(0, full, 8):
        a0 += buffer[j]
        a1 += buffer[j + 1]
        a2 += buffer[j + 2]
        a3 += buffer[j + 3]
        a4 += buffer[j + 4]
        a5 += buffer[j + 5]
        a6 += buffer[j + 6]
        a7 += buffer[j + 7]
    for j in range(full, count):
        a0 += buffer[j]
    return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))


@_kernel
def loss_sum(_pred, _target, _aux_var, _weight, eps):
    """Sum of w·loss over all elements (9 operations per element)."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    _partial = np.zeros(_chunks)
    for _c in prange(_chunks):
        _start = _c * CHUNK
        _stop = min(_n, _start + CHUNK)
        _losses = np.empty(CHUNK)
        for _i in range(_start, _stop):
            y_pred = np.float64(_pred[_i])
            y_true = np.float64(_target[_i])
            var = np.float64(_aux_var[_i])
            _w = 1.0 if _weight is None else np.float64(_weight[_i])
            _t0 = max(eps, var)
            _t1 = 1/_t0
            _t2 = y_pred - y_true
            _loss = (0.5)*_t1*_t2**2 + (0.5)*math.log(_t0)
            _losses[_i - _start] = _w * _loss
        _partial[_c] = _lane_sum(_losses, _stop - _start)
    # A serial loop: with parallel=True, Numba would turn _partial.sum() into a parallel
    # reduction whose rounding depends on the thread count.
    _total = 0.0
    for _c in range(_chunks):
        _total += _partial[_c]
    return _total


@_kernel
def loss_elements(_pred, _target, _aux_var, _weight, eps, _loss_out):
    """Write w·loss per element into ``_loss_out``."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    for _c in prange(_chunks):
        _start = _c * CHUNK
        _stop = min(_n, _start + CHUNK)
        for _i in range(_start, _stop):
            y_pred = np.float64(_pred[_i])
            y_true = np.float64(_target[_i])
            var = np.float64(_aux_var[_i])
            _w = 1.0 if _weight is None else np.float64(_weight[_i])
            _t0 = max(eps, var)
            _t1 = 1/_t0
            _t2 = y_pred - y_true
            _loss = (0.5)*_t1*_t2**2 + (0.5)*math.log(_t0)
            _loss_out[_i] = _w * _loss


@_kernel
def loss_and_grad(_pred, _target, _aux_var, _weight, eps, _scale, _grad_out):
    """Return the sum of w·loss and write scale·w·∂loss/∂y_pred into ``_grad_out``, in one pass."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    _partial = np.zeros(_chunks)
    for _c in prange(_chunks):
        _start = _c * CHUNK
        _stop = min(_n, _start + CHUNK)
        _losses = np.empty(CHUNK)
        for _i in range(_start, _stop):
            y_pred = np.float64(_pred[_i])
            y_true = np.float64(_target[_i])
            var = np.float64(_aux_var[_i])
            _w = 1.0 if _weight is None else np.float64(_weight[_i])
            _t0 = max(eps, var)
            _t1 = 1/_t0
            _t2 = y_pred - y_true
            _loss = (0.5)*_t1*_t2**2 + (0.5)*math.log(_t0)
            _grad = _t1*_t2
            _losses[_i - _start] = _w * _loss
            _grad_out[_i] = _scale * _w * _grad
        _partial[_c] = _lane_sum(_losses, _stop - _start)
    # A serial loop: with parallel=True, Numba would turn _partial.sum() into a parallel
    # reduction whose rounding depends on the thread count.
    _total = 0.0
    for _c in range(_chunks):
        _total += _partial[_c]
    return _total


@_kernel
def grad(_pred, _target, _aux_var, _weight, eps, _scale, _grad_out):
    """Write scale·w·∂loss/∂y_pred into ``_grad_out``."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    for _c in prange(_chunks):
        _start = _c * CHUNK
        _stop = min(_n, _start + CHUNK)
        for _i in range(_start, _stop):
            y_pred = np.float64(_pred[_i])
            y_true = np.float64(_target[_i])
            var = np.float64(_aux_var[_i])
            _w = 1.0 if _weight is None else np.float64(_weight[_i])
            _t0 = max(eps, var)
            _t1 = 1/_t0
            _t2 = y_pred - y_true
            _grad = _t1*_t2
            _grad_out[_i] = _scale * _w * _grad


@_kernel
def hess(_pred, _target, _aux_var, _weight, eps, _scale, _hess_out):
    """Write scale·w·∂²loss/∂y_pred² into ``_hess_out``."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    for _c in prange(_chunks):
        _start = _c * CHUNK
        _stop = min(_n, _start + CHUNK)
        for _i in range(_start, _stop):
            y_pred = np.float64(_pred[_i])
            y_true = np.float64(_target[_i])
            var = np.float64(_aux_var[_i])
            _w = 1.0 if _weight is None else np.float64(_weight[_i])
            _t0 = max(eps, var)
            _t1 = 1/_t0
            _hess = _t1
            _hess_out[_i] = _scale * _w * _hess

