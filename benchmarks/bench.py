"""Benchmark: lossgen's loss_and_grad against PyTorch, JAX, NumPy and the memory-bandwidth ceiling.

    .venv/bin/python benchmarks/bench.py                 # full run: tables on stdout, JSON in benchmarks/results.json
    .venv/bin/python benchmarks/bench.py --quick         # fewer rounds, N = 1e6 only (a smoke test)
    .venv/bin/python benchmarks/bench.py --bandwidth     # only the bandwidth table (below)

Every case times ``loss_and_grad`` with mean reduction. Implementations are interleaved round by
round (the machine has slow phases lasting seconds), medians are reported, and each competitor's
time is also given as the median of its per-round ratio to lossgen numba. Bandwidth is computed
from the minimum traffic of a fused kernel (read y_pred and y_true, write the gradient) and
compared with a STREAM-style triad (a = b + s·c, parallel Numba) on arrays of the same size.

A second table holds the bandwidth target's cases: every element-wise loss of the catalog whose
loss and gradient need only arithmetic, |x|, branches and square roots (read off the derivation,
so a new spec of that kind is measured without a change here), at N = 1e7 in both dtypes, timed
round by round against the triad, with the per-round ratio of their bandwidths.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# -- the implementations -----------------------------------------------------------------------


def make_case(loss: str, n: int, dtype, classes: int | None, rng):
    """Inputs for one case: n elements in total (rows × classes for row-wise losses)."""
    if classes is None:
        pred = rng.normal(size=n).astype(dtype)
        target = (rng.uniform(size=n) if loss == "bce_with_logits" else rng.normal(size=n)).astype(dtype)
        return pred, target
    rows = n // classes
    pred = rng.normal(scale=2.0, size=(rows, classes)).astype(dtype)
    if loss == "sparse_softmax_cross_entropy":
        return pred, rng.integers(0, classes, size=rows)
    target = rng.dirichlet(np.ones(classes), size=rows).astype(dtype)
    return pred, target


def lossgen_impl(loss: str, backend: str, pred, target, preallocate: bool, arithmetic: str = "float64"):
    import lossgen

    k = lossgen.kernel(loss, backend, arithmetic=arithmetic)
    out = np.empty_like(pred)
    if preallocate:
        return lambda: k.loss_and_grad(pred, target, out=out)
    return lambda: k.loss_and_grad(pred, target)


def torch_impl(loss: str, pred, target):
    import torch
    import torch.nn.functional as F

    p = torch.from_numpy(pred).requires_grad_(True)
    t = torch.from_numpy(target)
    fn = {
        "huber": lambda a, b: F.huber_loss(a, b),
        "bce_with_logits": lambda a, b: F.binary_cross_entropy_with_logits(a, b),
        "softmax_cross_entropy": lambda a, b: F.cross_entropy(a, b),
        "sparse_softmax_cross_entropy": lambda a, b: F.cross_entropy(a, b),
    }[loss]

    def run():
        p.grad = None
        value = fn(p, t)
        value.backward()
        return value.item(), p.grad

    return run


def jax_impl(loss: str, pred, target):
    import jax
    import jax.numpy as jnp

    if pred.dtype == np.float64:
        jax.config.update("jax_enable_x64", True)

    def huber(p, t):
        r = jnp.abs(p - t)
        return jnp.mean(jnp.where(r <= 1.0, 0.5 * r * r, r - 0.5))

    def bce(x, y):
        return jnp.mean(jnp.maximum(x, 0) - x * y + jnp.log1p(jnp.exp(-jnp.abs(x))))

    def softmax_ce(z, p):
        return jnp.mean(-jnp.sum(p * jax.nn.log_softmax(z, axis=-1), axis=-1))

    def sparse_ce(z, y):
        logp = jax.nn.log_softmax(z, axis=-1)
        return jnp.mean(-jnp.take_along_axis(logp, y[:, None], axis=-1)[:, 0])

    fn = {
        "huber": huber,
        "bce_with_logits": bce,
        "softmax_cross_entropy": softmax_ce,
        "sparse_softmax_cross_entropy": sparse_ce,
    }[loss]
    step = jax.jit(jax.value_and_grad(fn))
    p, t = jnp.asarray(pred), jnp.asarray(target)

    def run():
        value, grad = step(p, t)
        grad.block_until_ready()
        return value, grad

    return run


def triad_impl(pred):
    """The bandwidth ceiling: a = b + s·c over arrays of y_pred's size and dtype (parallel Numba)."""
    import numba

    @numba.njit(parallel=True, fastmath=True)
    def triad(a, b, c, s):
        for i in numba.prange(a.shape[0]):
            a[i] = b[i] + s * c[i]

    b = pred.reshape(-1)
    c = np.ones_like(b)
    a = np.empty_like(b)
    triad(a, b, c, b.dtype.type(0.5))
    return lambda: triad(a, b, c, b.dtype.type(0.5))


def copy_impl(pred):
    dst = np.empty_like(pred)
    return lambda: np.copyto(dst, pred)


# -- timing ------------------------------------------------------------------------------------


def run_case(loss, n, dtype, classes, rounds, rng):
    pred, target = make_case(loss, n, dtype, classes, rng)
    # The order matters on a 2-core machine: a thread pool keeps spinning for a while after its
    # call and slows whatever parallel code runs next (measured 2026-12-03 on the AMD VM: huber
    # float32 at N = 1e7 took 8.7-8.9 ms right after a JAX call against 5.4-5.6 after anything else,
    # the triad 4.2-7.5 against 3.8-4.8). NumPy, single-threaded and slow, therefore runs right
    # after JAX, and the triad after NumPy.
    impls = {
        "lossgen numba (out=)": lossgen_impl(loss, "numba", pred, target, True),
        "lossgen numba": lossgen_impl(loss, "numba", pred, target, False),
        # float32 arithmetic (as PyTorch and JAX compute); the same kernels as above for float64
        **({INPUT_ARITHMETIC: lossgen_impl(loss, "numba", pred, target, True, "input")} if dtype == np.float32 else {}),
        "torch": torch_impl(loss, pred, target),
        "jax": jax_impl(loss, pred, target),
        "lossgen numpy": lossgen_impl(loss, "numpy", pred, target, False),
        "triad": triad_impl(pred),
        "copy": copy_impl(pred),
    }
    for fn in impls.values():  # warm up: compile, allocate, page in
        fn()
        fn()
    times = {name: [] for name in impls}
    # At the in-cache size (N = 1e6: 12 or 24 MB of inputs and gradient against a 32 MB L3), each
    # sample is a burst of back-to-back calls after an untimed one, as in a training loop: every
    # implementation is then timed with its own data in cache and its own thread pool running,
    # not with what the implementation before it left (a single call after one untimed call
    # measured 0.40 ms for huber float32 after itself and 0.50-0.54 after PyTorch or JAX; they lost
    # as much after lossgen).
    burst = IN_CACHE_BURST if n <= IN_CACHE_N else 1
    for _ in range(rounds):
        for name, fn in impls.items():
            if burst > 1:
                fn()
            start = time.perf_counter()
            for _ in range(burst):
                fn()
            times[name].append((time.perf_counter() - start) / burst)
    itemsize = np.dtype(dtype).itemsize
    target_bytes = target.size * target.itemsize
    min_bytes = pred.size * itemsize * 2 + target_bytes  # read y_pred and y_true, write the gradient
    triad_bytes = 3 * pred.size * itemsize
    base = times["lossgen numba (out=)"]
    triad_bw = triad_bytes / statistics.median(times["triad"])
    result = {"loss": loss, "n": n, "dtype": np.dtype(dtype).name, "classes": classes, "impls": {}}
    for name, samples in times.items():
        median = statistics.median(samples)
        bytes_moved = triad_bytes if name == "triad" else (2 * pred.size * itemsize if name == "copy" else min_bytes)
        result["impls"][name] = {
            "median_ms": median * 1e3,
            "gb_per_s": bytes_moved / median / 1e9,
            "pct_triad": 100 * (bytes_moved / median) / triad_bw,
            "ratio_to_lossgen": statistics.median(s / b for s, b in zip(samples, base)),
        }
        if INPUT_ARITHMETIC in times:
            fast = times[INPUT_ARITHMETIC]
            result["impls"][name]["ratio_to_input"] = statistics.median(s / b for s, b in zip(samples, fast))
    return result


#: SymPy functions a loss may use and still be bound by memory: no exp, log or other transcendental.
ARITHMETIC_FUNCTIONS = ("Abs", "Piecewise", "Max", "Min", "sign", "Heaviside")


def arithmetic_only(derivation) -> bool:
    """Whether a loss and its gradient need only arithmetic, |x|, branches and square roots: the
    element-wise losses the bandwidth target applies to. One float64 exp per element already costs
    about as much as moving the element's bytes (floor.py on the AMD VM: exp 1.02 ns per float32
    element on one thread, a copy 0.55), so the others are bound by their arithmetic."""
    import sympy as sp

    for expr in (derivation.loss, derivation.grad):
        if any(type(f).__name__ not in ARITHMETIC_FUNCTIONS for f in expr.atoms(sp.Function)):
            return False
        if any(not (2 * power.exp).is_Integer for power in expr.atoms(sp.Pow)):
            return False
    return True


def bandwidth_losses() -> list[str]:
    """The catalog's element-wise losses that are arithmetic only, over real-valued inputs."""
    from lossgen.catalog import Project
    from lossgen.derive import derive

    project = Project()
    names = []
    for name in project.names():
        spec = project.load(name)
        real = all(i.domain.name == "real" for i in (spec.prediction, spec.target, *spec.auxiliary))
        if not spec.rowwise and real and arithmetic_only(derive(spec)):
            names.append(name)
    return names


def run_bandwidth_case(loss: str, n: int, dtype, rounds: int, rng) -> dict:
    """lossgen numba loss_and_grad (mean, out=; float32 also with float32 arithmetic) against the
    triad over arrays of the same size."""
    pred = rng.normal(size=n).astype(dtype)
    target = rng.normal(size=n).astype(dtype)
    impls = {"lossgen": lossgen_impl(loss, "numba", pred, target, True)}
    if dtype == np.float32:
        impls["f32 arithmetic"] = lossgen_impl(loss, "numba", pred, target, True, "input")
    impls["triad"] = triad_impl(pred)
    for fn in impls.values():
        fn()
        fn()
    times = {name: [] for name in impls}
    for _ in range(rounds):
        for name, fn in impls.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    # Each moves the same bytes (read two arrays, write one): the ratio of bandwidths is that of times.
    moved = 3 * n * np.dtype(dtype).itemsize
    result = {"loss": loss, "n": n, "dtype": np.dtype(dtype).name, "triad_ms": statistics.median(times["triad"]) * 1e3}
    for name in impls.keys() - {"triad"}:
        result[name] = {
            "median_ms": statistics.median(times[name]) * 1e3,
            "gb_per_s": moved / statistics.median(times[name]) / 1e9,
            "pct_triad": 100 * statistics.median(s / t for t, s in zip(times[name], times["triad"])),
        }
    return result


def format_bandwidth_table(results: list[dict]) -> str:
    lines = [
        "| loss | dtype | N | lossgen numba (out=) ms | f32 arithmetic (out=) ms | triad ms | lossgen GB/s "
        "| % of triad | f32 arithmetic % of triad |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        base, fast = r["lossgen"], r.get("f32 arithmetic")
        fast_ms, fast_pct = (f"{fast['median_ms']:.3g}", f"{fast['pct_triad']:.0f}%") if fast else ("–", "–")
        lines.append(
            f"| {r['loss']} | {r['dtype']} | {r['n']:.0e} | {base['median_ms']:.3g} | {fast_ms} | {r['triad_ms']:.3g} "
            f"| {base['gb_per_s']:.1f} | {base['pct_triad']:.0f}% | {fast_pct} |"
        )
    return "\n".join(lines)


def subprocess_seconds(code: str, env: dict | None = None, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, **(env or {})}, cwd=ROOT)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def startup_figures() -> dict:
    """import time, first-call times (cold and warm Numba cache), build times."""
    baseline = subprocess_seconds("pass")
    figures = {"python_startup_s": baseline}
    figures["import_lossgen_s"] = subprocess_seconds("import lossgen") - baseline
    first_call = (
        "import time, numpy as np; t = time.perf_counter(); import lossgen; "
        "k = lossgen.kernel('huber', 'numba'); k.loss_and_grad(np.zeros(1000), np.ones(1000)); "
        "print(time.perf_counter() - t)"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        cold = subprocess.run([sys.executable, "-c", first_call], env=env, capture_output=True, text=True, cwd=ROOT)
        warm = [
            float(
                subprocess.run(
                    [sys.executable, "-c", first_call], env=env, capture_output=True, text=True, cwd=ROOT
                ).stdout
            )
            for _ in range(5)
        ]
    figures["first_call_cold_cache_s"] = float(cold.stdout)
    figures["first_call_warm_cache_s"] = statistics.median(warm)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "project"
        for folder in ("lossgen", "specs", "generated"):
            shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__", "_build"))
        cli = [sys.executable, "-m", "lossgen.cli"]
        timing = {}
        for label, args in (
            ("build_full_s", ["build", "--full"]),
            ("build_noop_s", ["build"]),
            ("build_check_s", ["build", "--check"]),
        ):
            start = time.perf_counter()
            subprocess.run(cli + args, cwd=copy, check=True, capture_output=True)
            timing[label] = time.perf_counter() - start
        figures.update(timing)
    return figures


def cpu_model() -> str:
    """The processor's name (the development VMs change between Intel and AMD machines)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def start_numba_threads() -> None:
    """Start Numba's thread pool before JAX starts its CPU client. Measured on the 2-core Intel VM
    (2026-12-02): where JAX's client came first, every parallel Numba call in the process ran
    2.2x slower (huber float32 at N = 1e6: 0.66-0.72 against 0.29-0.34 ms in a loop of calls),
    as if the OpenMP workers no longer spun between calls; the order of the two alone decides
    it. The benchmark times what a process that calls lossgen first gets."""
    import lossgen

    lossgen.kernel("huber", "numba").loss(np.zeros(2), np.zeros(2))


#: lossgen.kernel(..., arithmetic="input") with out=: float32 inputs computed in float32.
INPUT_ARITHMETIC = "lossgen numba f32 arithmetic (out=)"

#: Sizes up to this are timed with their data in cache, in bursts of calls (see run_case).
IN_CACHE_N = 10**6
IN_CACHE_BURST = 5

CASES = [
    ("huber", None),
    ("bce_with_logits", None),
    ("softmax_cross_entropy", 10),
    ("softmax_cross_entropy", 1000),
    ("sparse_softmax_cross_entropy", 10),
]


def format_table(results: list[dict]) -> str:
    names = list(dict.fromkeys(n for r in results for n in r["impls"]))
    lines = [
        "| loss | K | dtype | N | "
        + " | ".join(f"{n} ms" for n in names)
        + " | lossgen GB/s (% triad) | torch / lossgen | jax / lossgen | faster of torch, jax / f32 arithmetic |",
        "|" + "---|" * (len(names) + 8),
    ]
    for r in results:
        i = r["impls"]
        base = i["lossgen numba (out=)"]
        fast = "–"
        if INPUT_ARITHMETIC in i:
            # the per-round ratio of each competitor to the float32-arithmetic kernel, the faster competitor
            fast = f"{min(i['torch']['ratio_to_input'], i['jax']['ratio_to_input']):.2f}"
        lines.append(
            f"| {r['loss']} | {r['classes'] or '–'} | {r['dtype']} | {r['n']:.0e} | "
            + " | ".join(f"{i[n]['median_ms']:.3g}" if n in i else "–" for n in names)
            + f" | {base['gb_per_s']:.1f} ({base['pct_triad']:.0f}%)"
            + f" | {i['torch']['ratio_to_lossgen']:.2f} | {i['jax']['ratio_to_lossgen']:.2f} | {fast} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 1e6 only, 5 rounds")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", help="where to write the JSON (default: benchmarks/results.json for a full run)")
    parser.add_argument("--only", help="comma-separated loss names")
    parser.add_argument("--dtype", choices=("float32", "float64"), help="one dtype only")
    parser.add_argument("--bandwidth", action="store_true", help="only the bandwidth table of arithmetic-only losses")
    args = parser.parse_args()
    rounds = 5 if args.quick else args.rounds
    sizes = [10**6] if args.quick else [10**6, 10**7]
    rng = np.random.default_rng(0)
    start_numba_threads()
    results = []
    for loss, classes in [] if args.bandwidth else CASES:
        if args.only and loss not in args.only.split(","):
            continue
        for dtype in [np.dtype(args.dtype).type] if args.dtype else (np.float32, np.float64):
            for n in sizes:
                results.append(run_case(loss, n, dtype, classes, rounds, rng))
                print(format_table(results).splitlines()[-1], flush=True)  # the columns of all rows so far
    bandwidth = []
    if not args.quick:
        for loss in bandwidth_losses():
            if args.only and loss not in args.only.split(","):
                continue
            for dtype in [np.dtype(args.dtype).type] if args.dtype else (np.float32, np.float64):
                bandwidth.append(run_bandwidth_case(loss, 10**7, dtype, rounds, rng))
                print(format_bandwidth_table(bandwidth[-1:]).splitlines()[-1], flush=True)
    import llvmlite.binding
    import numba
    import torch

    meta = {
        "machine": platform.processor() or platform.machine(),
        "cpu_model": cpu_model(),
        "llvm_cpu": llvmlite.binding.get_host_cpu_name(),
        "cpus": os.cpu_count(),
        "numba_threads": numba.config.NUMBA_NUM_THREADS,
        "torch_threads": torch.get_num_threads(),
        "rounds": rounds,
    }
    startup = startup_figures() if not (args.quick or args.bandwidth) else {}
    print()
    if results:
        print(format_table(results))
        print()
    if bandwidth:
        print(format_bandwidth_table(bandwidth))
    print()
    for key, value in startup.items():
        print(f"{key}: {value:.3f}")
    # A partial run (--quick, --bandwidth, --only, --dtype) must not replace the full run's record.
    partial = args.quick or args.bandwidth or args.only or args.dtype
    path = args.json or (None if partial else ROOT / "benchmarks" / "results.json")
    if path:
        record = {"meta": meta, "results": results, "bandwidth": bandwidth, "startup": startup}
        Path(path).write_text(json.dumps(record, indent=2))
        print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
