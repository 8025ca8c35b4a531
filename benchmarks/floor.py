"""Where a float32 bce_with_logits kernel's time goes: bare single-thread loops, built up step by step.

    .venv/bin/python benchmarks/floor.py        # about 30 s; prints ns per element for each loop

Each loop reads float32 y_pred and y_true and writes float32 results over N = 1e7 elements, on one
thread (no parallel launch, no reduction), with the generated module's own ``_exp`` and ``_log1p``
(the vectorizable float64 helpers every kernel uses). The steps: a copy (the memory floor), exp
alone, exp then log1p, and bce_with_logits' loss and gradient written as the generated kernel
computes them; then the generated ``loss_and_grad`` kernel itself on one thread (Numba's thread
count set to 1), which adds the weights, the scale and the deterministic sum. Comparing the lines
separates the arithmetic from the kernel's bookkeeping; comparing them with JAX's float32 time
(``bench.py``) shows how much of a 2x margin the float64 arithmetic leaves.
Implementations are interleaved round by round and medians reported, as in ``bench.py``.
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


def loops():
    """The bare loops, jitted with the same options as the generated kernels (serial)."""
    import numba

    import lossgen

    module = lossgen.kernel("bce_with_logits", "numba").module
    exp, log1p = module._exp, module._log1p
    jit = numba.njit(error_model="numpy")

    @jit
    def copy(pred, target, out, loss):
        for i in range(pred.shape[0]):
            out[i] = pred[i] + target[i]
            loss[i] = pred[i]

    @jit
    def exp_only(pred, target, out, loss):
        for i in range(pred.shape[0]):
            out[i] = exp(-abs(np.float64(pred[i])))

    @jit
    def exp_log1p(pred, target, out, loss):
        for i in range(pred.shape[0]):
            out[i] = log1p(exp(-abs(np.float64(pred[i]))))

    @jit
    def bce_loss_and_grad(pred, target, out, loss):
        for i in range(pred.shape[0]):
            x = np.float64(pred[i])
            y = np.float64(target[i])
            e = exp(-abs(x))
            softplus = log1p(e)
            inverse = 1 / (e + 1)
            small = e * inverse
            loss[i] = (1 - y) * (softplus + max(0, x)) + y * (softplus + max(0, -x))
            out[i] = (1 - y) * (inverse if x >= 0 else small) - (inverse if x <= 0 else small) * y

    def kernel(pred, target, out, loss):
        module.loss_and_grad(pred, target, None, 1.0, out)

    return {
        "copy": copy,
        "exp": exp_only,
        "exp + log1p": exp_log1p,
        "bce loss + grad": bce_loss_and_grad,
        "the kernel": kernel,
    }


def main() -> None:
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


if __name__ == "__main__":
    main()
