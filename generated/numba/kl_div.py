# lossgen: generated from specs/kl_div.toml with template numba_rowwise.py.jinja; do not edit by hand.
# lossgen-spec-sha256: d08c216c80bc84950ec86c3d2860d05817c67dc1790519f7f70b0f458430e291
# lossgen-generator: d61cd89db4543b1c
# lossgen-content-sha256: 2a92d4b279c967674617130adad5f79a4d45b24d8bbbc849d0269168571c860f
"""Numba kernels for the row-wise loss ``kl_div`` (Kullback-Leibler divergence from log-probabilities).

Inputs are rows of K classes (C-contiguous, shape (N, K)).
Per row: one pass over the classes per level of row reductions (log-sum-exp with a running
maximum, so no exponential overflows), the row loss, then one pass writing the per-class output.
Rows are processed in parallel in fixed chunks; each chunk's partial sum is kept apart and the
partials are added in order, so results do not depend on the number of threads. Elements are
computed in float64. ``_weight`` is None or one weight per row; rows of weight 0 (also ignored
labels) are skipped and get zero gradients.
"""

import math

import numpy as np
from numba import njit, prange

NAME = 'kl_div'
SPEC_SHA256 = 'd08c216c80bc84950ec86c3d2860d05817c67dc1790519f7f70b0f458430e291'
PREDICTION = 'q'
TARGET = 'p'
TARGET_DOMAIN = 'unit_interval'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = ()
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()
SHAPE = "rowwise"
TARGET_KIND = 'vector'
IGNORE_PARAM = None

#: Elements per chunk of the parallel loops (the unit of the deterministic reduction).
CHUNK = 4096


def _kernel(function):
    try:
        return njit(parallel=True, cache=True, error_model="numpy")(function)
    except RuntimeError:  # no writable cache location: compile on every import instead
        return njit(parallel=True, cache=False, error_model="numpy")(function)


@_kernel
def loss_sum(_pred, _target, _weight):
    """Sum over rows of w·loss."""
    _n = _pred.shape[0]
    _classes = _pred.shape[1]
    K = np.float64(_classes)
    _rows = max(1, CHUNK // max(1, _classes))
    _chunks = (_n + _rows - 1) // _rows
    _partial = np.zeros(_chunks)
    for _c in prange(_chunks):
        _acc = 0.0
        for _row in range(_c * _rows, min(_n, (_c + 1) * _rows)):
            _w = 1.0 if _weight is None else np.float64(_weight[_row])
            if _w == 0.0:
                continue
            _r0 = 0.0
            _r1 = 0.0

            for _k in range(_classes):
                q = np.float64(_pred[_row, _k])
                p = np.float64(_target[_row, _k])


                _r0 += p*q
                _r1 += (0 if (p == 0) else p*math.log(p))


            _loss = -_r0 + _r1
            _acc += _w * _loss

        _partial[_c] = _acc
    # A serial loop: with parallel=True, Numba would turn _partial.sum() into a parallel
    # reduction whose rounding depends on the thread count.
    _total = 0.0
    for _c in range(_chunks):
        _total += _partial[_c]
    return _total


@_kernel
def loss_rows(_pred, _target, _weight, _loss_out):
    """Write w·loss per row into ``_loss_out`` (shape (N,))."""
    _n = _pred.shape[0]
    _classes = _pred.shape[1]
    K = np.float64(_classes)
    _rows = max(1, CHUNK // max(1, _classes))
    _chunks = (_n + _rows - 1) // _rows
    for _c in prange(_chunks):
        for _row in range(_c * _rows, min(_n, (_c + 1) * _rows)):
            _w = 1.0 if _weight is None else np.float64(_weight[_row])
            if _w == 0.0:
                _loss_out[_row] = 0.0
                continue
            _r0 = 0.0
            _r1 = 0.0

            for _k in range(_classes):
                q = np.float64(_pred[_row, _k])
                p = np.float64(_target[_row, _k])


                _r0 += p*q
                _r1 += (0 if (p == 0) else p*math.log(p))


            _loss = -_r0 + _r1
            _loss_out[_row] = _w * _loss



@_kernel
def loss_and_grad(_pred, _target, _weight, _scale, _grad_out):
    """Return the sum of w·loss and write scale·w·∂loss/∂q into ``_grad_out``."""
    _n = _pred.shape[0]
    _classes = _pred.shape[1]
    K = np.float64(_classes)
    _rows = max(1, CHUNK // max(1, _classes))
    _chunks = (_n + _rows - 1) // _rows
    _partial = np.zeros(_chunks)
    for _c in prange(_chunks):
        _acc = 0.0
        for _row in range(_c * _rows, min(_n, (_c + 1) * _rows)):
            _w = 1.0 if _weight is None else np.float64(_weight[_row])
            if _w == 0.0:
                for _k in range(_classes):
                    _grad_out[_row, _k] = 0.0
                continue
            # The last reduction pass runs inside the element loop: the outputs do not need it.
            _r0 = 0.0
            _r1 = 0.0

            for _k in range(_classes):
                q = np.float64(_pred[_row, _k])
                p = np.float64(_target[_row, _k])


                _r0 += p*q
                _r1 += (0 if (p == 0) else p*math.log(p))

                _grad_out[_row, _k] = _scale * _w * (-p)

            _loss = -_r0 + _r1
            _acc += _w * _loss

        _partial[_c] = _acc
    # A serial loop: with parallel=True, Numba would turn _partial.sum() into a parallel
    # reduction whose rounding depends on the thread count.
    _total = 0.0
    for _c in range(_chunks):
        _total += _partial[_c]
    return _total


@_kernel
def grad(_pred, _target, _weight, _scale, _grad_out):
    """Write scale·w·∂loss/∂q into ``_grad_out``."""
    _n = _pred.shape[0]
    _classes = _pred.shape[1]
    K = np.float64(_classes)
    _rows = max(1, CHUNK // max(1, _classes))
    _chunks = (_n + _rows - 1) // _rows
    for _c in prange(_chunks):
        for _row in range(_c * _rows, min(_n, (_c + 1) * _rows)):
            _w = 1.0 if _weight is None else np.float64(_weight[_row])
            if _w == 0.0:
                for _k in range(_classes):
                    _grad_out[_row, _k] = 0.0
                continue

            for _k in range(_classes):
                q = np.float64(_pred[_row, _k])
                p = np.float64(_target[_row, _k])


                _grad_out[_row, _k] = _scale * _w * (-p)


@_kernel
def hess(_pred, _target, _weight, _scale, _hess_out):
    """Write scale·w·∂²loss/∂q² (per class) into ``_hess_out``."""
    _n = _pred.shape[0]
    _classes = _pred.shape[1]
    K = np.float64(_classes)
    _rows = max(1, CHUNK // max(1, _classes))
    _chunks = (_n + _rows - 1) // _rows
    for _c in prange(_chunks):
        for _row in range(_c * _rows, min(_n, (_c + 1) * _rows)):
            _w = 1.0 if _weight is None else np.float64(_weight[_row])
            if _w == 0.0:
                for _k in range(_classes):
                    _hess_out[_row, _k] = 0.0
                continue

            for _k in range(_classes):
                q = np.float64(_pred[_row, _k])
                p = np.float64(_target[_row, _k])


                _hess_out[_row, _k] = _scale * _w * (0)

