# lossgen: generated from specs/kl_div_logits.toml with template numba_rowwise.py.jinja; do not edit by hand.
# lossgen-spec-sha256: cf4bfef23d1ce6363085544b33bdf69d4ba28ccfc35e23f010fcea2a18e834ef
# lossgen-generator: d61cd89db4543b1c
# lossgen-content-sha256: 5b24c6be708b57b44e47187422f1cd9212e992ab3f9b8b01f67c6e6a1502e5d6
"""Numba kernels for the row-wise loss ``kl_div_logits`` (Kullback-Leibler divergence from logits).

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

NAME = 'kl_div_logits'
SPEC_SHA256 = 'cf4bfef23d1ce6363085544b33bdf69d4ba28ccfc35e23f010fcea2a18e834ef'
PREDICTION = 'z'
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
            __r1_max = -math.inf
            __r1_sum = 0.0
            _r3 = 0.0
            _r4 = 0.0

            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                p = np.float64(_target[_row, _k])


                _u = z
                if _u > __r1_max:
                    __r1_sum = __r1_sum * math.exp(__r1_max - _u) + 1.0
                    __r1_max = _u
                elif _u != -math.inf:
                    __r1_sum += math.exp(_u - __r1_max)
                _r3 += p
                _r4 += (0 if (p == 0) else p*math.log(p))

            _r1_max = __r1_max
            _r1_log = math.log(__r1_sum)

            _r2 = 0.0

            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                p = np.float64(_target[_row, _k])

                _z_shifted = z - _r1_max

                _r2 += _z_shifted*p


            _loss = _r1_log*_r3 - _r2 + _r4
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
            __r1_max = -math.inf
            __r1_sum = 0.0
            _r3 = 0.0
            _r4 = 0.0

            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                p = np.float64(_target[_row, _k])


                _u = z
                if _u > __r1_max:
                    __r1_sum = __r1_sum * math.exp(__r1_max - _u) + 1.0
                    __r1_max = _u
                elif _u != -math.inf:
                    __r1_sum += math.exp(_u - __r1_max)
                _r3 += p
                _r4 += (0 if (p == 0) else p*math.log(p))

            _r1_max = __r1_max
            _r1_log = math.log(__r1_sum)

            _r2 = 0.0

            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                p = np.float64(_target[_row, _k])

                _z_shifted = z - _r1_max

                _r2 += _z_shifted*p


            _loss = _r1_log*_r3 - _r2 + _r4
            _loss_out[_row] = _w * _loss



@_kernel
def loss_and_grad(_pred, _target, _weight, _scale, _grad_out):
    """Return the sum of w·loss and write scale·w·∂loss/∂z into ``_grad_out``."""
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
            __r1_max = -math.inf
            __r1_sum = 0.0
            _r3 = 0.0
            _r4 = 0.0

            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                p = np.float64(_target[_row, _k])


                _u = z
                if _u > __r1_max:
                    __r1_sum = __r1_sum * math.exp(__r1_max - _u) + 1.0
                    __r1_max = _u
                elif _u != -math.inf:
                    __r1_sum += math.exp(_u - __r1_max)
                _r3 += p
                _r4 += (0 if (p == 0) else p*math.log(p))

            _r1_max = __r1_max
            _r1_log = math.log(__r1_sum)

            # The last reduction pass runs inside the element loop: the outputs do not need it.
            _r2 = 0.0

            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                p = np.float64(_target[_row, _k])

                _z_shifted = z - _r1_max

                _r2 += _z_shifted*p

                _grad_out[_row, _k] = _scale * _w * (_r3*math.exp(-_r1_log + _z_shifted) - p)

            _loss = _r1_log*_r3 - _r2 + _r4
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
    """Write scale·w·∂loss/∂z into ``_grad_out``."""
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
            __r1_max = -math.inf
            __r1_sum = 0.0
            _r3 = 0.0

            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                p = np.float64(_target[_row, _k])


                _u = z
                if _u > __r1_max:
                    __r1_sum = __r1_sum * math.exp(__r1_max - _u) + 1.0
                    __r1_max = _u
                elif _u != -math.inf:
                    __r1_sum += math.exp(_u - __r1_max)
                _r3 += p

            _r1_max = __r1_max
            _r1_log = math.log(__r1_sum)


            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                p = np.float64(_target[_row, _k])

                _z_shifted = z - _r1_max

                _grad_out[_row, _k] = _scale * _w * (_r3*math.exp(-_r1_log + _z_shifted) - p)


@_kernel
def hess(_pred, _target, _weight, _scale, _hess_out):
    """Write scale·w·∂²loss/∂z² (per class) into ``_hess_out``."""
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
            __r1_max = -math.inf
            __r1_sum = 0.0
            _r3 = 0.0

            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                p = np.float64(_target[_row, _k])


                _u = z
                if _u > __r1_max:
                    __r1_sum = __r1_sum * math.exp(__r1_max - _u) + 1.0
                    __r1_max = _u
                elif _u != -math.inf:
                    __r1_sum += math.exp(_u - __r1_max)
                _r3 += p

            _r1_max = __r1_max
            _r1_log = math.log(__r1_sum)


            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                p = np.float64(_target[_row, _k])

                _z_shifted = z - _r1_max

                _e0 = math.exp(-_r1_log + _z_shifted)
                _hess_out[_row, _k] = _scale * _w * (_e0*_r3*(1 - _e0))

