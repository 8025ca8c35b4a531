"""One parallel pass over an input array for the Numba backend's checks: how many values lie
outside the argument's domain, and how many lie outside the range where float32 arithmetic is
used (``arithmetic="input"``).

Float32 arithmetic has an exponent range of about 1e±38, against float64's 1e±308: a square
of 1e20 or a reciprocal of 1e-40 already leaves it, where float64 computes the same float32
inputs without trouble. The float32 kernels are held to their accuracy criterion for inputs
whose magnitudes are 0 or within [FLOAT32_LOW, FLOAT32_HIGH] of :mod:`lossgen.domains`
(``tests/test_float32_arithmetic.py`` runs the stress grids through this check); a call with
any other value (or a NaN or an infinity) is computed by the float64-arithmetic kernels instead.

Both counts come from the same pass, so a float32 target is read once for its domain check and
its range, in parallel: NumPy's ``min`` and ``max`` would read it twice on one core (at N = 1e7
that was a fifth of a softmax cross-entropy call). The inputs without a domain to check (y_pred,
the weights, and in element-wise losses every input of the real domain) are not scanned at all:
the float32 kernels check their range themselves, in the loops that read them (their
RANGE_CHECKED), and the runtime scans them here only when an output overlaps an input. Imported
on the first call that checks an array: it imports Numba.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .domains import FLOAT32_HIGH, FLOAT32_LOW, Domain

_CHUNK = 65536


@njit(parallel=True, cache=True, error_model="numpy")
def _count_outside(values, low, high, low_open, high_open, small, large):
    """(entries outside the interval from low to high, open or closed at each end; entries neither
    0 nor in [small, large] in magnitude) of the contiguous 1-D ``values``. NaN is inside the
    interval (it propagates to the result, as in PyTorch) and outside [small, large]. The bounds
    have the values' dtype, so the loop vectorizes in it."""
    n = values.shape[0]
    chunks = (n + _CHUNK - 1) // _CHUNK
    counts = np.zeros((chunks, 2), np.int64)
    for c in prange(chunks):
        # Unsigned bounds, as in the generated kernels: they let LLVM vectorize the loop.
        start = np.uint64(c * _CHUNK)
        stop = np.uint64(min(n, c * _CHUNK + _CHUNK))
        outside_domain = 0
        outside_range = 0
        for i in range(start, stop):
            value = values[i]
            above = (value > low) if low_open else (value >= low)
            below = (value < high) if high_open else (value <= high)
            outside_domain += 0 if ((above & below) | (value != value)) else 1
            magnitude = abs(value)
            inside = (magnitude == 0) | ((magnitude >= small) & (magnitude <= large))
            outside_range += 0 if inside else 1
        counts[c, 0] = outside_domain
        counts[c, 1] = outside_range
    return counts[:, 0].sum(), counts[:, 1].sum()


def scan(values: np.ndarray, domain: Domain | None = None) -> tuple[int, int]:
    """(values outside ``domain``, values outside float32 arithmetic's range) of a contiguous
    floating-point array; None, or the real domain, admits every value (infinities too)."""
    kind = values.dtype.type
    if domain is None or domain.name == "real":
        bounds = (kind(-math.inf), kind(math.inf), False, False)
    else:
        bounds = (kind(domain.low), kind(domain.high), domain.low_open, domain.high_open)
    outside, unsafe = _count_outside(values.reshape(-1), *bounds, kind(FLOAT32_LOW), kind(FLOAT32_HIGH))
    return int(outside), int(unsafe)


def float32_safe(*arrays: np.ndarray | None) -> bool:
    """True when every float32 array given (None and integer arrays are skipped) has only values
    that float32 arithmetic handles within its accuracy criterion."""
    for array in arrays:
        if array is None or array.dtype != np.float32:
            continue
        if scan(array)[1]:
            return False
    return True
