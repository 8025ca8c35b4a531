"""The input check behind ``arithmetic="input"``: may a float32 call be computed in float32?

Float32 arithmetic has an exponent range of about 1e±38, against float64's 1e±308: a square
of 1e20 or a reciprocal of 1e-40 already leaves it, where float64 computes the same float32
inputs without trouble. The float32 kernels are held to their accuracy criterion for inputs
whose magnitudes are 0 or within [LOW, HIGH] (``tests/test_float32_arithmetic.py`` runs the
stress grids through this check); a call with any other value (or a NaN or an infinity) is
computed by the float64-arithmetic kernels instead. Imported on the first such call: it
imports Numba.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

#: Magnitudes for which float32 arithmetic is used (besides 0): sixth powers of values up to HIGH
#: and inverse squares of values down to LOW stay inside float32's range (2**±126), and a random
#: logit or probability is practically never below LOW. Values beyond HIGH (1e6) are routed to
#: float64, even where a loss would have handled them: the stress grids test up to 1e6.
LOW = 2.0**-60
HIGH = 2.0**20

_CHUNK = 65536


@njit(parallel=True, cache=True, error_model="numpy")
def _count_outside(values, low, high):
    """Number of entries of the contiguous 1-D ``values`` that are neither 0 nor in [low, high] in
    magnitude (NaN counts), in one vectorized parallel pass."""
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
            inside = (magnitude == 0) | ((magnitude >= low) & (magnitude <= high))
            outside += 0 if inside else 1
        counts[c] = outside
    return counts.sum()


def float32_safe(*arrays: np.ndarray | None) -> bool:
    """True when every float32 array given (None and integer arrays are skipped) has only values
    that float32 arithmetic handles within its accuracy criterion."""
    low, high = np.float32(LOW), np.float32(HIGH)
    for array in arrays:
        if array is None or array.dtype != np.float32:
            continue
        if _count_outside(array.reshape(-1), low, high):
            return False
    return True
