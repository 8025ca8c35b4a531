# lossgen: generated from specs/tukey_biweight.toml with template numba_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 933de657423724e9438746c2d8dc364183f73ee64ab6eff3bbbc051dd06aae40
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 13fd8a2a00fbf632be48842e7de42c7404dfa59e44c6b244623bb974a34e0a7b
"""Numba kernels for ``tukey_biweight`` (Tukey's biweight (bisquare) loss).

One fused pass over memory per call, parallel over fixed-size chunks. Elements are computed in float64 whatever the input dtype and stored in the output's dtype. Each chunk keeps its losses
in a small buffer (in the input's dtype: the sum of float32 losses is the float64 sum of the
float32-rounded values) and sums them in a fixed lane order; the partials are added in chunk order, so
results do not depend on the number of threads. ``_weight`` is an array like ``_pred``, or empty for no weights (one compiled
signature serves both: each chunk takes one of two loops); ``_scale`` multiplies every written element (1/N or 1/sum(w)
for a mean).
Every kernel returns three numbers: the sum of w·loss (0.0 from the kernels that only write
outputs), the number of chunks holding a value outside an input's domain (DOMAIN_CHECKED; the
runtime then raises), and the number holding one outside float32 arithmetic's range (0 in a
float64-arithmetic module).

Conventions:
- sign(0) = 0: the derivative of |u| at u = 0 is taken as 0, as PyTorch does.
- At a branch boundary the derivatives are those of the branch whose condition holds there (conditions are tried in the order declared).
"""

import math

import numpy as np
from llvmlite import ir as llvm_ir
from numba import njit, prange, types
from numba.core.cpu_options import ParallelOptions
from numba.extending import intrinsic

NAME = 'tukey_biweight'
SPEC_SHA256 = '933de657423724e9438746c2d8dc364183f73ee64ab6eff3bbbc051dd06aae40'
PREDICTION = 'y_pred'
PREDICTION_DOMAIN = 'real'
TARGET = 'y_true'
TARGET_DOMAIN = 'real'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = (('c', 4.685, 'positive'),)
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()
#: What the kernels take for "no weights": an empty array, so that one compiled signature serves
#: calls with and without weights (None would be a second one: twice the compile time).
UNWEIGHTED = "empty"
#: The inputs whose domain the kernels check, in the loops that read them: every kernel counts
#: the chunks holding a value outside (NaN is not: it propagates), and the runtime then finds it
#: and raises. Each has the keys (see _key_nan_high) of its smallest and largest allowed value.
DOMAIN_CHECKED = ()


#: Elements per chunk of the parallel loops (the unit of the deterministic reduction); a chunk's
#: losses fit in L1 (16 KiB) between the element loop and their sum.
CHUNK = 2048
#: The parallel loops run over tasks of up to CHUNKS_PER_TASK chunks, and of fewer where that
#: leaves under MIN_TASKS tasks to share among the threads. A task allocates its loss buffer once
#: for all its chunks: allocated per chunk, it made huber's float32 loss_and_grad at N = 1e7 1.14
#: times slower. How chunks are grouped into tasks does not change any result.
CHUNKS_PER_TASK = 16
MIN_TASKS = 64


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


@_kernel
def loss_sum(_pred, _target, _weight, c):
    """Sum of w·loss over all elements (30 operations per element)."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    _partial = np.zeros(_chunks)
    _per_task = max(1, min(CHUNKS_PER_TASK, _chunks // MIN_TASKS))
    for _task in prange((_chunks + _per_task - 1) // _per_task):
        # In the input's dtype: storing float32 lets LLVM vectorize 16 elements at a time, two
        # independent float64 halves whose exp/log chains overlap (bce_with_logits: 4.7 -> 3.8 ns
        # per element). The float32 losses are then summed in float64 lanes.
        _losses = np.empty((1, CHUNK), _pred.dtype)
        for _c in range(_task * _per_task, min(_chunks, _task * _per_task + _per_task)):
            # Unsigned bounds: a signed index may be negative as far as LLVM knows, and Numba's
            # wraparound for negative indices keeps the loop from being vectorized (3x slower).
            _start = np.uint64(_c * CHUNK)
            _stop = np.uint64(min(_n, _c * CHUNK + CHUNK))
            # Without weights, a loop of its own: w = 1 is then a constant LLVM folds away.
            if _weight.shape[0] == 0:
                for _i in range(_start, _stop):
                    y_pred = np.float64(_pred[_i])
                    y_true = np.float64(_target[_i])
                    _w = 1.0
                    _t0 = y_pred - y_true
                    _t1 = c**(-4)
                    _t2 = ((1.0 / 6.0))*_t1
                    _t3 = c**2
                    _r0 = 1/_t3
                    _t4 = abs(_t0)
                    _t5 = (c >= 2*_t4)
                    _t6 = c - y_pred + y_true
                    _t7 = _t0 + c
                    _t11 = _t6*_t7
                    _t8 = (c >= _t4)
                    _loss = (-0.5*_r0*_t0**4 + _t0**6*_t2 + (0.5)*_t0**2 if _t5 else (_t2*(-_t11**3 + c**6) if _t8 else ((1.0 / 6.0))*_t3))
                    _losses[0, _i - _start] = _w * _loss
            else:
                for _i in range(_start, _stop):
                    y_pred = np.float64(_pred[_i])
                    y_true = np.float64(_target[_i])
                    _w = np.float64(_weight[_i])
                    _t0 = y_pred - y_true
                    _t1 = c**(-4)
                    _t2 = ((1.0 / 6.0))*_t1
                    _t3 = c**2
                    _r0 = 1/_t3
                    _t4 = abs(_t0)
                    _t5 = (c >= 2*_t4)
                    _t6 = c - y_pred + y_true
                    _t7 = _t0 + c
                    _t11 = _t6*_t7
                    _t8 = (c >= _t4)
                    _loss = (-0.5*_r0*_t0**4 + _t0**6*_t2 + (0.5)*_t0**2 if _t5 else (_t2*(-_t11**3 + c**6) if _t8 else ((1.0 / 6.0))*_t3))
                    _losses[0, _i - _start] = _w * _loss
            _partial[_c] = _lane_sum(_losses, 0, 0, np.int64(_stop - _start))
    # A serial loop: with parallel=True, Numba would turn _partial.sum() into a parallel
    # reduction whose rounding depends on the thread count.
    _total = 0.0
    for _c in range(_chunks):
        _total += _partial[_c]
    return _total, 0, 0

@_kernel
def loss_elements(_pred, _target, _weight, c, _loss_out):
    """Write w·loss per element into ``_loss_out``."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    _per_task = max(1, min(CHUNKS_PER_TASK, _chunks // MIN_TASKS))
    for _task in prange((_chunks + _per_task - 1) // _per_task):
        for _c in range(_task * _per_task, min(_chunks, _task * _per_task + _per_task)):
            # Unsigned bounds: a signed index may be negative as far as LLVM knows, and Numba's
            # wraparound for negative indices keeps the loop from being vectorized (3x slower).
            _start = np.uint64(_c * CHUNK)
            _stop = np.uint64(min(_n, _c * CHUNK + CHUNK))
            # Without weights, a loop of its own: w = 1 is then a constant LLVM folds away.
            if _weight.shape[0] == 0:
                for _i in range(_start, _stop):
                    y_pred = np.float64(_pred[_i])
                    y_true = np.float64(_target[_i])
                    _w = 1.0
                    _t0 = y_pred - y_true
                    _t1 = c**(-4)
                    _t2 = ((1.0 / 6.0))*_t1
                    _t3 = c**2
                    _r0 = 1/_t3
                    _t4 = abs(_t0)
                    _t5 = (c >= 2*_t4)
                    _t6 = c - y_pred + y_true
                    _t7 = _t0 + c
                    _t11 = _t6*_t7
                    _t8 = (c >= _t4)
                    _loss = (-0.5*_r0*_t0**4 + _t0**6*_t2 + (0.5)*_t0**2 if _t5 else (_t2*(-_t11**3 + c**6) if _t8 else ((1.0 / 6.0))*_t3))
                    _loss_out[_i] = _w * _loss
            else:
                for _i in range(_start, _stop):
                    y_pred = np.float64(_pred[_i])
                    y_true = np.float64(_target[_i])
                    _w = np.float64(_weight[_i])
                    _t0 = y_pred - y_true
                    _t1 = c**(-4)
                    _t2 = ((1.0 / 6.0))*_t1
                    _t3 = c**2
                    _r0 = 1/_t3
                    _t4 = abs(_t0)
                    _t5 = (c >= 2*_t4)
                    _t6 = c - y_pred + y_true
                    _t7 = _t0 + c
                    _t11 = _t6*_t7
                    _t8 = (c >= _t4)
                    _loss = (-0.5*_r0*_t0**4 + _t0**6*_t2 + (0.5)*_t0**2 if _t5 else (_t2*(-_t11**3 + c**6) if _t8 else ((1.0 / 6.0))*_t3))
                    _loss_out[_i] = _w * _loss
    return 0.0, 0, 0

@_kernel
def loss_and_grad(_pred, _target, _weight, c, _scale, _grad_out):
    """Return the sum of w·loss and write scale·w·∂loss/∂y_pred into ``_grad_out``, in one pass."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    _partial = np.zeros(_chunks)
    _per_task = max(1, min(CHUNKS_PER_TASK, _chunks // MIN_TASKS))
    for _task in prange((_chunks + _per_task - 1) // _per_task):
        # In the input's dtype: storing float32 lets LLVM vectorize 16 elements at a time, two
        # independent float64 halves whose exp/log chains overlap (bce_with_logits: 4.7 -> 3.8 ns
        # per element). The float32 losses are then summed in float64 lanes.
        _losses = np.empty((1, CHUNK), _pred.dtype)
        for _c in range(_task * _per_task, min(_chunks, _task * _per_task + _per_task)):
            # Unsigned bounds: a signed index may be negative as far as LLVM knows, and Numba's
            # wraparound for negative indices keeps the loop from being vectorized (3x slower).
            _start = np.uint64(_c * CHUNK)
            _stop = np.uint64(min(_n, _c * CHUNK + CHUNK))
            # Without weights, a loop of its own: w = 1 is then a constant LLVM folds away.
            if _weight.shape[0] == 0:
                for _i in range(_start, _stop):
                    y_pred = np.float64(_pred[_i])
                    y_true = np.float64(_target[_i])
                    _w = 1.0
                    _t0 = y_pred - y_true
                    _t1 = c**(-4)
                    _t2 = ((1.0 / 6.0))*_t1
                    _t3 = c**2
                    _r0 = 1/_t3
                    _t4 = abs(_t0)
                    _t5 = (c >= 2*_t4)
                    _t6 = c - y_pred + y_true
                    _t7 = _t0 + c
                    _t11 = _t6*_t7
                    _t8 = (c >= _t4)
                    _t9 = _t0*_t1*_t11**2
                    _loss = (-0.5*_r0*_t0**4 + _t0**6*_t2 + (0.5)*_t0**2 if _t5 else (_t2*(-_t11**3 + c**6) if _t8 else ((1.0 / 6.0))*_t3))
                    _grad = (_t9 if _t5 else (_t9 if _t8 else 0))
                    _losses[0, _i - _start] = _w * _loss
                    _grad_out[_i] = _scale * _w * _grad
            else:
                for _i in range(_start, _stop):
                    y_pred = np.float64(_pred[_i])
                    y_true = np.float64(_target[_i])
                    _w = np.float64(_weight[_i])
                    _t0 = y_pred - y_true
                    _t1 = c**(-4)
                    _t2 = ((1.0 / 6.0))*_t1
                    _t3 = c**2
                    _r0 = 1/_t3
                    _t4 = abs(_t0)
                    _t5 = (c >= 2*_t4)
                    _t6 = c - y_pred + y_true
                    _t7 = _t0 + c
                    _t11 = _t6*_t7
                    _t8 = (c >= _t4)
                    _t9 = _t0*_t1*_t11**2
                    _loss = (-0.5*_r0*_t0**4 + _t0**6*_t2 + (0.5)*_t0**2 if _t5 else (_t2*(-_t11**3 + c**6) if _t8 else ((1.0 / 6.0))*_t3))
                    _grad = (_t9 if _t5 else (_t9 if _t8 else 0))
                    _losses[0, _i - _start] = _w * _loss
                    _grad_out[_i] = _scale * _w * _grad
            _partial[_c] = _lane_sum(_losses, 0, 0, np.int64(_stop - _start))
    # A serial loop: with parallel=True, Numba would turn _partial.sum() into a parallel
    # reduction whose rounding depends on the thread count.
    _total = 0.0
    for _c in range(_chunks):
        _total += _partial[_c]
    return _total, 0, 0

@_kernel
def grad(_pred, _target, _weight, c, _scale, _grad_out):
    """Write scale·w·∂loss/∂y_pred into ``_grad_out``."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    _per_task = max(1, min(CHUNKS_PER_TASK, _chunks // MIN_TASKS))
    for _task in prange((_chunks + _per_task - 1) // _per_task):
        for _c in range(_task * _per_task, min(_chunks, _task * _per_task + _per_task)):
            # Unsigned bounds: a signed index may be negative as far as LLVM knows, and Numba's
            # wraparound for negative indices keeps the loop from being vectorized (3x slower).
            _start = np.uint64(_c * CHUNK)
            _stop = np.uint64(min(_n, _c * CHUNK + CHUNK))
            # Without weights, a loop of its own: w = 1 is then a constant LLVM folds away.
            if _weight.shape[0] == 0:
                for _i in range(_start, _stop):
                    y_pred = np.float64(_pred[_i])
                    y_true = np.float64(_target[_i])
                    _w = 1.0
                    _t0 = y_pred - y_true
                    _t1 = c**(-4)
                    _t4 = abs(_t0)
                    _t5 = (c >= 2*_t4)
                    _t6 = c - y_pred + y_true
                    _t7 = _t0 + c
                    _t11 = _t6*_t7
                    _t8 = (c >= _t4)
                    _t9 = _t0*_t1*_t11**2
                    _grad = (_t9 if _t5 else (_t9 if _t8 else 0))
                    _grad_out[_i] = _scale * _w * _grad
            else:
                for _i in range(_start, _stop):
                    y_pred = np.float64(_pred[_i])
                    y_true = np.float64(_target[_i])
                    _w = np.float64(_weight[_i])
                    _t0 = y_pred - y_true
                    _t1 = c**(-4)
                    _t4 = abs(_t0)
                    _t5 = (c >= 2*_t4)
                    _t6 = c - y_pred + y_true
                    _t7 = _t0 + c
                    _t11 = _t6*_t7
                    _t8 = (c >= _t4)
                    _t9 = _t0*_t1*_t11**2
                    _grad = (_t9 if _t5 else (_t9 if _t8 else 0))
                    _grad_out[_i] = _scale * _w * _grad
    return 0.0, 0, 0

@_kernel
def hess(_pred, _target, _weight, c, _scale, _hess_out):
    """Write scale·w·∂²loss/∂y_pred² into ``_hess_out``."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    _per_task = max(1, min(CHUNKS_PER_TASK, _chunks // MIN_TASKS))
    for _task in prange((_chunks + _per_task - 1) // _per_task):
        for _c in range(_task * _per_task, min(_chunks, _task * _per_task + _per_task)):
            # Unsigned bounds: a signed index may be negative as far as LLVM knows, and Numba's
            # wraparound for negative indices keeps the loop from being vectorized (3x slower).
            _start = np.uint64(_c * CHUNK)
            _stop = np.uint64(min(_n, _c * CHUNK + CHUNK))
            # Without weights, a loop of its own: w = 1 is then a constant LLVM folds away.
            if _weight.shape[0] == 0:
                for _i in range(_start, _stop):
                    y_pred = np.float64(_pred[_i])
                    y_true = np.float64(_target[_i])
                    _w = 1.0
                    _t0 = y_pred - y_true
                    _t1 = c**(-4)
                    _t4 = abs(_t0)
                    _t5 = (c >= 2*_t4)
                    _t6 = c - y_pred + y_true
                    _t7 = _t0 + c
                    _t11 = _t6*_t7
                    _t8 = (c >= _t4)
                    _t10 = 2*_t0
                    _t12 = _t1*_t11*(_t10*_t6 - _t10*_t7 + _t11)
                    _hess = (_t12 if _t5 else (_t12 if _t8 else 0))
                    _hess_out[_i] = _scale * _w * _hess
            else:
                for _i in range(_start, _stop):
                    y_pred = np.float64(_pred[_i])
                    y_true = np.float64(_target[_i])
                    _w = np.float64(_weight[_i])
                    _t0 = y_pred - y_true
                    _t1 = c**(-4)
                    _t4 = abs(_t0)
                    _t5 = (c >= 2*_t4)
                    _t6 = c - y_pred + y_true
                    _t7 = _t0 + c
                    _t11 = _t6*_t7
                    _t8 = (c >= _t4)
                    _t10 = 2*_t0
                    _t12 = _t1*_t11*(_t10*_t6 - _t10*_t7 + _t11)
                    _hess = (_t12 if _t5 else (_t12 if _t8 else 0))
                    _hess_out[_i] = _scale * _w * _hess
    return 0.0, 0, 0
