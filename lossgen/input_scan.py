"""One parallel pass over an input array: how many values lie outside the range where float32
arithmetic is used (``arithmetic="input"``), for the inputs the kernels do not check themselves.

Float32 arithmetic has an exponent range of about 1e±38, against float64's 1e±308: a square
of 1e20 or a reciprocal of 1e-40 already leaves it, where float64 computes the same float32
inputs without trouble. The float32 kernels are held to their accuracy criterion for inputs
whose magnitudes are 0 or within [FLOAT32_LOW, FLOAT32_HIGH] of :mod:`lossgen.domains`
(``tests/test_float32_arithmetic.py`` runs the stress grids through this check); a call with
any other value (or a NaN or an infinity) is computed by the float64-arithmetic kernels instead.

The float32 kernels check y_pred and every floating-point input (and, element-wise, the
weights) on the way, in the loops that read them (their RANGE_CHECKED), as they check the
inputs' domains (DOMAIN_CHECKED): a scan of its own would read every input a second time. What
is left to scan here is a row-wise loss's row weights (one value per row), the float parameters,
and, where an output overlaps an input, the inputs the first pass may overwrite. Imported on the
first call that scans an array: it imports Numba.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .domains import FLOAT32_HIGH, FLOAT32_LOW

_CHUNK = 65536


@njit(parallel=True, cache=True, error_model="numpy")
def _count_outside(values, small, large):
    """Entries of the contiguous 1-D ``values`` neither 0 nor in [small, large] in magnitude (NaN
    is outside). The bounds have the values' dtype, so the loop vectorizes in it."""
    n = values.shape[0]
    chunks = (n + _CHUNK - 1) // _CHUNK
    counts = np.zeros(chunks, np.int64)
    for c in prange(chunks):
        # Unsigned bounds, as in the generated kernels: they let LLVM vectorize the loop.
        start = np.uint64(c * _CHUNK)
        stop = np.uint64(min(n, c * _CHUNK + _CHUNK))
        outside = 0
        for i in range(start, stop):
            magnitude = abs(values[i])
            inside = (magnitude == 0) | ((magnitude >= small) & (magnitude <= large))
            outside += 0 if inside else 1
        counts[c] = outside
    return counts.sum()


def scan(values: np.ndarray) -> int:
    """How many values of a contiguous floating-point array lie outside float32 arithmetic's range."""
    kind = values.dtype.type
    return int(_count_outside(values.reshape(-1), kind(FLOAT32_LOW), kind(FLOAT32_HIGH)))


def float32_safe(*arrays: np.ndarray | None) -> bool:
    """True when every float32 array given (None and integer arrays are skipped) has only values
    that float32 arithmetic handles within its accuracy criterion."""
    for array in arrays:
        if array is None or array.dtype != np.float32:
            continue
        if scan(array):
            return False
    return True
