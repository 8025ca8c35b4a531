# lossgen: generated from specs/huber.toml with template numba_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 58f82a48377e5f75341117ea32b1d81f08ee90287b456614c009262f04099c0f
# lossgen-generator: d61cd89db4543b1c
# lossgen-content-sha256: db871433f3366be285ade7b31e7d94019ac5f5c8725f44d9f97f22c23b971be6
"""Numba kernels for ``huber`` (Huber loss).

One fused pass over memory per call, parallel over fixed-size chunks. Elements are computed in
float64 whatever the input dtype and stored in the output's dtype. Each chunk keeps its losses
in a small buffer and sums them in a fixed lane order; the partials are added in chunk order, so
results do not depend on the number of threads. ``_weight`` is None or an array like ``_pred``; ``_scale`` multiplies
every written element (1/N or 1/sum(w) for a mean).

Conventions:
- sign(0) = 0: the derivative of |u| at u = 0 is taken as 0, as PyTorch does.
- At a branch boundary the derivatives are those of the branch whose condition holds there (conditions are tried in the order declared).
- The Hessian is the almost-everywhere second derivative: point masses (Dirac deltas) at kinks are dropped.
"""

import math

import numpy as np
from numba import njit, prange

NAME = 'huber'
SPEC_SHA256 = '58f82a48377e5f75341117ea32b1d81f08ee90287b456614c009262f04099c0f'
PREDICTION = 'y_pred'
TARGET = 'y_true'
TARGET_DOMAIN = 'real'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('delta', 1.0, 'positive'),)
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()

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
def loss_sum(_pred, _target, _weight, delta):
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
            _w = 1.0 if _weight is None else np.float64(_weight[_i])
            _t0 = y_pred - y_true
            _t1 = abs(_t0)
            _t2 = (delta >= _t1)
            _loss = ((0.5)*_t0**2 if _t2 else delta*(_t1 - 0.5*delta))
            _losses[_i - _start] = _w * _loss
        _partial[_c] = _lane_sum(_losses, _stop - _start)
    # A serial loop: with parallel=True, Numba would turn _partial.sum() into a parallel
    # reduction whose rounding depends on the thread count.
    _total = 0.0
    for _c in range(_chunks):
        _total += _partial[_c]
    return _total


@_kernel
def loss_elements(_pred, _target, _weight, delta, _loss_out):
    """Write w·loss per element into ``_loss_out``."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    for _c in prange(_chunks):
        _start = _c * CHUNK
        _stop = min(_n, _start + CHUNK)
        for _i in range(_start, _stop):
            y_pred = np.float64(_pred[_i])
            y_true = np.float64(_target[_i])
            _w = 1.0 if _weight is None else np.float64(_weight[_i])
            _t0 = y_pred - y_true
            _t1 = abs(_t0)
            _t2 = (delta >= _t1)
            _loss = ((0.5)*_t0**2 if _t2 else delta*(_t1 - 0.5*delta))
            _loss_out[_i] = _w * _loss


@_kernel
def loss_and_grad(_pred, _target, _weight, delta, _scale, _grad_out):
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
            _w = 1.0 if _weight is None else np.float64(_weight[_i])
            _t0 = y_pred - y_true
            _t1 = abs(_t0)
            _t2 = (delta >= _t1)
            _loss = ((0.5)*_t0**2 if _t2 else delta*(_t1 - 0.5*delta))
            _grad = (_t0 if _t2 else delta*(1 if (_t0 > 0) else (-1 if (_t0 < 0) else 0)))
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
def grad(_pred, _target, _weight, delta, _scale, _grad_out):
    """Write scale·w·∂loss/∂y_pred into ``_grad_out``."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    for _c in prange(_chunks):
        _start = _c * CHUNK
        _stop = min(_n, _start + CHUNK)
        for _i in range(_start, _stop):
            y_pred = np.float64(_pred[_i])
            y_true = np.float64(_target[_i])
            _w = 1.0 if _weight is None else np.float64(_weight[_i])
            _t0 = y_pred - y_true
            _t1 = abs(_t0)
            _t2 = (delta >= _t1)
            _grad = (_t0 if _t2 else delta*(1 if (_t0 > 0) else (-1 if (_t0 < 0) else 0)))
            _grad_out[_i] = _scale * _w * _grad


@_kernel
def hess(_pred, _target, _weight, delta, _scale, _hess_out):
    """Write scale·w·∂²loss/∂y_pred² into ``_hess_out``."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    for _c in prange(_chunks):
        _start = _c * CHUNK
        _stop = min(_n, _start + CHUNK)
        for _i in range(_start, _stop):
            y_pred = np.float64(_pred[_i])
            y_true = np.float64(_target[_i])
            _w = 1.0 if _weight is None else np.float64(_weight[_i])
            _t0 = y_pred - y_true
            _t1 = abs(_t0)
            _t2 = (delta >= _t1)
            _hess = (1 if _t2 else 0)
            _hess_out[_i] = _scale * _w * _hess

