# lossgen: generated from specs/poly1_cross_entropy.toml with template numba_rowwise.py.jinja; do not edit by hand.
# lossgen-spec-sha256: ff18ecb01144dac7615b6a417311fff6f16133304f600a5f2a6dece517da9c9c
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: bdb04139ca5e29f2ace252a7dd5ca4a08aebe930b42d844e39eaf64d6d937a07
"""Numba kernels for the row-wise loss ``poly1_cross_entropy`` (Poly-1 cross-entropy).

Inputs are rows of K classes (C-contiguous, shape (N, K)).
Rows are processed in parallel in fixed chunks of about CHUNK elements, a chunk at a time in
phases, in one of two layouts chosen by the number of classes (the runtime picks the kernel):

- rows of COLUMNS_BELOW classes or more (``loss_rows`` ...): per level of row reductions, one pass
  writes the element values of every row of the chunk to a buffer, and each row's values are
  then reduced in fixed lanes (log-sum-exp: the lane maximum, then one exp over the whole
  chunk's shifted values, so nothing overflows); then the row losses, and one pass writing the
  per-class output (fused with the last reduction pass when that pass is not needed for it).
- fewer classes (``loss_rows_columns`` ...): the chunk is first turned into columns (class k of
  every row together), so that every loop runs over the chunk's rows, long enough to vectorize
  however few the classes (a loop over a row of ten does not); each row's sums run over its
  classes in order, in float64. The outputs are computed as columns and turned back into rows.

Each chunk's partial sum is kept apart and the partials are added in order, so results
do not depend on the number of threads. Elements are computed in float64 whatever the input dtype and stored in the output's dtype. ``_weight`` is one weight per row, or empty for no weights;
rows of weight 0 (also ignored labels) add nothing and get zero outputs, even where a value is not
finite. The element loops never read a weight: a chunk's outputs are multiplied by their rows'
weights afterwards, so a weighted float32 output is rounded twice (within 1.5 ulps).
Every kernel returns three numbers: the sum of w·loss (0.0 from the kernels that only write
outputs), the number of chunks holding a value outside an input's domain (DOMAIN_CHECKED; the
runtime then raises), and the number holding one outside float32 arithmetic's range (0 in a
float64-arithmetic module).
"""

import math

import numpy as np
from llvmlite import ir as llvm_ir
from numba import njit, prange, types
from numba.core.cpu_options import ParallelOptions
from numba.extending import intrinsic

NAME = 'poly1_cross_entropy'
SPEC_SHA256 = 'ff18ecb01144dac7615b6a417311fff6f16133304f600a5f2a6dece517da9c9c'
PREDICTION = 'z'
PREDICTION_DOMAIN = 'real'
TARGET = 'p'
TARGET_DOMAIN = 'unit_interval'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('epsilon', 2.0, 'real'),)
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()
SHAPE = "rowwise"
TARGET_KIND = 'vector'
IGNORE_PARAM = None
#: What the kernels take for "no weights": an empty array, so that one compiled signature serves
#: calls with and without weights (None would be a second one: twice the compile time).
UNWEIGHTED = "empty"
#: The inputs whose domain the kernels check, in the loops that read them: every kernel counts
#: the chunks holding a value outside (NaN is not: it propagates), and the runtime then finds it
#: and raises. Each has the keys (see _key_nan_high) of its smallest and largest allowed value.
DOMAIN_CHECKED = ('y_true',)
_DOMAIN_LOW_p = np.int64(-1)
_DOMAIN_HIGH_p = np.int64(4607182418800017408)


#: Elements per chunk of the parallel loops (the unit of the deterministic reduction).
CHUNK = 4096
#: Rows of fewer classes go to the ``*_columns`` kernels (see above). Softmax cross-entropy's
#: loss_and_grad took 0.66 (K = 10), 0.91 (24) and 1.0-1.1 (40, 48) of the row kernels' time in
#: float32 arithmetic, 0.80 (10), 0.83 (16), 1.0 (24), 0.9 (32) and 1.1-1.3 (48, 64) in float64.
COLUMNS_BELOW = 32


def _compiled(**options):
    """njit with Numba's on-disk cache, for the kernels and the helpers they call: a helper cached by
    one process is loaded, not compiled again, by the next that compiles a kernel calling it (a
    helper's compile time is paid once per process otherwise: a tenth of a row-wise module's).
    Without a writable cache location, the functions are compiled on every import instead."""
    def decorate(function):
        try:
            return njit(cache=True, error_model="numpy", **options)(function)
        except RuntimeError:  # no writable cache location
            return njit(cache=False, error_model="numpy", **options)(function)
    return decorate


#: Numba's parallel transformations the kernels use: prange alone. The others rewrite array
#: expressions, np.zeros and reductions into parallel loops of their own: the kernels have none
#: they want parallel (np.zeros of the per-chunk partials is a few hundred elements), and their
#: analysis costs compile time (8% of a kernel's, measured on huber and softmax_cross_entropy).
#: An options object, not a dict: Numba empties a dict as it reads it, so a kernel's second
#: signature would be compiled with every transformation.
PARALLEL = ParallelOptions({
    "prange": True,
    "comprehension": False,
    "fusion": False,
    "inplace_binop": False,
    "numpy": False,
    "reduction": False,
    "setitem": False,
    "stencil": False,
})
_kernel = _compiled(parallel=PARALLEL)


# 512-bit vectors. LLVM's tuning for most AVX-512 processors prefers 256-bit vectors (it guards
# against the clock slowdown of heavy 512-bit code), which halves what each instruction of these
# loops computes; on the Intel Xeon development VM, 512-bit vectors made bce_with_logits'
# loss_and_grad twice as fast in float32 arithmetic and 1.5 times in float64. Every function
# with a loop therefore calls _prefer_wide_vectors() first: it sets LLVM's "prefer-vector-width"
# attribute on the function being compiled (for a prange loop, on its outlined body), so that
# the vectorizer may use 512-bit registers there and nowhere else in the process. Without
# AVX-512 the attribute changes nothing. llvmlite checks attribute names against a fixed list
# that lacks this one, so it is added to the set directly.
@intrinsic
def _prefer_wide_vectors(typingctx):
    def codegen(context, builder, signature, args):
        set.add(builder.function.attributes, '"prefer-vector-width"="512"')
        return context.get_dummy_value()
    return types.none(), codegen


# Vectorizable exp, expm1, log and log1p. Numba's math.* call the C library one element at a time
# (the PyPI llvmlite has no SVML), which keeps LLVM from vectorizing a loop; these use only
# arithmetic, selects and bit casts. Accuracy over the float64 range, with IEEE special values
# (tests/test_accuracy.py::test_vectorized_math_helpers_match_mpmath): exp ≤ 1 ulp, expm1 ≤ 2 ulp,
# log ≤ 2 ulp, log1p ≤ 2.5 ulp (math.expm1 kept Barron's and Welsch's loops scalar: 5-6 times
# slower). fastmath={"contract"} (and no other fast-math flag) lets LLVM fuse their polynomial
# steps into FMAs: a third faster, and exp's worst case went from 1.12 to 0.80 ulp. The loss
# expressions themselves are not contracted: a·b − c·d as an FMA is not 0 where a·b = c·d.


@intrinsic
def _bits_to_float(typingctx, value):
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], llvm_ir.DoubleType())
    return types.float64(types.int64), codegen


@intrinsic
def _float_to_bits(typingctx, value):
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], llvm_ir.IntType(64))
    return types.int64(types.float64), codegen


_LOG2E = 1.4426950408889634
_LN2_HI = 0.6931471803691238  # ln 2 to 32 significant bits: n * _LN2_HI is exact
_LN2_LO = 1.9082149292705877e-10  # ln 2 - _LN2_HI
_SQRT2 = 1.4142135623730951


@_compiled(fastmath={"contract"})
def _exp(x):
    xc = min(max(x, -746.0), 710.0)
    n = math.floor(xc * _LOG2E + 0.5)
    r = (xc - n * _LN2_HI) - n * _LN2_LO  # |r| <= ln(2)/2: Taylor to degree 13 errs < 2**-58
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    k = np.int64(n)
    k1 = k >> 1  # 2**k as two factors: each stays a normal number down to subnormal results
    result = p * _bits_to_float((k1 + 1023) << 52) * _bits_to_float((k - k1 + 1023) << 52)
    result = math.inf if x > 709.782712893384 else result
    result = 0.0 if x < -745.1332191019412 else result
    return result if x == x else x


@_compiled(fastmath={"contract"})
def _log_core(w, c):
    """log(w) + c/w for a positive normal w (c: a small correction of w)."""
    bits = _float_to_bits(w)
    e = ((bits >> 52) & 0x7FF) - 1023
    m = _bits_to_float((bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000)
    big = m > _SQRT2
    m = 0.5 * m if big else m
    e = e + 1 if big else e
    f = m - 1.0
    s = f / (2.0 + f)  # log(1 + f) = 2 atanh(s) = 2s + s·R(s²), |s| <= 0.1716
    z = s * s
    # R: fdlibm's minimax polynomial (e_log.c, Lg1..Lg7), within 2**-58.45 of 2 atanh(s)/s - 2 there:
    # seven terms where the atanh series needed twelve (to s**25) for the same float64 result.
    r = 1.479819860511658591e-01
    r = r * z + 1.531383769920937332e-01
    r = r * z + 1.818357216161805012e-01
    r = r * z + 2.222219843214978396e-01
    r = r * z + 2.857142874366239149e-01
    r = r * z + 3.999999999940941908e-01
    r = r * z + 6.666666666666735130e-01
    ef = np.float64(e)
    return ef * _LN2_HI + ((2.0 * s + s * (z * r) + ef * _LN2_LO) + c / w)


@_compiled(fastmath={"contract"})
def _log1p(u):
    w = 1.0 + u
    c = (1.0 - (w - u)) if u >= 1.0 else (u - (w - 1.0))  # the rounding error of 1 + u (Fast2Sum)
    result = _log_core(w if w > 0.0 else 1.0, c)
    result = math.inf if u == math.inf else result
    result = -math.inf if u == -1.0 else result
    result = math.nan if u < -1.0 else result
    return result if u == u else u


@_compiled(fastmath={"contract"})
def _log1p_unit(u):
    """_log1p for u in [0, 1] or NaN (the printer proves it: e^a with a <= 0), without the selects
    for arguments outside; the same values there (NaN: through the correction c/w). Removing them
    made bce_with_logits' float32 loss_and_grad at N = 1e6 0.89-0.96 of the time."""
    w = 1.0 + u
    return _log_core(w, u - (w - 1.0))


@_compiled(fastmath={"contract"})
def _log(x):
    tiny = x < 2.2250738585072014e-308  # subnormal: scale into the normal range first
    scaled = x * 18014398509481984.0 if tiny else x
    result = _log_core(scaled if scaled > 0.0 else 1.0, 0.0) - (54.0 * 0.6931471805599453 if tiny else 0.0)
    result = math.inf if x == math.inf else result
    result = -math.inf if x == 0.0 else result
    result = math.nan if x < 0.0 else result
    return result if x == x else x


@_compiled(fastmath={"contract"})
def _expm1(x):
    xc = min(max(x, -40.0), 710.0)  # below -40, e**x - 1 rounds to -1
    n = math.floor(xc * _LOG2E + 0.5)
    r = (xc - n * _LN2_HI) - n * _LN2_LO  # as in _exp; r = x exactly where n = 0 (|x| <= ln(2)/2)
    q = 1.0 / 87178291200.0  # expm1(r) = r + r²·q(r): Taylor to degree 14 errs < 2**-60 relative
    q = q * r + 1.0 / 6227020800.0
    q = q * r + 1.0 / 479001600.0
    q = q * r + 1.0 / 39916800.0
    q = q * r + 1.0 / 3628800.0
    q = q * r + 1.0 / 362880.0
    q = q * r + 1.0 / 40320.0
    q = q * r + 1.0 / 5040.0
    q = q * r + 1.0 / 720.0
    q = q * r + 1.0 / 120.0
    q = q * r + 1.0 / 24.0
    q = q * r + 1.0 / 6.0
    q = q * r + 0.5
    em = r + r * (r * q)
    # e**x - 1 = 2**n·(expm1(r) + (1 - 2**-n)): 1 - 2**-n is exact for n <= 53 and rounds to 1
    # beyond, so the sum is the one rounding after expm1(r); 2**n as two factors, as in _exp.
    k = np.int64(n)
    t = _bits_to_float((1023 - min(k, 60)) << 52)
    k1 = k >> 1
    result = (em + (1.0 - t)) * _bits_to_float((k1 + 1023) << 52) * _bits_to_float((k - k1 + 1023) << 52)
    result = math.inf if x > 709.782712893384 else result
    result = x if x == 0.0 else result  # keeps the sign of -0.0
    return result if x == x else x


# Row and chunk reductions. LLVM vectorizes a sum only where it may reorder it, and the fast-math
# flag that allows that (reassoc) is applied to the instructions of the function compiled with
# it: _lane_sum is that function alone, called rather than inlined (Numba's inlining would lower
# its loop with the caller's flags). Eight scalar accumulators, which the kernels used before,
# were not vectorized: 0.33 ns per float32 element on one thread, against 0.067 now (a row of
# 1000). A maximum needs no fast-math: it is taken over integer keys.
@_compiled(fastmath={"reassoc"})
def _lane_sum(rows, row, start, count):
    """Sum of rows[row, start:start + count] in float64, in the lanes LLVM vectorizes it into for this
    processor: a fixed order for a compiled kernel, so results do not depend on the thread count.
    Indexed in place with unsigned positions: a slice, or a possibly negative index, costs each
    call bounds and wraparound arithmetic (a fifth of softmax cross-entropy's time at ten classes)."""
    _prefer_wide_vectors()
    total = 0.0
    first = np.uint64(start)
    for j in range(first, first + np.uint64(count)):
        total += rows[row, j]
    return total


_SIGN_SHIFT = np.int64(63)
_MAGNITUDE = np.int64(0x7FFFFFFFFFFFFFFF)
_INF_BITS = np.int64(0x7FF0000000000000)


def _key_codegen(nan_key):
    """Code for _key_nan_high and _key_nan_low, in the float's own width: written in Numba, the
    integer arithmetic would be widened to 64 bits, which halves the lanes of a float32 loop."""
    def codegen(context, builder, signature, args):
        integer = llvm_ir.IntType(64)
        bits = builder.bitcast(args[0], integer)
        magnitude = builder.and_(bits, integer(int(_MAGNITUDE)))
        key = builder.xor(bits, builder.and_(builder.ashr(bits, integer(int(_SIGN_SHIFT))), integer(int(_MAGNITUDE))))
        return builder.select(builder.icmp_signed(">", magnitude, integer(int(_INF_BITS))), integer(int(nan_key)), key)
    return codegen


@intrinsic
def _key_nan_high(typingctx, value):
    """An integer that orders as ``value`` does among floats (its bits, with the magnitude bits
    flipped where the sign is set); a NaN of either sign is the largest."""
    return types.int64(types.float64), _key_codegen(_MAGNITUDE)


@intrinsic
def _key_nan_low(typingctx, value):
    """_key_nan_high's key, but a NaN is the smallest."""
    return types.int64(types.float64), _key_codegen(-_MAGNITUDE)


@_compiled()
def _lane_max_key(rows, row, start, count):
    """The largest _key_nan_high of rows[row, start:start + count] (that of -inf for count = 0).
    Integer maxima vectorize exactly (a float maximum that propagates NaN did not: 0.56 against
    0.15 ns per float32 element). A function of its own: with the key turned back into a float
    in the same function, LLVM left the float64 loop scalar. Indexed like _lane_sum."""
    _prefer_wide_vectors()
    top = _key_nan_high(-math.inf)
    first = np.uint64(start)
    for j in range(first, first + np.uint64(count)):
        top = max(top, _key_nan_high(rows[row, j]))
    return top


@njit(error_model="numpy", inline="always")
def _lane_max(rows, row, start, count):
    """Maximum of rows[row, start:start + count]; NaN propagates; -inf for count = 0."""
    top = _lane_max_key(rows, row, start, count)
    return _bits_to_float(top ^ ((top >> _SIGN_SHIFT) & _MAGNITUDE))


# Per-chunk reductions of row-wise kernels: one call reduces every row of a chunk (per-row calls
# cost more than a row of ten classes).
@_compiled()
def _row_sums(buf, j, rows, classes, out, slot):
    """out[slot, r] = Σ_k buf[j, r·classes + k] for r < rows (lanes: see _lane_sum)."""
    _prefer_wide_vectors()
    for r in range(rows):
        out[slot, r] = _lane_sum(buf, j, r * classes, classes)


@_compiled()
def _row_maxes(buf, j, rows, classes, out, slot):
    """out[slot, r] = max_k buf[j, r·classes + k] for r < rows (NaN propagates)."""
    _prefer_wide_vectors()
    for r in range(rows):
        out[slot, r] = _lane_max(buf, j, r * classes, classes)


@_compiled()
def _row_logsumexps(buf, j, rows, classes, out, max_slot, log_slot, inv_slot):
    """Per row r < rows of buffer row j holding u: out[max_slot, r] = M = max u and
    out[log_slot, r] = L = log Σ e^(u − M), so logsumexp = M + L (with M = ±inf, L is taken about
    0); buf is left holding e^(u − M) and, for inv_slot ≥ 0, out[inv_slot, r] = 1 / Σ e^(u − M).
    The exp runs over the whole chunk at once: a loop long enough to vectorize for any row length."""
    _prefer_wide_vectors()
    for r in range(rows):
        top = _lane_max(buf, j, r * classes, classes)
        out[max_slot, r] = top
        shift = top if abs(top) < math.inf else 0.0
        for k in range(np.uint64(r * classes), np.uint64((r + 1) * classes)):  # unsigned: see _lane_sum
            buf[j, k] -= shift
    for i in range(np.uint64(rows * classes)):
        buf[j, i] = _exp(buf[j, i])
    for r in range(rows):
        total = _lane_sum(buf, j, r * classes, classes)
        out[log_slot, r] = total
        if inv_slot >= 0:
            out[inv_slot, r] = 1.0 / total
    for r in range(rows):
        out[log_slot, r] = _log(out[log_slot, r])


# The column layout: a chunk's rows turned into columns and back. Each reads or writes the rows
# with a stride, and writes or reads the columns in order (the faster of the two ways round).
@_compiled()
def _to_columns(rows, columns):
    """columns[k, r] = rows[r, k] (rows: a chunk's rows; converted to the columns' dtype)."""
    _prefer_wide_vectors()
    for k in range(rows.shape[1]):
        for r in range(rows.shape[0]):
            columns[k, r] = rows[r, k]


@_compiled()
def _from_columns(columns, rows):
    """rows[r, k] = columns[k, r]."""
    _prefer_wide_vectors()
    for k in range(rows.shape[1]):
        for r in range(rows.shape[0]):
            rows[r, k] = columns[k, r]


# Called, not inlined: every loop written into a kernel adds to its compile time (seconds), and
# these run once per chunk.
@_compiled()
def _weigh_columns(columns, weight):
    """columns[k, r] *= weight[r], and exactly 0 where that weight is 0."""
    _prefer_wide_vectors()
    for k in range(columns.shape[0]):
        for r in range(columns.shape[1]):
            w = np.float64(weight[r])
            columns[k, r] = 0.0 if w == 0.0 else columns[k, r] * w


@_compiled()
def _column_total(sums, count):
    """Σ sums[0, :count] (the chunk's weighted row losses) in lanes (see _lane_sum)."""
    _prefer_wide_vectors()
    return _lane_sum(sums, np.int64(0), np.int64(0), count)


@_compiled()
def _column_logsumexps(buf, j, out, max_slot, log_slot, inv_slot, acc):
    """Per row r of buf[j] holding u (as columns: buf[j, k, r]) with out[max_slot, r] = M = max u:
    out[log_slot, r] = L = log Σ e^(u − M) (with M = ±inf, L is taken about 0); buf[j] is left
    holding e^(u − M) and, for inv_slot ≥ 0, out[inv_slot, r] = 1 / Σ e^(u − M). ``acc`` (float64,
    one per row) carries the sums, over the classes in order."""
    _prefer_wide_vectors()
    for r in range(buf.shape[2]):
        top = out[max_slot, r]
        out[log_slot, r] = top if abs(top) < math.inf else 0.0  # the shift, until L replaces it
        acc[r] = 0.0
    for k in range(buf.shape[1]):
        for r in range(buf.shape[2]):
            e = _exp(buf[j, k, r] - out[log_slot, r])
            buf[j, k, r] = e
            acc[r] += e
    for r in range(buf.shape[2]):
        out[log_slot, r] = acc[r]
        if inv_slot >= 0:
            out[inv_slot, r] = 1.0 / acc[r]
    for r in range(buf.shape[2]):
        out[log_slot, r] = _log(out[log_slot, r])


# A function of its own, called once per chunk: a weight in the element loops (even a per-row
# factor loaded before them), or this loop written inline, made softmax cross-entropy at K = 1000
# 7-10% slower, weighted or not.
@_compiled()
def _weigh_rows(out, weight, first, rows):
    """out[r, :] *= weight[first + r] for r < rows, and exactly 0 where that weight is 0."""
    _prefer_wide_vectors()
    for r in range(rows):
        w = np.float64(weight[first + r])
        if w == 0.0:
            for k in range(out.shape[1]):
                out[r, k] = 0.0
        else:
            for k in range(out.shape[1]):
                out[r, k] *= w


# A function of its own, called once per chunk before its phases (see _outside_range).
@_compiled()
def _outside_domain(values, start, stop, low, high):
    """Whether values[start:stop] (a chunk's rows of an input, flattened) holds a value whose key
    lies outside [low, high]. NaN does not: it propagates."""
    _prefer_wide_vectors()
    smallest = _MAGNITUDE
    largest = -_MAGNITUDE
    for i in range(np.uint64(start), np.uint64(stop)):  # unsigned: see _lane_sum
        x = np.float64(values[i])
        smallest = min(smallest, _key_nan_high(x))
        largest = max(largest, _key_nan_low(x))
    return (smallest < low) | (largest > high)


@_kernel
def loss_rows(_pred, _target, _weight, epsilon, _loss_out):
    """Write w·loss per row into ``_loss_out`` (shape (N,)) and return their sum. Rows of COLUMNS_BELOW classes or more."""
    _n = _pred.shape[0]
    _rows = max(1, CHUNK // max(1, _pred.shape[1]))
    _chunks = (_n + _rows - 1) // _rows
    _partial = np.zeros(_chunks)
    _domain = np.zeros(_chunks, np.int64)
    for _c in prange(_chunks):
        _first = np.int64(_c) * _rows
        _nr = min(_n, _first + _rows) - _first
        _domain[_c] = _outside_domain(_target.reshape(-1), _first * _pred.shape[1], (_first + _nr) * _pred.shape[1], _DOMAIN_LOW_p, _DOMAIN_HIGH_p)
        _classes = _pred.shape[1]
        K = np.float64(_classes)
        # Views of the chunk's rows, indexed from 0 (a possibly negative index would keep LLVM
        # from vectorizing), the element values of a pass (one buffer row per reduction), and
        # the row scalars.
        _zb = _pred[_first:_first + _nr]
        _tb = _target[_first:_first + _nr]
        _buf = np.empty((2, _nr * _classes))
        _scalars = np.empty((5, _nr))
        _acc = 0.0
        for _r in range(_nr):
            for _k in range(_classes):
                z = np.float64(_zb[_r, _k])
                p = np.float64(_tb[_r, _k])
                _buf[0, _r * _classes + _k] = z
                _buf[1, _r * _classes + _k] = p
        _row_logsumexps(_buf, np.int64(0), _nr, _classes, _scalars, np.int64(0), np.int64(1), np.int64(-1))
        _row_sums(_buf, np.int64(1), _nr, _classes, _scalars, np.int64(2))
        for _r in range(_nr):
            _r1_max = _scalars[0, _r]
            _r1_log = _scalars[1, _r]
            _r3 = _scalars[2, _r]
            for _k in range(_classes):
                z = np.float64(_zb[_r, _k])
                p = np.float64(_tb[_r, _k])
                _z_shifted = z - _r1_max
                _buf[0, _r * _classes + _k] = _z_shifted*p
                _buf[1, _r * _classes + _k] = p*_expm1(-_r1_log + _z_shifted)
        _row_sums(_buf, np.int64(0), _nr, _classes, _scalars, np.int64(3))
        _row_sums(_buf, np.int64(1), _nr, _classes, _scalars, np.int64(4))
        for _r in range(_nr):
            _w = 1.0 if _weight.shape[0] == 0 else np.float64(_weight[_first + _r])
            _r1_max = _scalars[0, _r]
            _r1_log = _scalars[1, _r]
            _r3 = _scalars[2, _r]
            _r2 = _scalars[3, _r]
            _r4 = _scalars[4, _r]
            _loss = _r1_log*_r3 - _r2 - _r4*epsilon
            _weighted = _w * _loss if _w != 0.0 else 0.0
            _acc += _weighted
            _loss_out[_first + _r] = _weighted
        _partial[_c] = _acc
    # A serial loop: with parallel=True, Numba would turn _partial.sum() into a parallel
    # reduction whose rounding depends on the thread count.
    _total = 0.0
    for _c in range(_chunks):
        _total += _partial[_c]
    _chunks_outside_domain = 0
    for _c in range(_chunks):
        _chunks_outside_domain += _domain[_c]
    return _total, _chunks_outside_domain, 0


@_kernel
def loss_rows_columns(_pred, _target, _weight, epsilon, _loss_out):
    """Write w·loss per row into ``_loss_out`` (shape (N,)) and return their sum. Rows of fewer than COLUMNS_BELOW classes."""
    _n = _pred.shape[0]
    _rows = max(1, CHUNK // max(1, _pred.shape[1]))
    _chunks = (_n + _rows - 1) // _rows
    _partial = np.zeros(_chunks)
    _domain = np.zeros(_chunks, np.int64)
    for _c in prange(_chunks):
        # 512-bit vectors for the column loops (see _prefer_wide_vectors): softmax cross-entropy's
        # loss_and_grad at K = 10 took 0.73-0.94 of the time. Not in the row layout, where the
        # phases' own loops measured 0.9-1.14 (at K = 1000; its helpers have them either way).
        _prefer_wide_vectors()
        _first = np.int64(_c) * _rows
        _nr = min(_n, _first + _rows) - _first
        _domain[_c] = _outside_domain(_target.reshape(-1), _first * _pred.shape[1], (_first + _nr) * _pred.shape[1], _DOMAIN_LOW_p, _DOMAIN_HIGH_p)
        _classes = _pred.shape[1]
        K = np.float64(_classes)
        # The chunk as columns (_zt[k, r]: class k of row r), the values a log-sum-exp keeps,
        # the row scalars and the float64 sums.
        _zt = np.empty((_classes, _nr))
        _to_columns(_pred[_first:_first + _nr], _zt)
        _tt = np.empty((_classes, _nr))
        _to_columns(_target[_first:_first + _nr], _tt)
        _buf = np.empty((2, _classes, _nr))
        _scalars = np.empty((5, _nr))
        _sums = np.empty((2, _nr))
        _wb = _weight[_first:_first + _nr]  # empty for no weights
        for _r in range(_nr):
            _scalars[0, _r] = -math.inf
            _sums[1, _r] = 0.0
        for _k in range(_classes):
            for _r in range(_nr):
                z = _zt[_k, _r]
                p = _tt[_k, _r]
                _v = z
                _buf[0, _k, _r] = _v
                _m = _scalars[0, _r]
                _scalars[0, _r] = _v if (_v > _m or _v != _v) else _m
                _sums[1, _r] += p
        for _r in range(_nr):
            _scalars[2, _r] = _sums[1, _r]
        _column_logsumexps(_buf, np.int64(0), _scalars, np.int64(0), np.int64(1), np.int64(-1), _sums[0])
        for _r in range(_nr):
            _sums[0, _r] = 0.0
            _sums[1, _r] = 0.0
        for _k in range(_classes):
            for _r in range(_nr):
                _r1_max = _scalars[0, _r]
                _r1_log = _scalars[1, _r]
                _r3 = _scalars[2, _r]
                z = _zt[_k, _r]
                p = _tt[_k, _r]
                _z_shifted = z - _r1_max
                _sums[0, _r] += _z_shifted*p
                _sums[1, _r] += p*_expm1(-_r1_log + _z_shifted)
        for _r in range(_nr):
            _scalars[3, _r] = _sums[0, _r]
            _scalars[4, _r] = _sums[1, _r]
        for _r in range(_nr):
            _w = 1.0 if _weight.shape[0] == 0 else np.float64(_wb[_r])
            _r1_max = _scalars[0, _r]
            _r1_log = _scalars[1, _r]
            _r3 = _scalars[2, _r]
            _r2 = _scalars[3, _r]
            _r4 = _scalars[4, _r]
            _loss = _r1_log*_r3 - _r2 - _r4*epsilon
            _weighted = _w * _loss if _w != 0.0 else 0.0
            _sums[0, _r] = _weighted
            _loss_out[_first + _r] = _weighted
        _acc = _column_total(_sums, _nr)
        _partial[_c] = _acc
    # A serial loop: with parallel=True, Numba would turn _partial.sum() into a parallel
    # reduction whose rounding depends on the thread count.
    _total = 0.0
    for _c in range(_chunks):
        _total += _partial[_c]
    _chunks_outside_domain = 0
    for _c in range(_chunks):
        _chunks_outside_domain += _domain[_c]
    return _total, _chunks_outside_domain, 0


@_kernel
def loss_and_grad(_pred, _target, _weight, epsilon, _scale, _grad_out):
    """Return the sum of w·loss and write scale·w·∂loss/∂z into ``_grad_out``. Rows of COLUMNS_BELOW classes or more."""
    _n = _pred.shape[0]
    _rows = max(1, CHUNK // max(1, _pred.shape[1]))
    _chunks = (_n + _rows - 1) // _rows
    _partial = np.zeros(_chunks)
    _domain = np.zeros(_chunks, np.int64)
    for _c in prange(_chunks):
        _first = np.int64(_c) * _rows
        _nr = min(_n, _first + _rows) - _first
        _domain[_c] = _outside_domain(_target.reshape(-1), _first * _pred.shape[1], (_first + _nr) * _pred.shape[1], _DOMAIN_LOW_p, _DOMAIN_HIGH_p)
        _classes = _pred.shape[1]
        K = np.float64(_classes)
        # Views of the chunk's rows, indexed from 0 (a possibly negative index would keep LLVM
        # from vectorizing), the element values of a pass (one buffer row per reduction), and
        # the row scalars.
        _zb = _pred[_first:_first + _nr]
        _tb = _target[_first:_first + _nr]
        _ob = _grad_out[_first:_first + _nr]
        _buf = np.empty((4, _nr * _classes))
        _scalars = np.empty((7, _nr))
        _acc = 0.0
        for _r in range(_nr):
            for _k in range(_classes):
                z = np.float64(_zb[_r, _k])
                p = np.float64(_tb[_r, _k])
                _buf[3, _r * _classes + _k] = z
                _buf[1, _r * _classes + _k] = p
        _row_logsumexps(_buf, np.int64(3), _nr, _classes, _scalars, np.int64(0), np.int64(1), np.int64(2))
        _row_sums(_buf, np.int64(1), _nr, _classes, _scalars, np.int64(3))
        for _r in range(_nr):
            _r1_max = _scalars[0, _r]
            _r1_log = _scalars[1, _r]
            _r1_inv = _scalars[2, _r]
            _r3 = _scalars[3, _r]
            for _k in range(_classes):
                z = np.float64(_zb[_r, _k])
                p = np.float64(_tb[_r, _k])
                _z_shifted = z - _r1_max
                _r1_softmax = _buf[3, _r * _classes + _k] * _r1_inv
                _buf[0, _r * _classes + _k] = _z_shifted*p
                _buf[1, _r * _classes + _k] = p*_expm1(-_r1_log + _z_shifted)
                _buf[2, _r * _classes + _k] = _r1_softmax*p
        _row_sums(_buf, np.int64(0), _nr, _classes, _scalars, np.int64(4))
        _row_sums(_buf, np.int64(1), _nr, _classes, _scalars, np.int64(5))
        _row_sums(_buf, np.int64(2), _nr, _classes, _scalars, np.int64(6))
        for _r in range(_nr):
            _w = 1.0 if _weight.shape[0] == 0 else np.float64(_weight[_first + _r])
            _r1_max = _scalars[0, _r]
            _r1_log = _scalars[1, _r]
            _r1_inv = _scalars[2, _r]
            _r3 = _scalars[3, _r]
            _r2 = _scalars[4, _r]
            _r4 = _scalars[5, _r]
            _r5 = _scalars[6, _r]
            _loss = _r1_log*_r3 - _r2 - _r4*epsilon
            _weighted = _w * _loss if _w != 0.0 else 0.0
            _acc += _weighted
            for _k in range(_classes):
                z = np.float64(_zb[_r, _k])
                p = np.float64(_tb[_r, _k])
                _z_shifted = z - _r1_max
                _r1_softmax = _buf[3, _r * _classes + _k] * _r1_inv
                _ob[_r, _k] = _scale * (_r1_softmax*_r3 - epsilon*(-_r1_softmax*_r5 + _r1_softmax*p) - p)
        if _weight.shape[0] != 0:
            _weigh_rows(_ob, _weight, _first, _nr)
        _partial[_c] = _acc
    # A serial loop: with parallel=True, Numba would turn _partial.sum() into a parallel
    # reduction whose rounding depends on the thread count.
    _total = 0.0
    for _c in range(_chunks):
        _total += _partial[_c]
    _chunks_outside_domain = 0
    for _c in range(_chunks):
        _chunks_outside_domain += _domain[_c]
    return _total, _chunks_outside_domain, 0


@_kernel
def loss_and_grad_columns(_pred, _target, _weight, epsilon, _scale, _grad_out):
    """Return the sum of w·loss and write scale·w·∂loss/∂z into ``_grad_out``. Rows of fewer than COLUMNS_BELOW classes."""
    _n = _pred.shape[0]
    _rows = max(1, CHUNK // max(1, _pred.shape[1]))
    _chunks = (_n + _rows - 1) // _rows
    _partial = np.zeros(_chunks)
    _domain = np.zeros(_chunks, np.int64)
    for _c in prange(_chunks):
        # 512-bit vectors for the column loops (see _prefer_wide_vectors): softmax cross-entropy's
        # loss_and_grad at K = 10 took 0.73-0.94 of the time. Not in the row layout, where the
        # phases' own loops measured 0.9-1.14 (at K = 1000; its helpers have them either way).
        _prefer_wide_vectors()
        _first = np.int64(_c) * _rows
        _nr = min(_n, _first + _rows) - _first
        _domain[_c] = _outside_domain(_target.reshape(-1), _first * _pred.shape[1], (_first + _nr) * _pred.shape[1], _DOMAIN_LOW_p, _DOMAIN_HIGH_p)
        _classes = _pred.shape[1]
        K = np.float64(_classes)
        # The chunk as columns (_zt[k, r]: class k of row r), the values a log-sum-exp keeps,
        # the row scalars and the float64 sums.
        _zt = np.empty((_classes, _nr))
        _to_columns(_pred[_first:_first + _nr], _zt)
        _tt = np.empty((_classes, _nr))
        _to_columns(_target[_first:_first + _nr], _tt)
        _buf = np.empty((4, _classes, _nr))
        _scalars = np.empty((7, _nr))
        _sums = np.empty((3, _nr))
        _wb = _weight[_first:_first + _nr]  # empty for no weights
        _ot = np.empty((_classes, _nr))
        for _r in range(_nr):
            _scalars[0, _r] = -math.inf
            _sums[1, _r] = 0.0
        for _k in range(_classes):
            for _r in range(_nr):
                z = _zt[_k, _r]
                p = _tt[_k, _r]
                _v = z
                _buf[3, _k, _r] = _v
                _m = _scalars[0, _r]
                _scalars[0, _r] = _v if (_v > _m or _v != _v) else _m
                _sums[1, _r] += p
        for _r in range(_nr):
            _scalars[3, _r] = _sums[1, _r]
        _column_logsumexps(_buf, np.int64(3), _scalars, np.int64(0), np.int64(1), np.int64(2), _sums[0])
        for _r in range(_nr):
            _sums[0, _r] = 0.0
            _sums[1, _r] = 0.0
            _sums[2, _r] = 0.0
        for _k in range(_classes):
            for _r in range(_nr):
                _r1_max = _scalars[0, _r]
                _r1_log = _scalars[1, _r]
                _r1_inv = _scalars[2, _r]
                _r3 = _scalars[3, _r]
                z = _zt[_k, _r]
                p = _tt[_k, _r]
                _z_shifted = z - _r1_max
                _r1_softmax = _buf[3, _k, _r] * _r1_inv
                _sums[0, _r] += _z_shifted*p
                _sums[1, _r] += p*_expm1(-_r1_log + _z_shifted)
                _sums[2, _r] += _r1_softmax*p
        for _r in range(_nr):
            _scalars[4, _r] = _sums[0, _r]
            _scalars[5, _r] = _sums[1, _r]
            _scalars[6, _r] = _sums[2, _r]
        for _r in range(_nr):
            _w = 1.0 if _weight.shape[0] == 0 else np.float64(_wb[_r])
            _r1_max = _scalars[0, _r]
            _r1_log = _scalars[1, _r]
            _r1_inv = _scalars[2, _r]
            _r3 = _scalars[3, _r]
            _r2 = _scalars[4, _r]
            _r4 = _scalars[5, _r]
            _r5 = _scalars[6, _r]
            _loss = _r1_log*_r3 - _r2 - _r4*epsilon
            _weighted = _w * _loss if _w != 0.0 else 0.0
            _sums[0, _r] = _weighted
        _acc = _column_total(_sums, _nr)
        for _k in range(_classes):
            for _r in range(_nr):
                _r1_max = _scalars[0, _r]
                _r1_log = _scalars[1, _r]
                _r1_inv = _scalars[2, _r]
                _r3 = _scalars[3, _r]
                _r2 = _scalars[4, _r]
                _r4 = _scalars[5, _r]
                _r5 = _scalars[6, _r]
                z = _zt[_k, _r]
                p = _tt[_k, _r]
                _z_shifted = z - _r1_max
                _r1_softmax = _buf[3, _k, _r] * _r1_inv
                _ot[_k, _r] = _scale * (_r1_softmax*_r3 - epsilon*(-_r1_softmax*_r5 + _r1_softmax*p) - p)
        if _weight.shape[0] != 0:
            _weigh_columns(_ot, _wb)
        _from_columns(_ot, _grad_out[_first:_first + _nr])
        _partial[_c] = _acc
    # A serial loop: with parallel=True, Numba would turn _partial.sum() into a parallel
    # reduction whose rounding depends on the thread count.
    _total = 0.0
    for _c in range(_chunks):
        _total += _partial[_c]
    _chunks_outside_domain = 0
    for _c in range(_chunks):
        _chunks_outside_domain += _domain[_c]
    return _total, _chunks_outside_domain, 0


@_kernel
def grad(_pred, _target, _weight, epsilon, _scale, _grad_out):
    """Write scale·w·∂loss/∂z into ``_grad_out``. Rows of COLUMNS_BELOW classes or more."""
    _n = _pred.shape[0]
    _rows = max(1, CHUNK // max(1, _pred.shape[1]))
    _chunks = (_n + _rows - 1) // _rows
    _domain = np.zeros(_chunks, np.int64)
    for _c in prange(_chunks):
        _first = np.int64(_c) * _rows
        _nr = min(_n, _first + _rows) - _first
        _domain[_c] = _outside_domain(_target.reshape(-1), _first * _pred.shape[1], (_first + _nr) * _pred.shape[1], _DOMAIN_LOW_p, _DOMAIN_HIGH_p)
        _classes = _pred.shape[1]
        K = np.float64(_classes)
        # Views of the chunk's rows, indexed from 0 (a possibly negative index would keep LLVM
        # from vectorizing), the element values of a pass (one buffer row per reduction), and
        # the row scalars.
        _zb = _pred[_first:_first + _nr]
        _tb = _target[_first:_first + _nr]
        _ob = _grad_out[_first:_first + _nr]
        _buf = np.empty((3, _nr * _classes))
        _scalars = np.empty((5, _nr))
        for _r in range(_nr):
            for _k in range(_classes):
                z = np.float64(_zb[_r, _k])
                p = np.float64(_tb[_r, _k])
                _buf[2, _r * _classes + _k] = z
                _buf[1, _r * _classes + _k] = p
        _row_logsumexps(_buf, np.int64(2), _nr, _classes, _scalars, np.int64(0), np.int64(1), np.int64(2))
        _row_sums(_buf, np.int64(1), _nr, _classes, _scalars, np.int64(3))
        for _r in range(_nr):
            _r1_max = _scalars[0, _r]
            _r1_log = _scalars[1, _r]
            _r1_inv = _scalars[2, _r]
            _r3 = _scalars[3, _r]
            for _k in range(_classes):
                z = np.float64(_zb[_r, _k])
                p = np.float64(_tb[_r, _k])
                _z_shifted = z - _r1_max
                _r1_softmax = _buf[2, _r * _classes + _k] * _r1_inv
                _buf[0, _r * _classes + _k] = _r1_softmax*p
        _row_sums(_buf, np.int64(0), _nr, _classes, _scalars, np.int64(4))
        for _r in range(_nr):
            _r1_max = _scalars[0, _r]
            _r1_log = _scalars[1, _r]
            _r1_inv = _scalars[2, _r]
            _r3 = _scalars[3, _r]
            _r5 = _scalars[4, _r]
            for _k in range(_classes):
                z = np.float64(_zb[_r, _k])
                p = np.float64(_tb[_r, _k])
                _z_shifted = z - _r1_max
                _r1_softmax = _buf[2, _r * _classes + _k] * _r1_inv
                _ob[_r, _k] = _scale * (_r1_softmax*_r3 - epsilon*(-_r1_softmax*_r5 + _r1_softmax*p) - p)
        if _weight.shape[0] != 0:
            _weigh_rows(_ob, _weight, _first, _nr)
    _chunks_outside_domain = 0
    for _c in range(_chunks):
        _chunks_outside_domain += _domain[_c]
    return 0.0, _chunks_outside_domain, 0


@_kernel
def grad_columns(_pred, _target, _weight, epsilon, _scale, _grad_out):
    """Write scale·w·∂loss/∂z into ``_grad_out``. Rows of fewer than COLUMNS_BELOW classes."""
    _n = _pred.shape[0]
    _rows = max(1, CHUNK // max(1, _pred.shape[1]))
    _chunks = (_n + _rows - 1) // _rows
    _domain = np.zeros(_chunks, np.int64)
    for _c in prange(_chunks):
        # 512-bit vectors for the column loops (see _prefer_wide_vectors): softmax cross-entropy's
        # loss_and_grad at K = 10 took 0.73-0.94 of the time. Not in the row layout, where the
        # phases' own loops measured 0.9-1.14 (at K = 1000; its helpers have them either way).
        _prefer_wide_vectors()
        _first = np.int64(_c) * _rows
        _nr = min(_n, _first + _rows) - _first
        _domain[_c] = _outside_domain(_target.reshape(-1), _first * _pred.shape[1], (_first + _nr) * _pred.shape[1], _DOMAIN_LOW_p, _DOMAIN_HIGH_p)
        _classes = _pred.shape[1]
        K = np.float64(_classes)
        # The chunk as columns (_zt[k, r]: class k of row r), the values a log-sum-exp keeps,
        # the row scalars and the float64 sums.
        _zt = np.empty((_classes, _nr))
        _to_columns(_pred[_first:_first + _nr], _zt)
        _tt = np.empty((_classes, _nr))
        _to_columns(_target[_first:_first + _nr], _tt)
        _buf = np.empty((3, _classes, _nr))
        _scalars = np.empty((5, _nr))
        _sums = np.empty((2, _nr))
        _wb = _weight[_first:_first + _nr]  # empty for no weights
        _ot = np.empty((_classes, _nr))
        for _r in range(_nr):
            _scalars[0, _r] = -math.inf
            _sums[1, _r] = 0.0
        for _k in range(_classes):
            for _r in range(_nr):
                z = _zt[_k, _r]
                p = _tt[_k, _r]
                _v = z
                _buf[2, _k, _r] = _v
                _m = _scalars[0, _r]
                _scalars[0, _r] = _v if (_v > _m or _v != _v) else _m
                _sums[1, _r] += p
        for _r in range(_nr):
            _scalars[3, _r] = _sums[1, _r]
        _column_logsumexps(_buf, np.int64(2), _scalars, np.int64(0), np.int64(1), np.int64(2), _sums[0])
        for _r in range(_nr):
            _sums[0, _r] = 0.0
        for _k in range(_classes):
            for _r in range(_nr):
                _r1_max = _scalars[0, _r]
                _r1_log = _scalars[1, _r]
                _r1_inv = _scalars[2, _r]
                _r3 = _scalars[3, _r]
                z = _zt[_k, _r]
                p = _tt[_k, _r]
                _z_shifted = z - _r1_max
                _r1_softmax = _buf[2, _k, _r] * _r1_inv
                _sums[0, _r] += _r1_softmax*p
        for _r in range(_nr):
            _scalars[4, _r] = _sums[0, _r]
        for _k in range(_classes):
            for _r in range(_nr):
                _r1_max = _scalars[0, _r]
                _r1_log = _scalars[1, _r]
                _r1_inv = _scalars[2, _r]
                _r3 = _scalars[3, _r]
                _r5 = _scalars[4, _r]
                z = _zt[_k, _r]
                p = _tt[_k, _r]
                _z_shifted = z - _r1_max
                _r1_softmax = _buf[2, _k, _r] * _r1_inv
                _ot[_k, _r] = _scale * (_r1_softmax*_r3 - epsilon*(-_r1_softmax*_r5 + _r1_softmax*p) - p)
        if _weight.shape[0] != 0:
            _weigh_columns(_ot, _wb)
        _from_columns(_ot, _grad_out[_first:_first + _nr])
    _chunks_outside_domain = 0
    for _c in range(_chunks):
        _chunks_outside_domain += _domain[_c]
    return 0.0, _chunks_outside_domain, 0


@_kernel
def hess(_pred, _target, _weight, epsilon, _scale, _hess_out):
    """Write scale·w·∂²loss/∂z² (per class) into ``_hess_out``. Rows of COLUMNS_BELOW classes or more."""
    _n = _pred.shape[0]
    _rows = max(1, CHUNK // max(1, _pred.shape[1]))
    _chunks = (_n + _rows - 1) // _rows
    _domain = np.zeros(_chunks, np.int64)
    for _c in prange(_chunks):
        _first = np.int64(_c) * _rows
        _nr = min(_n, _first + _rows) - _first
        _domain[_c] = _outside_domain(_target.reshape(-1), _first * _pred.shape[1], (_first + _nr) * _pred.shape[1], _DOMAIN_LOW_p, _DOMAIN_HIGH_p)
        _classes = _pred.shape[1]
        K = np.float64(_classes)
        # Views of the chunk's rows, indexed from 0 (a possibly negative index would keep LLVM
        # from vectorizing), the element values of a pass (one buffer row per reduction), and
        # the row scalars.
        _zb = _pred[_first:_first + _nr]
        _tb = _target[_first:_first + _nr]
        _ob = _hess_out[_first:_first + _nr]
        _buf = np.empty((3, _nr * _classes))
        _scalars = np.empty((5, _nr))
        for _r in range(_nr):
            for _k in range(_classes):
                z = np.float64(_zb[_r, _k])
                p = np.float64(_tb[_r, _k])
                _buf[2, _r * _classes + _k] = z
                _buf[1, _r * _classes + _k] = p
        _row_logsumexps(_buf, np.int64(2), _nr, _classes, _scalars, np.int64(0), np.int64(1), np.int64(2))
        _row_sums(_buf, np.int64(1), _nr, _classes, _scalars, np.int64(3))
        for _r in range(_nr):
            _r1_max = _scalars[0, _r]
            _r1_log = _scalars[1, _r]
            _r1_inv = _scalars[2, _r]
            _r3 = _scalars[3, _r]
            for _k in range(_classes):
                z = np.float64(_zb[_r, _k])
                p = np.float64(_tb[_r, _k])
                _z_shifted = z - _r1_max
                _r1_softmax = _buf[2, _r * _classes + _k] * _r1_inv
                _buf[0, _r * _classes + _k] = _r1_softmax*p
        _row_sums(_buf, np.int64(0), _nr, _classes, _scalars, np.int64(4))
        for _r in range(_nr):
            _r1_max = _scalars[0, _r]
            _r1_log = _scalars[1, _r]
            _r1_inv = _scalars[2, _r]
            _r3 = _scalars[3, _r]
            _r5 = _scalars[4, _r]
            for _k in range(_classes):
                z = np.float64(_zb[_r, _k])
                p = np.float64(_tb[_r, _k])
                _z_shifted = z - _r1_max
                _r1_softmax = _buf[2, _r * _classes + _k] * _r1_inv
                _e0 = _r1_softmax**2
                _ob[_r, _k] = _scale * (-_e0*_r3 - 2*_e0*_r5*epsilon + 2*_e0*epsilon*p + _r1_softmax*_r3 + _r1_softmax*_r5*epsilon - _r1_softmax*epsilon*p)
        if _weight.shape[0] != 0:
            _weigh_rows(_ob, _weight, _first, _nr)
    _chunks_outside_domain = 0
    for _c in range(_chunks):
        _chunks_outside_domain += _domain[_c]
    return 0.0, _chunks_outside_domain, 0


@_kernel
def hess_columns(_pred, _target, _weight, epsilon, _scale, _hess_out):
    """Write scale·w·∂²loss/∂z² (per class) into ``_hess_out``. Rows of fewer than COLUMNS_BELOW classes."""
    _n = _pred.shape[0]
    _rows = max(1, CHUNK // max(1, _pred.shape[1]))
    _chunks = (_n + _rows - 1) // _rows
    _domain = np.zeros(_chunks, np.int64)
    for _c in prange(_chunks):
        # 512-bit vectors for the column loops (see _prefer_wide_vectors): softmax cross-entropy's
        # loss_and_grad at K = 10 took 0.73-0.94 of the time. Not in the row layout, where the
        # phases' own loops measured 0.9-1.14 (at K = 1000; its helpers have them either way).
        _prefer_wide_vectors()
        _first = np.int64(_c) * _rows
        _nr = min(_n, _first + _rows) - _first
        _domain[_c] = _outside_domain(_target.reshape(-1), _first * _pred.shape[1], (_first + _nr) * _pred.shape[1], _DOMAIN_LOW_p, _DOMAIN_HIGH_p)
        _classes = _pred.shape[1]
        K = np.float64(_classes)
        # The chunk as columns (_zt[k, r]: class k of row r), the values a log-sum-exp keeps,
        # the row scalars and the float64 sums.
        _zt = np.empty((_classes, _nr))
        _to_columns(_pred[_first:_first + _nr], _zt)
        _tt = np.empty((_classes, _nr))
        _to_columns(_target[_first:_first + _nr], _tt)
        _buf = np.empty((3, _classes, _nr))
        _scalars = np.empty((5, _nr))
        _sums = np.empty((2, _nr))
        _wb = _weight[_first:_first + _nr]  # empty for no weights
        _ot = np.empty((_classes, _nr))
        for _r in range(_nr):
            _scalars[0, _r] = -math.inf
            _sums[1, _r] = 0.0
        for _k in range(_classes):
            for _r in range(_nr):
                z = _zt[_k, _r]
                p = _tt[_k, _r]
                _v = z
                _buf[2, _k, _r] = _v
                _m = _scalars[0, _r]
                _scalars[0, _r] = _v if (_v > _m or _v != _v) else _m
                _sums[1, _r] += p
        for _r in range(_nr):
            _scalars[3, _r] = _sums[1, _r]
        _column_logsumexps(_buf, np.int64(2), _scalars, np.int64(0), np.int64(1), np.int64(2), _sums[0])
        for _r in range(_nr):
            _sums[0, _r] = 0.0
        for _k in range(_classes):
            for _r in range(_nr):
                _r1_max = _scalars[0, _r]
                _r1_log = _scalars[1, _r]
                _r1_inv = _scalars[2, _r]
                _r3 = _scalars[3, _r]
                z = _zt[_k, _r]
                p = _tt[_k, _r]
                _z_shifted = z - _r1_max
                _r1_softmax = _buf[2, _k, _r] * _r1_inv
                _sums[0, _r] += _r1_softmax*p
        for _r in range(_nr):
            _scalars[4, _r] = _sums[0, _r]
        for _k in range(_classes):
            for _r in range(_nr):
                _r1_max = _scalars[0, _r]
                _r1_log = _scalars[1, _r]
                _r1_inv = _scalars[2, _r]
                _r3 = _scalars[3, _r]
                _r5 = _scalars[4, _r]
                z = _zt[_k, _r]
                p = _tt[_k, _r]
                _z_shifted = z - _r1_max
                _r1_softmax = _buf[2, _k, _r] * _r1_inv
                _e0 = _r1_softmax**2
                _ot[_k, _r] = _scale * (-_e0*_r3 - 2*_e0*_r5*epsilon + 2*_e0*epsilon*p + _r1_softmax*_r3 + _r1_softmax*_r5*epsilon - _r1_softmax*epsilon*p)
        if _weight.shape[0] != 0:
            _weigh_columns(_ot, _wb)
        _from_columns(_ot, _hess_out[_first:_first + _nr])
    _chunks_outside_domain = 0
    for _c in range(_chunks):
        _chunks_outside_domain += _domain[_c]
    return 0.0, _chunks_outside_domain, 0
