"""Generated kernels vs the symbolic forms evaluated in mpmath (50 correct digits).

For every spec, backend and dtype, over a stress grid (random points, every kink and branch
switch found in the derivation and its neighbours, tiny and large magnitudes), the value,
gradient and Hessian must meet :func:`lossgen.reference.check_accuracy`: within 8 ulps in
float64 (1 ulp in float32, which is computed in float64 and rounded once), or within the error
that rounding the inputs can cause at an ill-conditioned point, or equal to the truth at inputs
moved by 2 ulps (a jump at a branch boundary). Non-finite results where the truth is finite fail.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import (
    BACKENDS,
    DTYPES,
    ELEMENTWISE,
    PROJECT,
    ROWWISE,
    derivation,
    extras,
    float32_arithmetic_kernel,
    kernel,
    non_default_params,
)

from lossgen.accuracy import HEADER, accuracy_table, torch_equivalent, torch_figures
from lossgen.reference import (
    QUANTITIES,
    RowReference,
    check_accuracy,
    check_row_accuracy,
    row_stress_points,
    stress_points,
)

ULPS = {np.float64: 8.0, np.float32: 1.0}
KINDS = ("random", "kinks", "tiny", "large")


def _evaluate(k, quantity, pred, target, params, extra):
    method = {"loss": k.loss, "grad": k.grad, "hess": k.hess}[quantity]
    return method(pred, target, reduction="none", **params, **extra)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_kernels_match_mpmath(name, backend, dtype, kind):
    d = derivation(name)
    pred, target = stress_points(d, dtype)[kind]
    extra = extras(name, pred)
    k = kernel(name, backend)
    for quantity in QUANTITIES:
        computed = _evaluate(k, quantity, pred, target, {}, extra)
        assert computed.dtype == dtype and computed.shape == pred.shape
        failures = check_accuracy(d, quantity, pred, target, computed, dtype, ulps=ULPS[dtype], extra=extra)
        assert not failures, f"{name} {quantity}: {len(failures)} point(s) off, e.g. {failures[:3]}"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_kernels_match_mpmath_with_non_default_parameters(name, backend):
    params = non_default_params(name)
    d = derivation(name)
    k = kernel(name, backend)
    grid = stress_points(d, np.float64, seed=1)
    pred = np.concatenate([grid[kind][0] for kind in KINDS])
    target = np.concatenate([grid[kind][1] for kind in KINDS])
    extra = extras(name, pred, seed=1)
    for quantity in QUANTITIES:
        computed = _evaluate(k, quantity, pred, target, params, extra)
        failures = check_accuracy(d, quantity, pred, target, computed, np.float64, params=params, extra=extra)
        assert not failures, f"{name} {quantity} {params}: {failures[:3]}"


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_stress_grid_covers_every_kink(name):
    """The grid really contains the kinks (a spec with kinks must not be tested only off them)."""
    from lossgen.reference import kink_points

    d = derivation(name)
    grid = stress_points(d, np.float64)
    kinks = kink_points(d, float(grid["kinks"][1][0]))
    for b in kinks:
        assert np.any(grid["kinks"][0] == np.float64(b)), f"kink {b} missing from the grid"
    finite = all(np.isfinite(grid[kind][0]).all() for kind in KINDS)
    assert finite


ROW_KINDS = ("random", "large", "ties", "tiny")


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ROWWISE)
def test_rowwise_kernels_match_mpmath(name, backend, dtype):
    """Row-wise losses: per-row loss and per-class gradient and Hessian vs mpmath, row by row.

    Rows of K = 2, 3, 7 with random logits, logits up to ±1e4, ties, tiny values; targets with
    exact zeros and 1e-300 entries (or class indices). Criterion: :func:`check_row_accuracy`.
    """
    d = derivation(name)
    reference = RowReference(d)
    k = kernel(name, backend)
    problems = []
    for kind in ROW_KINDS:
        for z, target in zip(*row_stress_points(d, dtype)[kind]):
            computed = {
                "loss": k.loss(z, target, reduction="none"),
                "grad": k.grad(z, target, reduction="sum"),
                "hess": k.hess(z, target, reduction="sum"),
            }
            for q in QUANTITIES:
                assert np.asarray(computed[q]).dtype == dtype
            problems += check_row_accuracy(d, z, target, computed, dtype, ulps=ULPS[dtype], reference=reference)
    assert not problems, f"{len(problems)} problem(s): {problems[:3]}"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ROWWISE)
def test_rowwise_kernels_match_mpmath_with_non_default_parameters(name, backend):
    params = non_default_params(name)
    d = derivation(name)
    reference = RowReference(d, params)
    k = kernel(name, backend)
    problems = []
    for z, target in zip(*row_stress_points(d, np.float64, seed=1)["random"]):
        computed = {
            "loss": k.loss(z, target, reduction="none", **params),
            "grad": k.grad(z, target, reduction="sum", **params),
            "hess": k.hess(z, target, reduction="sum", **params),
        }
        problems += check_row_accuracy(d, z, target, computed, params=params, reference=reference)
    assert not problems, problems[:3]


# -- the vectorizable exp, log and log1p inside every generated Numba module ------------------

#: Bounds stated in the generated code (util.jinja), in ulps of the correctly rounded result, for
#: the float64 helpers and the float32 ones of the float32-arithmetic modules (measured worst
#: cases: 0.80, 1.65 and 2.19 in float64; 0.85, 1.88 and 2.29 in float32).
HELPER_ULPS = {"_exp": 1.0, "_expm1": 2.0, "_log": 2.0, "_log1p": 2.5, "_log1p_unit": 2.5}


#: Per dtype: exp's finite-result range, the magnitude exponents of positive normal-and-subnormal
#: values, how close to 1 (or -1) the near-one points come, and the special points of its range.
_HELPER_RANGES = {
    np.float64: dict(exp=(-746, 710), decades=(-323, 308), near=-16, tiny=(5e-324, 2.2250738585072014e-308),
                     exp_edges=[709.782712893384, 709.7827128933841, -745.1332191019411, -745.1332191019412,
                                -708.4, -740.0],
                     log1p_edges=[-1 + 2**-52, 1e-300, -1e-300],
                     expm1=(-50, 710), expm1_edges=[-40.0, -38.0, 0.34657359027997264, -0.34657359027997264]),
    np.float32: dict(exp=(-104, 89), decades=(-45, 38), near=-7, tiny=(1e-45, 1.1754944e-38),
                     exp_edges=[88.72283, 88.72284, -103.97207, -103.97209, -87.5, -100.0],
                     log1p_edges=[-1 + 2**-24, 1e-40, -1e-40],
                     expm1=(-25, 89), expm1_edges=[-18.0, -17.0, 0.34657359, -0.34657359]),
}  # fmt: skip


def _helper_points(helper: str, rng, dtype=np.float64) -> np.ndarray:
    r = _HELPER_RANGES[dtype]
    low, high = r["decades"]
    special = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, *r["tiny"]]
    if helper == "_exp":
        depth = -20 if dtype == np.float64 else -10
        points = [rng.uniform(*r["exp"], 20_000), rng.uniform(-1, 1, 2000) * 10.0 ** rng.uniform(depth, 0, 2000)]
        special += r["exp_edges"]
    elif helper == "_expm1":
        # the exp range (the top edges are exp's too), small arguments at every scale, and both
        # sides of the reduction's switch at ±ln(2)/2
        depth = r["decades"][0]
        small = rng.uniform(-1, 1, 4000) * 10.0 ** rng.uniform(depth, 0, 4000)
        points = [rng.uniform(*r["expm1"], 20_000), small, rng.uniform(-0.4, 0.4, 4000)]
        special += r["exp_edges"][:2] + r["expm1_edges"]
    elif helper == "_log":
        near_one = 1 + rng.uniform(-1, 1, 2000) * 10.0 ** rng.uniform(r["near"], -1, 2000)
        points = [10.0 ** rng.uniform(low, high, 20_000), near_one]
    elif helper == "_log1p_unit":  # its domain, [0, 1] and NaN: uniform, every scale, and near 1
        points = [
            rng.uniform(0, 1, 10_000),
            10.0 ** rng.uniform(low, 0, 10_000),
            1 - 10.0 ** rng.uniform(r["near"], 0, 2000),
        ]
        special = [0.0, -0.0, np.nan, 1.0, *r["tiny"], r["log1p_edges"][1]]
    else:
        points = [
            10.0 ** rng.uniform(low if dtype == np.float32 else -320, high, 10_000) * rng.choice([-1, 1], 10_000),
            -1 + 10.0 ** rng.uniform(r["near"], 0, 2000),
        ]
        special += r["log1p_edges"]
    values = np.concatenate(points + [np.array(special)]).astype(dtype)
    lowest = {"_log": 0.0, "_log1p": -1.0}.get(helper, -np.inf)  # the domain (exp: negative arguments too)
    values = values[~(values < lowest)]
    return values[~(values > 1.0)] if helper == "_log1p_unit" else values


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("helper", sorted(HELPER_ULPS))
def test_vectorized_math_helpers_match_mpmath(helper, dtype):
    """The generated exp/expm1/log/log1p meet their stated ulp bounds over the whole range of their dtype
    (float32: the helpers of the float32-arithmetic modules); log1p_unit over its domain, [0, 1]."""
    import mpmath
    import numba

    # every Numba module of a kind carries the same helpers
    if dtype == np.float32:
        module = float32_arithmetic_kernel("bce_with_logits")._impl.float32_module
    else:
        module = kernel("bce_with_logits", "numba").module
    function = getattr(module, helper)

    @numba.njit
    def apply(values, out):
        for i in range(values.size):
            out[i] = function(values[i])

    rng = np.random.default_rng(3)
    x = _helper_points(helper, rng, dtype)
    computed = np.empty_like(x)
    apply(x, computed)
    truth_of = {"_exp": mpmath.exp, "_expm1": mpmath.expm1, "_log": mpmath.log, "_log1p": mpmath.log1p}
    truth_of = {**truth_of, "_log1p_unit": mpmath.log1p}[helper]
    with mpmath.workdps(50):
        for value, got in zip(x, computed):
            if np.isnan(value):
                assert np.isnan(got)
                continue
            if helper == "_log" and value == 0 or helper == "_log1p" and value == -1:
                assert got == -np.inf
                continue
            if np.isinf(value):
                at_infinity = {"_exp": np.inf if value > 0 else 0.0, "_expm1": np.inf if value > 0 else -1.0}
                assert got == at_infinity.get(helper, np.inf), (value, got)
                continue
            truth = truth_of(mpmath.mpf(float(value)))
            with np.errstate(over="ignore"):
                rounded = dtype(float(truth))
            if np.isinf(rounded):
                assert got == rounded, (value, got)
                continue
            ulp = np.spacing(abs(rounded)) if rounded else np.spacing(dtype(0))
            ulps = float(abs(mpmath.mpf(float(got)) - truth)) / float(ulp)
            assert ulps <= HELPER_ULPS[helper], (helper, value, got, rounded, ulps)


TORCH_COMPARED = [n for n in ELEMENTWISE + ROWWISE if torch_equivalent(PROJECT.load(n)) is not None]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", TORCH_COMPARED)
def test_accuracy_command_compares_pytorch_on_the_stress_grid(name, dtype):
    """The PyTorch columns of ``lossgen accuracy``: PyTorch called as the spec's equivalent says (flags
    as bools, over predictions inside their domain) on the float64 and the float32 grid, computing
    in that dtype, an error per quantity (which may be infinite: PyTorch overflows where lossgen
    does not)."""
    pytest.importorskip("torch")
    d = derivation(name)
    if d.spec.rowwise:
        preds, targets = row_stress_points(d, dtype)["random"]
        inputs = list(zip(preds[:3], targets[:3]))
    else:
        grid = stress_points(d, dtype)
        inputs = tuple(np.concatenate([g[i] for g in grid.values()]) for i in (0, 1))
    figures = torch_figures(d, inputs)
    assert set(figures) == {"loss", "grad"}
    for figure in figures.values():
        assert figure.conditioned >= 0 and figure.overall >= figure.conditioned


@pytest.mark.parametrize("name", ["bce_with_logits", "softmax_cross_entropy"])
def test_accuracy_command_reports_float32_arithmetic(name):
    """``lossgen accuracy``'s float32-arithmetic column measures the float32-arithmetic kernels: the
    default kernels round a float64 value once (≤ 0.5 ulp at well-conditioned points), float32
    arithmetic does not, and neither fails its criterion. One element-wise and one row-wise spec."""
    pytest.importorskip("torch")
    rows, failures = accuracy_table([name])
    assert failures == 0
    assert [row[1] for row in rows] == list(QUANTITIES)
    cells = {row[1]: dict(zip(HEADER, row)) for row in rows}
    conditioned = {q: {column: cell.split()[0] for column, cell in cells[q].items()} for q in QUANTITIES}
    for q in QUANTITIES:
        assert float(conditioned[q]["f32 numba"]) <= 0.5
    assert max(float(conditioned[q]["f32 numba, f32 arithmetic"]) for q in QUANTITIES) > 0.5
    for q in ("loss", "grad"):
        assert float(conditioned[q]["PyTorch f32"]) >= 0
