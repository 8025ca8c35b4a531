"""The benchmark's own logic: which losses the bandwidth target covers, and one bandwidth case."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import bench  # noqa: E402
import divider  # noqa: E402
import floor  # noqa: E402
from conftest import ELEMENTWISE  # noqa: E402

import lossgen  # noqa: E402


def test_bandwidth_target_covers_the_arithmetic_only_losses():
    covered = bench.bandwidth_losses()
    assert set(covered) <= set(ELEMENTWISE)
    # arithmetic, |x|, branches and square roots
    assert {"huber", "mse", "mae", "pinball", "smooth_l1", "pseudo_huber"} <= set(covered)
    # an exp, a log or a log1p per element: bound by arithmetic, not by memory
    assert not {"bce_with_logits", "log_cosh", "cauchy", "gaussian_nll", "welsch"} & set(covered)


def test_bandwidth_case_reports_lossgen_and_triad():
    result = bench.run_bandwidth_case("huber", 4096, np.float32, 2, np.random.default_rng(0))
    assert result["loss"] == "huber" and result["dtype"] == "float32"
    for name in ("lossgen", "f32 arithmetic"):
        assert result[name]["median_ms"] > 0 and result[name]["pct_triad"] > 0
    assert "f32 arithmetic" in bench.format_bandwidth_table([result])


def test_divider_floor_times_every_loop_against_the_triad():
    result = divider.measure(n=4096, rounds=2)
    assert "triad" in result and "pseudo_huber loss_and_grad kernel" in result and len(result) == 6
    assert all(r["median_ms"] > 0 and r["pct_triad"] > 0 for r in result.values())


def test_float64_floor_computes_the_kernels_gradient():
    """floor.py --in-cache's "float64 arithmetic alone" is the kernel's arithmetic: the gradient it
    writes is bit for bit the generated loss_and_grad's (sum reduction: scale 1, no weights), on
    float32 inputs over several chunks, so the floor it measures is that of the same work."""
    pred, target = bench.make_case("bce_with_logits", 5000, np.float32, None, np.random.default_rng(3))
    pred[:4] = [0.0, -0.0, 30.0, -90.0]
    out = np.empty_like(pred)
    floor.arithmetic_alone(pred, target, out)()
    _, expected = lossgen.kernel("bce_with_logits", "numba").loss_and_grad(pred, target, reduction="sum")
    np.testing.assert_array_equal(out, expected)
