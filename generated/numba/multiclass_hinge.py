# lossgen: generated from specs/multiclass_hinge.toml with template numba_rowwise.py.jinja; do not edit by hand.
# lossgen-spec-sha256: ff1cf7c65a99bcf6231535ebf215037cbde1bb2f4da74689b1c9582f1d3dfc02
# lossgen-generator: d61cd89db4543b1c
# lossgen-content-sha256: 9c2995fc08b8eeab939289724cc8640e5b7d77673568310896824d08245aefa2
"""Numba kernels for the row-wise loss ``multiclass_hinge`` (Multiclass hinge loss (Crammer-Singer)).

Inputs are rows of K classes (C-contiguous, shape (N, K)); the target is one class index per row.
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

NAME = 'multiclass_hinge'
SPEC_SHA256 = 'ff1cf7c65a99bcf6231535ebf215037cbde1bb2f4da74689b1c9582f1d3dfc02'
PREDICTION = 'z'
TARGET = 'y'
TARGET_DOMAIN = 'unit_interval'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = ()
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()
SHAPE = "rowwise"
TARGET_KIND = 'label'
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
            _label = _target[_row]
            _r0 = 0.0
            _r1 = -math.inf

            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                y = 1.0 if _k == _label else 0.0


                _r0 += y*z
                _u = -y + z
                if _u > _r1 or _u != _u:  # NaN propagates
                    _r1 = _u


            _loss = -_r0 + _r1 + 1
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
            _label = _target[_row]
            _r0 = 0.0
            _r1 = -math.inf

            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                y = 1.0 if _k == _label else 0.0


                _r0 += y*z
                _u = -y + z
                if _u > _r1 or _u != _u:  # NaN propagates
                    _r1 = _u


            _loss = -_r0 + _r1 + 1
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
            _label = _target[_row]
            _r0 = 0.0
            _r1 = -math.inf

            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                y = 1.0 if _k == _label else 0.0


                _r0 += y*z
                _u = -y + z
                if _u > _r1 or _u != _u:  # NaN propagates
                    _r1 = _u


            _r2 = 0.0

            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                y = 1.0 if _k == _label else 0.0


                _r2 += (1 if (_r1 == -y + z) else 0)


            _loss = -_r0 + _r1 + 1
            _acc += _w * _loss

            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                y = 1.0 if _k == _label else 0.0


                _grad_out[_row, _k] = _scale * _w * (-y + (1 if (_r1 == -y + z) else 0)/_r2)
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
            _label = _target[_row]
            _r1 = -math.inf

            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                y = 1.0 if _k == _label else 0.0


                _u = -y + z
                if _u > _r1 or _u != _u:  # NaN propagates
                    _r1 = _u


            _r2 = 0.0

            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                y = 1.0 if _k == _label else 0.0


                _r2 += (1 if (_r1 == -y + z) else 0)



            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                y = 1.0 if _k == _label else 0.0


                _grad_out[_row, _k] = _scale * _w * (-y + (1 if (_r1 == -y + z) else 0)/_r2)


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
            _label = _target[_row]

            for _k in range(_classes):
                z = np.float64(_pred[_row, _k])
                y = 1.0 if _k == _label else 0.0


                _hess_out[_row, _k] = _scale * _w * (0)

