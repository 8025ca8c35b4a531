# lossgen: generated from specs/bce_with_logits.toml with template numba_module.py.jinja; do not edit by hand.
# lossgen-spec-sha256: 97bcd64b1fd802fbcd736137ddb0ae141520bce56ab3dbf4936388b907880f1b
# lossgen-generator: 1c34ac4dea238494
# lossgen-content-sha256: 844391bd3ba5ca0778a9a50997de1ffbf63684c6e7177a51d1c487c9558aff5c
"""Numba kernels for ``bce_with_logits`` (Binary cross-entropy on logits).

One fused pass over memory per call, parallel over fixed-size chunks. For float32 arrays only (``arithmetic="float32"``): elements are computed in float32 arithmetic,
as PyTorch and JAX compute, with float32 exp, log and log1p (16 elements to an AVX-512 register
instead of 8); sums of losses are carried in float64. The float64-arithmetic module beside this
one rounds each float32 result once instead. Each chunk keeps its losses
in a small buffer (in the input's dtype: the sum of float32 losses is the float64 sum of the
float32-rounded values) and sums them in a fixed lane order; the partials are added in chunk order, so
results do not depend on the number of threads. ``_weight`` is an array like ``_pred``, or empty for no weights (one compiled
signature serves both: each chunk takes one of two loops); ``_scale`` multiplies every written element (1/N or 1/sum(w)
for a mean).
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

NAME = 'bce_with_logits'
SPEC_SHA256 = '97bcd64b1fd802fbcd736137ddb0ae141520bce56ab3dbf4936388b907880f1b'
PREDICTION = 'x'
PREDICTION_DOMAIN = 'real'
TARGET = 'y'
TARGET_DOMAIN = 'unit_interval'
#: (name, default, domain) of each keyword parameter, in declaration order.
PARAMS = ()
#: (name, domain) of each further array input, passed by keyword, in declaration order.
AUXILIARY = ()
#: What the kernels take for "no weights": an empty array, so that one compiled signature serves
#: calls with and without weights (None would be a second one: twice the compile time).
UNWEIGHTED = "empty"
#: The inputs whose domain the kernels check, in the loops that read them: every kernel counts
#: the chunks holding a value outside (NaN is not: it propagates), and the runtime then finds it
#: and raises. Each has the keys (see _key_nan_high) of its smallest and largest allowed value.
DOMAIN_CHECKED = ('y_true',)
_DOMAIN_LOW_y = np.int32(-1)
_DOMAIN_HIGH_y = np.int32(1065353216)

#: The inputs whose values the kernels check against float32 arithmetic's range (magnitude 0 or
#: within [2**-60, 2**20], see lossgen.domains): they count the chunks holding a NaN, an infinity
#: or any other value outside, and the runtime recomputes such a call with the float64-arithmetic
#: kernels. Checked on the way, in the loops that read the values: a scan of its own would read
#: every input a second time. Every kernel returns that count (the last of its three results).
RANGE_CHECKED = ('y_pred', 'y_true', 'weight')
_RANGE_HIGH_BITS = np.uint32(0x49800000)  # the bits of 2**20; above them: larger values, inf, NaN
_RANGE_LOW_BITS = np.uint32(0x217FFFFF)  # the bits of 2**-60, less 1 (as the loops track them)

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


# Vectorizable float32 exp, expm1, log and log1p (see the float64 module for why not math.*): the
# same algorithms as the float64 ones, with float32 constants and shorter polynomials. Accuracy
# over the float32 range, with IEEE special values (tests/test_accuracy.py::
# test_vectorized_math_helpers_match_mpmath): exp ≤ 1 ulp, expm1 ≤ 2 ulp, log ≤ 2 ulp, log1p ≤ 2.5 ulp.
# Every constant is an np.float32: Numba types a Python float as float64, which would turn the
# arithmetic back into float64.


@intrinsic
def _bits_to_float(typingctx, value):
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], llvm_ir.FloatType())
    return types.float32(types.int32), codegen


@intrinsic
def _float_to_bits(typingctx, value):
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], llvm_ir.IntType(32))
    return types.int32(types.float32), codegen


_F = np.float32
_I = np.int32
_LOG2E = _F(1.4426950408889634)
_LN2_HI = _F(0.693145751953125)  # ln 2 to 16 significant bits: n * _LN2_HI is exact
_LN2_LO = _F(1.4286068203094172e-06)  # ln 2 - _LN2_HI
_SQRT2 = _F(1.4142135623730951)


@_compiled(fastmath={"contract"})
def _exp(x):
    xc = min(max(x, _F(-104.0)), _F(89.0))
    n = np.floor(xc * _LOG2E + _F(0.5))  # np.floor keeps float32; math.floor returns an int64
    r = (xc - n * _LN2_HI) - n * _LN2_LO  # |r| <= ln(2)/2: Taylor to degree 7 errs < 2**-27
    p = _F(1.0 / 5040.0)
    p = p * r + _F(1.0 / 720.0)
    p = p * r + _F(1.0 / 120.0)
    p = p * r + _F(1.0 / 24.0)
    p = p * r + _F(1.0 / 6.0)
    p = p * r + _F(0.5)
    p = p * r + _F(1.0)
    p = p * r + _F(1.0)
    k = _I(n)
    k1 = k >> _I(1)  # 2**k as two factors: each stays a normal number down to subnormal results
    result = p * _bits_to_float((k1 + _I(127)) << _I(23)) * _bits_to_float((k - k1 + _I(127)) << _I(23))
    result = _F(math.inf) if x > _F(88.72283935546875) else result
    result = _F(0.0) if x < _F(-103.97208404541016) else result
    return result if x == x else x


@_compiled(fastmath={"contract"})
def _log_core(w, c):
    """log(w) + c/w for a positive normal w (c: a small correction of w)."""
    bits = _float_to_bits(w)
    e = ((bits >> _I(23)) & _I(0xFF)) - _I(127)
    m = _bits_to_float((bits & _I(0x007FFFFF)) | _I(0x3F800000))
    big = m > _SQRT2
    m = _F(0.5) * m if big else m
    e = e + _I(1) if big else e
    f = m - _F(1.0)
    s = f / (_F(2.0) + f)  # log(1 + f) = 2 atanh(s), |s| <= 0.172: terms to s**11
    s2 = s * s
    t = _F(1.0 / 11.0)
    t = t * s2 + _F(1.0 / 9.0)
    t = t * s2 + _F(1.0 / 7.0)
    t = t * s2 + _F(1.0 / 5.0)
    t = t * s2 + _F(1.0 / 3.0)
    ef = _F(e)
    return ef * _LN2_HI + ((_F(2.0) * s + _F(2.0) * s * (s2 * t) + ef * _LN2_LO) + c / w)


@_compiled(fastmath={"contract"})
def _log1p(u):
    w = _F(1.0) + u
    c = (_F(1.0) - (w - u)) if u >= _F(1.0) else (u - (w - _F(1.0)))  # the rounding error of 1 + u
    result = _log_core(w if w > _F(0.0) else _F(1.0), c)
    result = _F(math.inf) if u == _F(math.inf) else result
    result = _F(-math.inf) if u == _F(-1.0) else result
    result = _F(math.nan) if u < _F(-1.0) else result
    return result if u == u else u


@_compiled(fastmath={"contract"})
def _log1p_unit(u):
    """_log1p for u in [0, 1] or NaN (the printer proves it: e^a with a <= 0), without the selects
    for arguments outside; the same values there (NaN: through the correction c/w)."""
    w = _F(1.0) + u
    return _log_core(w, u - (w - _F(1.0)))


@_compiled(fastmath={"contract"})
def _log(x):
    tiny = x < _F(1.1754943508222875e-38)  # subnormal: scale into the normal range first
    scaled = x * _F(33554432.0) if tiny else x
    result = _log_core(scaled if scaled > _F(0.0) else _F(1.0), _F(0.0)) - (_F(25.0 * 0.6931471805599453) if tiny else _F(0.0))
    result = _F(math.inf) if x == _F(math.inf) else result
    result = _F(-math.inf) if x == _F(0.0) else result
    result = _F(math.nan) if x < _F(0.0) else result
    return result if x == x else x


@_compiled(fastmath={"contract"})
def _expm1(x):
    xc = min(max(x, _F(-18.0)), _F(89.0))  # below -18, e**x - 1 rounds to -1
    n = np.floor(xc * _LOG2E + _F(0.5))
    r = (xc - n * _LN2_HI) - n * _LN2_LO
    q = _F(1.0 / 40320.0)  # Taylor to degree 8: errs < 2**-29 relative
    q = q * r + _F(1.0 / 5040.0)
    q = q * r + _F(1.0 / 720.0)
    q = q * r + _F(1.0 / 120.0)
    q = q * r + _F(1.0 / 24.0)
    q = q * r + _F(1.0 / 6.0)
    q = q * r + _F(0.5)
    em = r + r * (r * q)
    k = _I(n)
    t = _bits_to_float((_I(127) - min(k, _I(30))) << _I(23))
    k1 = k >> _I(1)
    result = (em + (_F(1.0) - t)) * _bits_to_float((k1 + _I(127)) << _I(23)) * _bits_to_float((k - k1 + _I(127)) << _I(23))
    result = _F(math.inf) if x > _F(88.72283935546875) else result
    result = x if x == _F(0.0) else result
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


_SIGN_SHIFT = np.int32(31)
_MAGNITUDE = np.int32(0x7FFFFFFF)
_INF_BITS = np.int32(0x7F800000)


def _key_codegen(nan_key):
    """Code for _key_nan_high and _key_nan_low, in the float's own width: written in Numba, the
    integer arithmetic would be widened to 64 bits, which halves the lanes of a float32 loop."""
    def codegen(context, builder, signature, args):
        integer = llvm_ir.IntType(32)
        bits = builder.bitcast(args[0], integer)
        magnitude = builder.and_(bits, integer(int(_MAGNITUDE)))
        key = builder.xor(bits, builder.and_(builder.ashr(bits, integer(int(_SIGN_SHIFT))), integer(int(_MAGNITUDE))))
        return builder.select(builder.icmp_signed(">", magnitude, integer(int(_INF_BITS))), integer(int(nan_key)), key)
    return codegen


@intrinsic
def _key_nan_high(typingctx, value):
    """An integer that orders as ``value`` does among floats (its bits, with the magnitude bits
    flipped where the sign is set); a NaN of either sign is the largest."""
    return types.int32(types.float32), _key_codegen(_MAGNITUDE)


@intrinsic
def _key_nan_low(typingctx, value):
    """_key_nan_high's key, but a NaN is the smallest."""
    return types.int32(types.float32), _key_codegen(-_MAGNITUDE)


@_compiled()
def _lane_max_key(rows, row, start, count):
    """The largest _key_nan_high of rows[row, start:start + count] (that of -inf for count = 0).
    Integer maxima vectorize exactly (a float maximum that propagates NaN did not: 0.56 against
    0.15 ns per float32 element). A function of its own: with the key turned back into a float
    in the same function, LLVM left the float64 loop scalar. Indexed like _lane_sum."""
    _prefer_wide_vectors()
    top = _key_nan_high(np.float32(-math.inf))
    first = np.uint64(start)
    for j in range(first, first + np.uint64(count)):
        top = max(top, _key_nan_high(rows[row, j]))
    return top


@njit(error_model="numpy", inline="always")
def _lane_max(rows, row, start, count):
    """Maximum of rows[row, start:start + count]; NaN propagates; -inf for count = 0."""
    top = _lane_max_key(rows, row, start, count)
    return _bits_to_float(top ^ ((top >> _SIGN_SHIFT) & _MAGNITUDE))


# The input checks, once per chunk after its element loop, over the values that loop has just
# left in cache. Inside the element loop, their integer reductions made bce_with_logits' float32
# loss_and_grad 1.2 times slower (one thread, in cache), and with 256-bit vectors LLVM compiled
# that loop four float32 lanes wide instead of eight. (Where the output overwrites an input, the
# runtime checks the inputs before the call instead: these would read the outputs.)
@_compiled()
def _chunk_checks(_pred, _target, _start, _stop):
    """(Whether the inputs' elements [start, stop) hold a value outside an input's domain,
    whether one outside float32 arithmetic's range): see DOMAIN_CHECKED and RANGE_CHECKED."""
    _prefer_wide_vectors()
    _umax = np.uint32(0)  # the largest bits of an |x| seen
    _umin = np.uint32(0xFFFFFFFF)  # the smallest bits of an |x|, less 1: 0 wraps around, never the least
    _low_y = _MAGNITUDE  # the smallest key of a value of y seen (NaN: none)
    _high_y = -_MAGNITUDE  # the largest
    for _i in range(_start, _stop):
        x = np.float32(_pred[_i])
        y = np.float32(_target[_i])
        _umax = max(_umax, _magnitude_bits(x))
        _umin = min(_umin, _magnitude_bits_less_one(x))
        _umax = max(_umax, _magnitude_bits(y))
        _umin = min(_umin, _magnitude_bits_less_one(y))
        _low_y = min(_low_y, _key_nan_high(y))
        _high_y = max(_high_y, _key_nan_low(y))
    return (_low_y < _DOMAIN_LOW_y) | (_high_y > _DOMAIN_HIGH_y), (_umax > _RANGE_HIGH_BITS) | (_umin < _RANGE_LOW_BITS)


def _magnitude_codegen(less_one):
    """Code for _magnitude_bits(x) (the bits of |x|) and, with ``less_one``, those bits less 1 (so
    that 0 wraps around to the largest), as uint32: Numba would widen them to 64 bits."""
    def codegen(context, builder, signature, args):
        integer = llvm_ir.IntType(32)
        magnitude = builder.and_(builder.bitcast(args[0], integer), integer(0x7FFFFFFF))
        return builder.sub(magnitude, integer(1)) if less_one else magnitude
    return codegen


@intrinsic
def _magnitude_bits(typingctx, value):
    return types.uint32(types.float32), _magnitude_codegen(False)


@intrinsic
def _magnitude_bits_less_one(typingctx, value):
    return types.uint32(types.float32), _magnitude_codegen(True)


# A function of its own, called once per chunk (see _chunk_checks; in row-wise kernels, a check in
# the loop over a row would not vectorize for few classes).
@_compiled()
def _outside_range(values, start, stop):
    """Whether values[start:stop] (a chunk of an input; a row-wise input flattened) holds a value
    outside float32 arithmetic's range."""
    _prefer_wide_vectors()
    _umax = np.uint32(0)  # the largest bits of an |x| seen
    _umin = np.uint32(0xFFFFFFFF)  # the smallest bits of an |x|, less 1: 0 wraps around, never the least
    for i in range(np.uint64(start), np.uint64(stop)):  # unsigned: see _lane_sum
        x = values[i]
        _umax = max(_umax, _magnitude_bits(x))
        _umin = min(_umin, _magnitude_bits_less_one(x))
    return (_umax > _RANGE_HIGH_BITS) | (_umin < _RANGE_LOW_BITS)

@_kernel
def loss_sum(_pred, _target, _weight):
    """Sum of w·loss over all elements (13 operations per element)."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    _partial = np.zeros(_chunks)
    _domain = np.zeros(_chunks, np.int64)
    _outside = np.zeros(_chunks, np.int64)
    _per_task = max(1, min(CHUNKS_PER_TASK, _chunks // MIN_TASKS))
    for _task in prange((_chunks + _per_task - 1) // _per_task):
        # Bound by exp/log arithmetic: 512-bit vectors (see _prefer_wide_vectors). Loops of a few
        # operations, bound by memory, keep LLVM's choice: 512-bit vectors made huber, pinball and
        # smooth_l1 4-13% slower.
        _prefer_wide_vectors()
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
                    x = np.float32(_pred[_i])
                    y = np.float32(_target[_i])
                    _w = np.float32(1.0)
                    _t0 = _exp(-abs(x))
                    _t1 = _log1p_unit(_t0)
                    _t2 = np.float32(1) - y
                    _loss = _t2*(_t1 + max(np.float32(0), x)) + y*(_t1 + max(np.float32(0), -x))
                    _losses[0, _i - _start] = _w * _loss
            else:
                for _i in range(_start, _stop):
                    x = np.float32(_pred[_i])
                    y = np.float32(_target[_i])
                    _w = np.float32(_weight[_i])
                    _t0 = _exp(-abs(x))
                    _t1 = _log1p_unit(_t0)
                    _t2 = np.float32(1) - y
                    _loss = _t2*(_t1 + max(np.float32(0), x)) + y*(_t1 + max(np.float32(0), -x))
                    _losses[0, _i - _start] = _w * _loss
            _chunk_outside_domain, _chunk_outside_range = _chunk_checks(_pred, _target, _start, _stop)
            _domain[_c] = _chunk_outside_domain
            _outside[_c] = _chunk_outside_range or (_weight.shape[0] != 0 and _outside_range(_weight, _start, _stop))
            _partial[_c] = _lane_sum(_losses, 0, 0, np.int64(_stop - _start))
    # A serial loop: with parallel=True, Numba would turn _partial.sum() into a parallel
    # reduction whose rounding depends on the thread count.
    _total = 0.0
    for _c in range(_chunks):
        _total += _partial[_c]
    _chunks_outside_domain = 0
    for _c in range(_chunks):
        _chunks_outside_domain += _domain[_c]
    _chunks_outside = 0
    for _c in range(_chunks):
        _chunks_outside += _outside[_c]
    return _total, _chunks_outside_domain, _chunks_outside

@_kernel
def loss_elements(_pred, _target, _weight, _loss_out):
    """Write w·loss per element into ``_loss_out``."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    _domain = np.zeros(_chunks, np.int64)
    _outside = np.zeros(_chunks, np.int64)
    _per_task = max(1, min(CHUNKS_PER_TASK, _chunks // MIN_TASKS))
    for _task in prange((_chunks + _per_task - 1) // _per_task):
        # Bound by exp/log arithmetic: 512-bit vectors (see _prefer_wide_vectors). Loops of a few
        # operations, bound by memory, keep LLVM's choice: 512-bit vectors made huber, pinball and
        # smooth_l1 4-13% slower.
        _prefer_wide_vectors()
        for _c in range(_task * _per_task, min(_chunks, _task * _per_task + _per_task)):
            # Unsigned bounds: a signed index may be negative as far as LLVM knows, and Numba's
            # wraparound for negative indices keeps the loop from being vectorized (3x slower).
            _start = np.uint64(_c * CHUNK)
            _stop = np.uint64(min(_n, _c * CHUNK + CHUNK))
            # Without weights, a loop of its own: w = 1 is then a constant LLVM folds away.
            if _weight.shape[0] == 0:
                for _i in range(_start, _stop):
                    x = np.float32(_pred[_i])
                    y = np.float32(_target[_i])
                    _w = np.float32(1.0)
                    _t0 = _exp(-abs(x))
                    _t1 = _log1p_unit(_t0)
                    _t2 = np.float32(1) - y
                    _loss = _t2*(_t1 + max(np.float32(0), x)) + y*(_t1 + max(np.float32(0), -x))
                    _loss_out[_i] = _w * _loss
            else:
                for _i in range(_start, _stop):
                    x = np.float32(_pred[_i])
                    y = np.float32(_target[_i])
                    _w = np.float32(_weight[_i])
                    _t0 = _exp(-abs(x))
                    _t1 = _log1p_unit(_t0)
                    _t2 = np.float32(1) - y
                    _loss = _t2*(_t1 + max(np.float32(0), x)) + y*(_t1 + max(np.float32(0), -x))
                    _loss_out[_i] = _w * _loss
            _chunk_outside_domain, _chunk_outside_range = _chunk_checks(_pred, _target, _start, _stop)
            _domain[_c] = _chunk_outside_domain
            _outside[_c] = _chunk_outside_range or (_weight.shape[0] != 0 and _outside_range(_weight, _start, _stop))
    _chunks_outside_domain = 0
    for _c in range(_chunks):
        _chunks_outside_domain += _domain[_c]
    _chunks_outside = 0
    for _c in range(_chunks):
        _chunks_outside += _outside[_c]
    return 0.0, _chunks_outside_domain, _chunks_outside

@_kernel
def loss_and_grad(_pred, _target, _weight, _scale, _grad_out):
    """Return the sum of w·loss and write scale·w·∂loss/∂x into ``_grad_out``, in one pass."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    _partial = np.zeros(_chunks)
    _domain = np.zeros(_chunks, np.int64)
    _outside = np.zeros(_chunks, np.int64)
    _per_task = max(1, min(CHUNKS_PER_TASK, _chunks // MIN_TASKS))
    for _task in prange((_chunks + _per_task - 1) // _per_task):
        # Bound by exp/log arithmetic: 512-bit vectors (see _prefer_wide_vectors). Loops of a few
        # operations, bound by memory, keep LLVM's choice: 512-bit vectors made huber, pinball and
        # smooth_l1 4-13% slower.
        _prefer_wide_vectors()
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
                    x = np.float32(_pred[_i])
                    y = np.float32(_target[_i])
                    _w = np.float32(1.0)
                    _t0 = _exp(-abs(x))
                    _t1 = _log1p_unit(_t0)
                    _t2 = np.float32(1) - y
                    _t3 = (np.float32(1.0)/(_t0 + np.float32(1)))
                    _t4 = _t0*_t3
                    _t5 = (_t3 if (x <= np.float32(0)) else _t4)
                    _t6 = (_t3 if (x >= np.float32(0)) else _t4)
                    _loss = _t2*(_t1 + max(np.float32(0), x)) + y*(_t1 + max(np.float32(0), -x))
                    _grad = _t2*_t6 - _t5*y
                    _losses[0, _i - _start] = _w * _loss
                    _grad_out[_i] = _scale * _w * _grad
            else:
                for _i in range(_start, _stop):
                    x = np.float32(_pred[_i])
                    y = np.float32(_target[_i])
                    _w = np.float32(_weight[_i])
                    _t0 = _exp(-abs(x))
                    _t1 = _log1p_unit(_t0)
                    _t2 = np.float32(1) - y
                    _t3 = (np.float32(1.0)/(_t0 + np.float32(1)))
                    _t4 = _t0*_t3
                    _t5 = (_t3 if (x <= np.float32(0)) else _t4)
                    _t6 = (_t3 if (x >= np.float32(0)) else _t4)
                    _loss = _t2*(_t1 + max(np.float32(0), x)) + y*(_t1 + max(np.float32(0), -x))
                    _grad = _t2*_t6 - _t5*y
                    _losses[0, _i - _start] = _w * _loss
                    _grad_out[_i] = _scale * _w * _grad
            _chunk_outside_domain, _chunk_outside_range = _chunk_checks(_pred, _target, _start, _stop)
            _domain[_c] = _chunk_outside_domain
            _outside[_c] = _chunk_outside_range or (_weight.shape[0] != 0 and _outside_range(_weight, _start, _stop))
            _partial[_c] = _lane_sum(_losses, 0, 0, np.int64(_stop - _start))
    # A serial loop: with parallel=True, Numba would turn _partial.sum() into a parallel
    # reduction whose rounding depends on the thread count.
    _total = 0.0
    for _c in range(_chunks):
        _total += _partial[_c]
    _chunks_outside_domain = 0
    for _c in range(_chunks):
        _chunks_outside_domain += _domain[_c]
    _chunks_outside = 0
    for _c in range(_chunks):
        _chunks_outside += _outside[_c]
    return _total, _chunks_outside_domain, _chunks_outside

@_kernel
def grad(_pred, _target, _weight, _scale, _grad_out):
    """Write scale·w·∂loss/∂x into ``_grad_out``."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    _domain = np.zeros(_chunks, np.int64)
    _outside = np.zeros(_chunks, np.int64)
    _per_task = max(1, min(CHUNKS_PER_TASK, _chunks // MIN_TASKS))
    for _task in prange((_chunks + _per_task - 1) // _per_task):
        # Bound by exp/log arithmetic: 512-bit vectors (see _prefer_wide_vectors). Loops of a few
        # operations, bound by memory, keep LLVM's choice: 512-bit vectors made huber, pinball and
        # smooth_l1 4-13% slower.
        _prefer_wide_vectors()
        for _c in range(_task * _per_task, min(_chunks, _task * _per_task + _per_task)):
            # Unsigned bounds: a signed index may be negative as far as LLVM knows, and Numba's
            # wraparound for negative indices keeps the loop from being vectorized (3x slower).
            _start = np.uint64(_c * CHUNK)
            _stop = np.uint64(min(_n, _c * CHUNK + CHUNK))
            # Without weights, a loop of its own: w = 1 is then a constant LLVM folds away.
            if _weight.shape[0] == 0:
                for _i in range(_start, _stop):
                    x = np.float32(_pred[_i])
                    y = np.float32(_target[_i])
                    _w = np.float32(1.0)
                    _t0 = _exp(-abs(x))
                    _t2 = np.float32(1) - y
                    _t3 = (np.float32(1.0)/(_t0 + np.float32(1)))
                    _t4 = _t0*_t3
                    _t5 = (_t3 if (x <= np.float32(0)) else _t4)
                    _t6 = (_t3 if (x >= np.float32(0)) else _t4)
                    _grad = _t2*_t6 - _t5*y
                    _grad_out[_i] = _scale * _w * _grad
            else:
                for _i in range(_start, _stop):
                    x = np.float32(_pred[_i])
                    y = np.float32(_target[_i])
                    _w = np.float32(_weight[_i])
                    _t0 = _exp(-abs(x))
                    _t2 = np.float32(1) - y
                    _t3 = (np.float32(1.0)/(_t0 + np.float32(1)))
                    _t4 = _t0*_t3
                    _t5 = (_t3 if (x <= np.float32(0)) else _t4)
                    _t6 = (_t3 if (x >= np.float32(0)) else _t4)
                    _grad = _t2*_t6 - _t5*y
                    _grad_out[_i] = _scale * _w * _grad
            _chunk_outside_domain, _chunk_outside_range = _chunk_checks(_pred, _target, _start, _stop)
            _domain[_c] = _chunk_outside_domain
            _outside[_c] = _chunk_outside_range or (_weight.shape[0] != 0 and _outside_range(_weight, _start, _stop))
    _chunks_outside_domain = 0
    for _c in range(_chunks):
        _chunks_outside_domain += _domain[_c]
    _chunks_outside = 0
    for _c in range(_chunks):
        _chunks_outside += _outside[_c]
    return 0.0, _chunks_outside_domain, _chunks_outside

@_kernel
def hess(_pred, _target, _weight, _scale, _hess_out):
    """Write scale·w·∂²loss/∂x² into ``_hess_out``."""
    _n = _pred.shape[0]
    _chunks = (_n + CHUNK - 1) // CHUNK
    _domain = np.zeros(_chunks, np.int64)
    _outside = np.zeros(_chunks, np.int64)
    _per_task = max(1, min(CHUNKS_PER_TASK, _chunks // MIN_TASKS))
    for _task in prange((_chunks + _per_task - 1) // _per_task):
        # Bound by exp/log arithmetic: 512-bit vectors (see _prefer_wide_vectors). Loops of a few
        # operations, bound by memory, keep LLVM's choice: 512-bit vectors made huber, pinball and
        # smooth_l1 4-13% slower.
        _prefer_wide_vectors()
        for _c in range(_task * _per_task, min(_chunks, _task * _per_task + _per_task)):
            # Unsigned bounds: a signed index may be negative as far as LLVM knows, and Numba's
            # wraparound for negative indices keeps the loop from being vectorized (3x slower).
            _start = np.uint64(_c * CHUNK)
            _stop = np.uint64(min(_n, _c * CHUNK + CHUNK))
            # Without weights, a loop of its own: w = 1 is then a constant LLVM folds away.
            if _weight.shape[0] == 0:
                for _i in range(_start, _stop):
                    x = np.float32(_pred[_i])
                    y = np.float32(_target[_i])
                    _w = np.float32(1.0)
                    _t0 = _exp(-abs(x))
                    _t3 = (np.float32(1.0)/(_t0 + np.float32(1)))
                    _t4 = _t0*_t3
                    _t5 = (_t3 if (x <= np.float32(0)) else _t4)
                    _t6 = (_t3 if (x >= np.float32(0)) else _t4)
                    _hess = _t5*_t6
                    _hess_out[_i] = _scale * _w * _hess
            else:
                for _i in range(_start, _stop):
                    x = np.float32(_pred[_i])
                    y = np.float32(_target[_i])
                    _w = np.float32(_weight[_i])
                    _t0 = _exp(-abs(x))
                    _t3 = (np.float32(1.0)/(_t0 + np.float32(1)))
                    _t4 = _t0*_t3
                    _t5 = (_t3 if (x <= np.float32(0)) else _t4)
                    _t6 = (_t3 if (x >= np.float32(0)) else _t4)
                    _hess = _t5*_t6
                    _hess_out[_i] = _scale * _w * _hess
            _chunk_outside_domain, _chunk_outside_range = _chunk_checks(_pred, _target, _start, _stop)
            _domain[_c] = _chunk_outside_domain
            _outside[_c] = _chunk_outside_range or (_weight.shape[0] != 0 and _outside_range(_weight, _start, _stop))
    _chunks_outside_domain = 0
    for _c in range(_chunks):
        _chunks_outside_domain += _domain[_c]
    _chunks_outside = 0
    for _c in range(_chunks):
        _chunks_outside += _outside[_c]
    return 0.0, _chunks_outside_domain, _chunks_outside
