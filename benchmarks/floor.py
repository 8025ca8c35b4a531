"""Where a float32 bce_with_logits kernel's time goes: bare single-thread loops, built up step by step.

    .venv/bin/python benchmarks/floor.py        # about 10 s; ns per element for each loop, then accuracy

Each loop reads float32 y_pred and y_true and writes float32 results over N = 1e7 elements, on one
thread (no parallel launch, no reduction), with the generated module's own ``_exp`` and ``_log1p``
(the vectorizable float64 helpers every kernel uses), compiled with 512-bit vectors as the
kernels' exp/log loops are (the module's ``_prefer_wide_vectors``). The steps: a copy (the memory floor), exp
alone, exp then log1p, and bce_with_logits' loss and gradient written as the generated kernel
computes them; then the generated ``loss_and_grad`` kernel itself on one thread (Numba's thread
count set to 1), which adds the weights, the scale and the deterministic sum. Comparing the lines
separates the arithmetic from the kernel's bookkeeping; comparing them with JAX's float32 time
(``bench.py``) shows how much of a 2x margin the float64 arithmetic leaves.
Implementations are interleaved round by round and medians reported, as in ``bench.py``.

The last line is the same loss and gradient computed in float32 arithmetic (16 lanes per AVX-512
register instead of 8), with float32 exp and log1p written here the way the generated float64 ones
are (degree-7 and degree-9 polynomials, enough for float32; finite inputs only: a measurement, not
the ``arithmetic="input"`` kernels, which also handle special values and check their range). Its
accuracy on the bce_with_logits stress grid of ``lossgen accuracy`` is printed too, against
mpmath, with the test suite's float32 criterion (``lossgen.reference.check_accuracy``), to show
what that speed costs.

``--in-cache`` measures the case the performance issue's N = 1e6 target is about instead: N = 1e6
float32 (12 MB, in L3), all of Numba's threads, each sample a burst of calls as in ``bench.py``,
interleaved round by round with PyTorch and JAX. Beside the generated kernel it times the float64
arithmetic alone: the same loss and gradient in a parallel loop over the kernel's chunks, with the
kernel's helpers and vector width, but without the loss sum, the scale, the weights and the range
checks. That loop is the least any kernel computing float32 inputs in float64 (the default
accuracy contract: the float64 value rounded once) can take with these helpers; the faster of
PyTorch and JAX over it bounds the ratio the default kernels can reach.

    .venv/bin/python benchmarks/floor.py --in-cache   # about 1 min
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

N = 10**7
ROUNDS = 9


def float32_arithmetic(wide):
    """bce_with_logits' loss and gradient in float32 arithmetic (``wide``: the generated modules'
    _prefer_wide_vectors)."""
    import math

    import numba
    from llvmlite import ir as llvm_ir
    from numba import types
    from numba.extending import intrinsic

    @intrinsic
    def bits_to_float(typingctx, value):
        return types.float32(types.int32), lambda context, builder, sig, args: builder.bitcast(
            args[0], llvm_ir.FloatType()
        )

    @intrinsic
    def float_to_bits(typingctx, value):
        return types.int32(types.float32), lambda context, builder, sig, args: builder.bitcast(
            args[0], llvm_ir.IntType(32)
        )

    # Every constant is a float32 (or int32) global: a Python literal is a float64 (int64) to Numba
    # and would promote the whole expression.
    f, i = np.float32, np.int32
    one, half, two, zero = f(1.0), f(0.5), f(2.0), f(0.0)
    log2e, ln2_hi, ln2_lo, sqrt2 = f(1.4426950408889634), f(0.693145751953125), f(1.428606765330187e-06), f(2**0.5)
    e0, e1, e2, e3, e4, e5, e6, e7 = (f(1.0 / math.factorial(k)) for k in range(8))
    t3, t5, t7, t9 = f(1 / 3), f(1 / 5), f(1 / 7), f(1 / 9)
    low, high, i1, i23, i127 = f(-104.0), f(89.0), i(1), i(23), i(127)
    jit = numba.njit(error_model="numpy", fastmath={"contract"})

    @jit
    def exp32(x):
        xc = min(max(x, low), high)
        n = np.floor(xc * log2e + half)  # not math.floor: that returns an int64
        r = (xc - n * ln2_hi) - n * ln2_lo
        p = ((((((e7 * r + e6) * r + e5) * r + e4) * r + e3) * r + e2) * r + e1) * r + e0
        k = i(n)
        k1 = k >> i1
        result = p * bits_to_float((k1 + i127) << i23) * bits_to_float((k - k1 + i127) << i23)
        return zero if x < f(-103.97) else result

    @jit
    def log1p32(u):
        w = one + u
        c = (one - (w - u)) if u >= one else (u - (w - one))
        bits = float_to_bits(w)
        e = ((bits >> i23) & i(0xFF)) - i127
        m = bits_to_float((bits & i(0x007FFFFF)) | i(0x3F800000))
        big = m > sqrt2
        m = half * m if big else m
        e = e + i1 if big else e
        g = m - one
        s = g / (two + g)
        s2 = s * s
        t = ((t9 * s2 + t7) * s2 + t5) * s2 + t3
        ef = f(e)
        return ef * ln2_hi + ((two * s + two * s * (s2 * t) + ef * ln2_lo) + c / w)

    @jit
    def loss_and_grad(pred, target, out, loss):
        wide()
        for k in range(pred.shape[0]):
            x = pred[k]
            y = target[k]
            e = exp32(-abs(x))
            softplus = log1p32(e)
            inverse = one / (e + one)
            small = e * inverse
            loss[k] = (one - y) * (softplus + max(zero, x)) + y * (softplus + max(zero, -x))
            out[k] = (one - y) * (inverse if x >= zero else small) - (inverse if x <= zero else small) * y

    return loss_and_grad


def float32_accuracy(loss_and_grad) -> None:
    """Errors of the float32-arithmetic loop and of the generated kernels (float64 arithmetic) on
    the accuracy command's bce_with_logits grid, against mpmath."""
    import lossgen
    from lossgen.catalog import Project
    from lossgen.derive import derive
    from lossgen.reference import check_accuracy, mp_values, stress_points, ulp_error

    derivation = derive(Project().load("bce_with_logits"))
    grid = stress_points(derivation, np.float32)
    pred = np.concatenate([grid[kind][0] for kind in grid]).astype(np.float32)
    target = np.concatenate([grid[kind][1] for kind in grid]).astype(np.float32)
    float32_values = {"grad": np.empty_like(pred), "loss": np.empty_like(pred)}
    loss_and_grad(pred, target, float32_values["grad"], float32_values["loss"])
    kernel = lossgen.kernel("bce_with_logits", "numba")
    float64_values = {
        "grad": kernel.grad(pred, target, reduction="none"),
        "loss": kernel.loss(pred, target, reduction="none"),
    }
    print(f"bce_with_logits on the accuracy grid ({pred.size} float32 points) against mpmath: max error,")
    print("and points failing the tests' float32 criterion (1 ulp, or within what input rounding causes)")
    for arithmetic, computed in (("float32", float32_values), ("float64 (kernel)", float64_values)):
        for quantity, values in computed.items():
            errors = ulp_error(values, mp_values(derivation, quantity, pred, target, {}, None), np.float32)
            failures = check_accuracy(derivation, quantity, pred, target, values, np.float32, ulps=1.0)
            print(f"{arithmetic:>16} {quantity}: max {np.nanmax(errors):.3g} ulps, {len(failures)} failing")


def bce_element(exp, log1p):
    """bce_with_logits' loss and gradient at one element, in float64 with the given exp and log1p,
    written as the generated kernel computes them (inlined into the loops that call it)."""
    import numba

    @numba.njit(error_model="numpy", inline="always")
    def element(p, t):
        x = np.float64(p)
        y = np.float64(t)
        e = exp(-abs(x))
        softplus = log1p(e)
        inverse = 1 / (e + 1)
        small = e * inverse
        loss = (1 - y) * (softplus + max(0, x)) + y * (softplus + max(0, -x))
        return loss, (1 - y) * (inverse if x >= 0 else small) - (inverse if x <= 0 else small) * y

    return element


def loops():
    """The bare loops, jitted with the same options as the generated kernels (serial)."""
    import numba

    import lossgen

    module = lossgen.kernel("bce_with_logits", "numba").module
    exp, log1p, wide = module._exp, module._log1p, module._prefer_wide_vectors
    jit = numba.njit(error_model="numpy")

    @jit
    def copy(pred, target, out, loss):
        wide()
        for i in range(pred.shape[0]):
            out[i] = pred[i] + target[i]
            loss[i] = pred[i]

    @jit
    def exp_only(pred, target, out, loss):
        wide()
        for i in range(pred.shape[0]):
            out[i] = exp(-abs(np.float64(pred[i])))

    @jit
    def exp_log1p(pred, target, out, loss):
        wide()
        for i in range(pred.shape[0]):
            out[i] = log1p(exp(-abs(np.float64(pred[i]))))

    element = bce_element(exp, log1p)

    @jit
    def bce_loss_and_grad(pred, target, out, loss):
        wide()
        for i in range(pred.shape[0]):
            loss[i], out[i] = element(pred[i], target[i])

    def kernel(pred, target, out, loss):
        module.loss_and_grad(pred, target, np.empty(0, pred.dtype), 1.0, out)  # empty: no weights

    return {
        "copy": copy,
        "exp": exp_only,
        "exp + log1p": exp_log1p,
        "bce loss + grad": bce_loss_and_grad,
        "the kernel": kernel,
        "f32 arithmetic": float32_arithmetic(wide),
    }


def arithmetic_alone(pred, target, out):
    """A parallel loop of bce_with_logits' loss and gradient in float64 over the kernel's chunks,
    with the generated module's helpers: the generated ``loss_and_grad`` without the loss sum, the
    scale, the weights and the range checks (losses are stored to a float32 buffer per chunk, as
    the kernel stores them)."""
    import numba

    import lossgen

    module = lossgen.kernel("bce_with_logits", "numba").module
    element, wide, chunk = bce_element(module._exp, module._log1p_unit), module._prefer_wide_vectors, module.CHUNK

    @numba.njit(error_model="numpy", parallel=module.PARALLEL)
    def loop(pred, target, out, sink):
        n = pred.shape[0]
        for c in numba.prange((n + chunk - 1) // chunk):
            wide()
            losses = np.empty(chunk, pred.dtype)
            start = np.uint64(c * chunk)
            for i in range(start, np.uint64(min(n, c * chunk + chunk))):
                losses[i - start], out[i] = element(pred[i], target[i])
            sink[c] = losses[0]  # the buffer is read, so its stores stay

    sink = np.empty((pred.shape[0] + chunk - 1) // chunk, pred.dtype)
    return lambda: loop(pred, target, out, sink)


def in_cache(rounds: int = 15) -> None:
    """N = 1e6 float32 on all threads against PyTorch and JAX: the kernels and the float64
    arithmetic alone (see the module docstring)."""
    import bench

    bench.start_numba_threads()
    n = bench.IN_CACHE_N
    pred, target = bench.make_case("bce_with_logits", n, np.float32, None, np.random.default_rng(0))
    out = np.empty_like(pred)
    impls = {
        "the kernel (out=)": bench.lossgen_impl("bce_with_logits", "numba", pred, target, True),
        "float64 arithmetic alone": arithmetic_alone(pred, target, out),
        "f32 arithmetic kernel (out=)": bench.lossgen_impl("bce_with_logits", "numba", pred, target, True, "input"),
        "torch": bench.torch_impl("bce_with_logits", pred, target),
        "jax": bench.jax_impl("bce_with_logits", pred, target),
    }
    for run in impls.values():
        run()
        run()
    times = {name: [] for name in impls}
    for _ in range(rounds):
        for name, run in impls.items():
            run()
            start = time.perf_counter()
            for _ in range(bench.IN_CACHE_BURST):
                run()
            times[name].append((time.perf_counter() - start) / bench.IN_CACHE_BURST)
    fastest = [min(a, b) for a, b in zip(times["torch"], times["jax"])]
    print(f"bce_with_logits float32, N = {n:.0e}, all threads, median of {rounds} interleaved rounds")
    print(f"{'':>28}  {'ms':>6}  faster of torch, jax / this (per round)")
    for name, samples in times.items():
        ratio = statistics.median(f / s for f, s in zip(fastest, samples))
        print(f"{name:>28}  {statistics.median(samples) * 1e3:6.3f}  {ratio:.2f}")


def main() -> None:
    if "--in-cache" in sys.argv[1:]:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        in_cache()
        return
    rng = np.random.default_rng(0)
    pred = rng.normal(size=N).astype(np.float32)
    target = rng.uniform(size=N).astype(np.float32)
    out = np.empty(N, np.float32)
    loss = np.empty(N, np.float32)
    import numba

    numba.set_num_threads(1)
    functions = loops()
    for function in functions.values():
        function(pred, target, out, loss)  # compile
    times = {name: [] for name in functions}
    for _ in range(ROUNDS):
        for name, function in functions.items():
            start = time.perf_counter()
            function(pred, target, out, loss)
            times[name].append(time.perf_counter() - start)
    print(f"float32 in and out, N = {N:.0e}, one thread, median of {ROUNDS} interleaved rounds")
    for name, samples in times.items():
        print(f"{name:>16}: {statistics.median(samples) * 1e9 / N:5.2f} ns/element")
    float32_accuracy(functions["f32 arithmetic"])


if __name__ == "__main__":
    main()
