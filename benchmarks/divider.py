"""What float64 square roots and divisions cost on float32 data: the floor under pseudo_huber.

    .venv/bin/python benchmarks/divider.py        # a few seconds; ms and % of the triad per loop

pseudo_huber's kernels compute, per element, r = ŷ − y, S = √(δ² + r²), the gradient δr/S and the
loss δr²/(δ + S): one square root and two divisions, in float64 for float32 data by default. Both
run on the divider, which takes many cycles per 512-bit vector (more on Intel than on AMD), so
the bandwidth target (60% of the triad) is bound by it rather than by memory. This script
measures parallel loops over the same float32 arrays at N = 1e7 that read y_pred and y_true and
write one float32 array (the traffic of the triad it is compared with): the same arithmetic
without its square root and divisions, the gradient alone (one root and one division: no
kernel for this loss can do less), the gradient and the loss (pseudo_huber's arithmetic), the
same in float32 arithmetic, and the generated ``loss_and_grad`` kernel itself (which also writes
the gradient and sums the loss). Implementations are interleaved round by round; the % of the
triad is the median of per-round ratios, as in ``bench.py``.
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]


def loops(pred) -> dict:
    """The loops, each taking (y_pred, y_true, out, delta); parallel, as the kernels are. The triad
    is bench.py's, over arrays of ``pred``'s size, so that its percentages are the tables'."""
    from bench import triad_impl
    from numba import njit, prange

    import lossgen

    jit = njit(parallel=True, error_model="numpy")

    @jit
    def arithmetic_only(pred, target, out, delta):
        for i in prange(pred.shape[0]):
            r = np.float64(pred[i]) - np.float64(target[i])
            s = delta * delta + r * r
            out[i] = delta * r * s + delta * r * r * (s + delta)

    @jit
    def gradient(pred, target, out, delta):
        for i in prange(pred.shape[0]):
            r = np.float64(pred[i]) - np.float64(target[i])
            out[i] = delta * r / math.sqrt(delta * delta + r * r)

    @jit
    def gradient_and_loss(pred, target, out, delta):
        for i in prange(pred.shape[0]):
            r = np.float64(pred[i]) - np.float64(target[i])
            s = math.sqrt(delta * delta + r * r)
            out[i] = delta * r / s + delta * r * r / (s + delta)

    @jit
    def gradient_and_loss_float32(pred, target, out, delta):
        d = np.float32(delta)
        for i in prange(pred.shape[0]):
            r = pred[i] - target[i]
            s = math.sqrt(d * d + r * r)
            out[i] = d * r / s + d * r * r / (s + d)

    module = lossgen.kernel("pseudo_huber", "numba").module

    def kernel(pred, target, out, delta):
        module.loss_and_grad(pred, target, np.empty(0, pred.dtype), delta, 1.0 / pred.shape[0], out)

    triad = triad_impl(pred)
    return {
        "triad": lambda pred, target, out, delta: triad(),
        "float64, no root or division": arithmetic_only,
        "float64, 1 root + 1 division (gradient)": gradient,
        "float64, 1 root + 2 divisions (gradient + loss)": gradient_and_loss,
        "float32, 1 root + 2 divisions": gradient_and_loss_float32,
        "pseudo_huber loss_and_grad kernel": kernel,
    }


def measure(n: int = 10**7, rounds: int = 21) -> dict[str, dict[str, float]]:
    """Median ms and median per-round % of the triad of each loop, on n float32 elements."""
    rng = np.random.default_rng(0)
    pred, target = rng.normal(size=n).astype(np.float32), rng.normal(size=n).astype(np.float32)
    out = np.empty_like(pred)
    functions = loops(pred)
    for function in functions.values():
        function(pred, target, out, 1.0)
    times: dict[str, list[float]] = {name: [] for name in functions}
    for round_ in range(rounds):
        order = list(functions.items())
        for name, function in order if round_ % 2 else reversed(order):
            start = time.perf_counter()
            function(pred, target, out, 1.0)
            times[name].append(time.perf_counter() - start)
    triad = times["triad"]
    return {
        name: {
            "median_ms": statistics.median(t) * 1e3,
            "pct_triad": 100 * statistics.median(a / b for a, b in zip(triad, t)),
        }
        for name, t in times.items()
    }


def _processor() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        lines = []
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return names[0] if names else "unknown processor"


def main() -> None:
    print(f"N = 1e7 float32 elements, parallel loops, {_processor()}")
    for name, result in measure().items():
        print(f"{name:>48}: {result['median_ms']:6.2f} ms, {result['pct_triad']:5.1f}% of the triad")


if __name__ == "__main__":
    main()
