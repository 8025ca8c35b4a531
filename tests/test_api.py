"""The kernel API: reductions, weights, broadcasting, one-pass consistency and bad calls."""

from __future__ import annotations

import platform
import re

import numba
import numpy as np
import pytest
from conftest import (
    BACKENDS,
    ELEMENTWISE,
    NAMES,
    PROJECT,
    ROWWISE,
    extras,
    float32_arithmetic_kernel,
    kernel,
    loss_shape,
    non_default_params,
    sample_inputs,
)

import lossgen
from lossgen.errors import UnknownLossError


def _elementwise(name, pred, target, params):
    """Unweighted per-element loss, gradient and Hessian from the NumPy backend in float64."""
    k = kernel(name, "numpy")
    return (
        k.loss(pred, target, reduction="none", **params),
        k.grad(pred, target, reduction="none", **params),
        k.hess(pred, target, reduction="none", **params),
    )


def _params_and_extras(name, pred, params=None):
    return {**(params or {}), **extras(name, pred)}


def test_catalog_names_are_sorted_and_complete():
    assert lossgen.names() == sorted(p.stem for p in PROJECT.specs.glob("*.toml"))
    assert {"mse", "mae", "huber", "smooth_l1", "pseudo_huber", "log_cosh", "pinball", "bce_with_logits"} <= set(
        lossgen.names()
    )


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", NAMES)
def test_reductions_and_weights(name, backend, reduction, weighted):
    pred, target = sample_inputs(name, n=10_000, seed=11)  # several parallel chunks
    params = _params_and_extras(name, pred, non_default_params(name))
    shape = loss_shape(name, pred)
    weight = np.random.default_rng(2).uniform(0.1, 3.0, size=shape) if weighted else None
    w = np.ones(shape) if weight is None else weight
    w_per_output = w[..., None] if PROJECT.load(name).rowwise else w  # row weights over the classes
    loss_e, grad_e, hess_e = _elementwise(name, pred, target, params)
    scale = {"mean": 1.0 / w.sum(), "sum": 1.0, "none": 1.0}[reduction]
    k = kernel(name, backend)

    loss = k.loss(pred, target, reduction=reduction, weight=weight, **params)
    grad = k.grad(pred, target, reduction=reduction, weight=weight, **params)
    hess = k.hess(pred, target, reduction=reduction, weight=weight, **params)
    both = k.loss_and_grad(pred, target, reduction=reduction, weight=weight, **params)

    def close(actual, desired):
        # The backends use different exp/log1p implementations: a last-ulp difference, which
        # is large in relative terms only where a value cancels to near 0 (a Jensen-Shannon
        # gradient where q ≈ p: a few ulps of the largest gradient in absolute terms).
        np.testing.assert_allclose(actual, desired, rtol=1e-13, atol=1e-14 * np.max(np.abs(desired), initial=0.0))

    if reduction == "none":
        close(loss, w * loss_e)
        np.testing.assert_array_equal(both[0], loss)
    else:
        expected = np.sum(w * loss_e) * scale
        assert isinstance(loss, float)
        assert loss == pytest.approx(expected, rel=1e-12)
        assert both[0] == pytest.approx(loss, rel=1e-15)
    close(grad, scale * w_per_output * grad_e)
    close(hess, scale * w_per_output * hess_e)
    np.testing.assert_array_equal(both[1], grad)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", NAMES)
def test_one_pass_in_float32(name, backend, weighted):
    """float32 ``loss_and_grad`` (the call a training loop makes, and the kernel the benchmark times):
    the gradient is exactly ``grad``'s, and the mean is within float32 rounding of each loss of the
    mean computed in float64 at the same inputs."""
    pred, target = sample_inputs(name, n=10_000, seed=12, dtype=np.float32)  # several parallel chunks
    aux = extras(name, pred)
    shape = loss_shape(name, pred)
    weight = np.random.default_rng(3).uniform(0.1, 3.0, size=shape).astype(np.float32) if weighted else None
    k = kernel(name, backend)
    out = np.full(pred.shape, np.nan, np.float32)
    value, grad = k.loss_and_grad(pred, target, weight=weight, out=out, **aux)
    assert grad is out and isinstance(value, float)
    np.testing.assert_array_equal(grad, k.grad(pred, target, weight=weight, **aux))
    # The truth from the float64 NumPy backend at the same (float32) inputs.
    losses = kernel(name, "numpy").loss(
        pred.astype(np.float64),
        target if target.dtype.kind == "i" else target.astype(np.float64),
        reduction="none",
        **{key: v.astype(np.float64) for key, v in aux.items()},
    )
    w = np.ones(shape) if weight is None else weight.astype(np.float64)
    terms = w * losses
    truth = terms.sum() / w.sum()
    # Each weighted loss is off by at most an ulp of float32 (2**-24 relative), plus float64 sums.
    assert abs(value - truth) <= 2.0**-23 * np.abs(terms).sum() / w.sum() + 1e-12 * abs(truth), (value, truth)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_dtype_follows_input_and_shapes_broadcast(name, backend):
    k = kernel(name, backend)
    pred, target = sample_inputs(name, n=12, seed=4, dtype=np.float32)
    pred = pred.reshape(3, 4)
    target_row = target.reshape(3, 4)[0]  # (4,) broadcasts to (3, 4)
    aux = {key: value[0] for key, value in extras(name, pred).items()}  # (4,) broadcasts too
    weight = np.float32(2.0)
    grad = k.grad(pred, target_row, weight=weight, **aux)
    assert grad.dtype == np.float32 and grad.shape == (3, 4)
    full = k.grad(pred, np.broadcast_to(target_row, (3, 4)).copy(), weight=np.full((3, 4), 2.0, np.float32), **aux)
    np.testing.assert_array_equal(grad, full)
    assert k.loss(pred, target_row, reduction="none", **aux).dtype == np.float32
    assert isinstance(k.loss(pred, target_row, **aux), float)
    scalar_aux = {key: np.float64(value[0]) for key, value in aux.items()}
    scalar = k.loss(np.float64(pred[0, 0]), np.float64(target_row[0]), reduction="none", **scalar_aux)
    assert scalar.shape == () and scalar.dtype == np.float64


@pytest.mark.parametrize("backend", BACKENDS)
def test_out_is_written_in_place(backend):
    k = kernel("huber", backend)
    pred, target = sample_inputs("huber", n=100)
    out = np.empty_like(pred)
    loss, grad = k.loss_and_grad(pred, target, out=out)
    assert grad is out
    np.testing.assert_array_equal(out, k.grad(pred, target))
    hess_out = np.empty_like(pred)
    assert k.hess(pred, target, out=hess_out) is hess_out
    with pytest.raises(ValueError, match="shape"):
        k.grad(pred, target, out=np.empty(99))
    with pytest.raises(ValueError, match="dtype"):
        k.grad(pred, target, out=np.empty(100, dtype=np.float32))
    with pytest.raises(ValueError, match="contiguous"):
        k.grad(pred, target, out=np.empty(200)[::2])
    with pytest.raises(TypeError, match="ndarray"):
        k.grad(pred, target, out=[0.0] * 100)


@pytest.mark.parametrize("backend", BACKENDS)
def test_empty_input_gives_nan_mean_and_zero_sum(backend):
    k = kernel("mse", backend)
    empty = np.empty(0)
    assert np.isnan(k.loss(empty, empty))
    assert k.loss(empty, empty, reduction="sum") == 0.0
    assert k.grad(empty, empty).shape == (0,)


@pytest.mark.parametrize("backend", BACKENDS)
def test_bad_calls_raise_clear_errors(backend):
    k = kernel("huber", backend)
    x = np.zeros(4)
    cases = [
        (TypeError, "floating-point", lambda: k.loss(np.arange(4), x)),
        (TypeError, "floating-point", lambda: k.loss(x, np.arange(4))),
        (TypeError, "float32 or float64", lambda: k.loss(x.astype(np.float16), x)),
        (TypeError, "floating-point", lambda: k.loss(x, x, weight=np.ones(4, dtype=int))),
        (TypeError, "floating-point", lambda: k.loss(x.astype(complex), x)),
        (ValueError, r"shape \(3,\) does not broadcast", lambda: k.loss(x, np.zeros(3))),
        (ValueError, r"shape \(2, 4\) does not broadcast", lambda: k.loss(x, np.zeros((2, 4)))),
        (ValueError, "weight of shape", lambda: k.loss(x, x, weight=np.ones(5))),
        (TypeError, "unknown parameter 'beta'", lambda: k.loss(x, x, beta=1.0)),
        (ValueError, "outside its domain", lambda: k.loss(x, x, delta=-1.0)),
        (ValueError, "outside its domain", lambda: k.loss(x, x, delta=0.0)),
        (ValueError, "outside its domain", lambda: k.loss(x, x, delta=float("nan"))),
        (TypeError, "real number", lambda: k.loss(x, x, delta="1")),
        (TypeError, "real number", lambda: k.loss(x, x, delta=True)),
        (ValueError, "unknown reduction 'avg'", lambda: k.loss(x, x, reduction="avg")),
        (ValueError, "unknown reduction", lambda: k.grad(x, x, reduction="batchmean")),
    ]
    for error, message, call in cases:
        with pytest.raises(error, match=message):
            call()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("variant", ["numpy", "numba", "numba-float32-arithmetic"])
def test_target_outside_its_domain_is_rejected(variant, dtype):
    """The NumPy backend checks a target's extremes, the Numba kernels count values outside on the
    way (DOMAIN_CHECKED): the same errors either way, in both dtypes."""
    k = (
        float32_arithmetic_kernel("bce_with_logits")
        if variant.endswith("arithmetic")
        else kernel("bce_with_logits", variant)
    )
    with pytest.raises(ValueError, match=r"y_true must lie in \[0, 1\].*y_true\[2\] = 1.5"):
        k.loss(np.zeros(3, dtype), np.array([0.0, 1.0, 1.5], dtype))
    with pytest.raises(ValueError, match=r"y_true\[1, 0\] = -0.5"):
        k.grad(np.zeros((2, 2), dtype), np.array([[0.0, 1.0], [-0.5, 0.5]], dtype))
    with pytest.raises(ValueError, match=r"1 value\(s\) do not, e.g. y_true\[1\] = inf"):
        k.loss(np.zeros(2, dtype), np.array([0.0, np.inf], dtype))
    assert np.isnan(k.loss(np.zeros(2, dtype), np.array([np.nan, 1.0], dtype)))  # NaN propagates, as in PyTorch


def _outside(domain) -> float:
    """A value outside ``domain``."""
    return domain.high + 0.5 if np.isfinite(domain.high) else domain.low - 0.5


@pytest.mark.parametrize("name", [n for n in NAMES if kernel(n, "numba").module.DOMAIN_CHECKED])
def test_numba_kernels_check_input_domains(name):
    """Every input the Numba kernels check (DOMAIN_CHECKED: each floating-point input of bounded
    domain, the prediction included) raises the error naming the value from every method, in both
    arithmetics, for a value in a later chunk; also where out= is that input (checked before the
    kernel overwrites it). A NaN there is no error."""
    k, fast = kernel(name, "numba"), float32_arithmetic_kernel(name)
    assert set(k.module.DOMAIN_CHECKED) == set(fast._impl.float32_module.DOMAIN_CHECKED)
    domains = {"y_pred": k.prediction_domain, "y_true": k.target_domain, **k.auxiliary}
    for variant, dtype in ((k, np.float64), (fast, np.float32)):
        pred, target = sample_inputs(name, n=5000 if not k.rowwise else 2000, dtype=dtype)
        extra = extras(name, pred)
        for argument in k.module.DOMAIN_CHECKED:
            inputs = {"y_pred": pred.copy(), "y_true": target.copy(), **{key: v.copy() for key, v in extra.items()}}
            index = np.unravel_index(4321, pred.shape)
            bad = _outside(domains[argument])
            inputs[argument][index] = bad
            message = rf"{argument} must lie in .*e.g. {argument}\[{', '.join(map(str, index))}\] = {bad!r}"
            y_pred, y_true, kwargs = inputs.pop("y_pred"), inputs.pop("y_true"), inputs
            for method in ("loss", "grad", "loss_and_grad", "hess"):
                for reduction in ("mean", "none"):
                    with pytest.raises(ValueError, match=message):
                        getattr(variant, method)(y_pred, y_true, reduction=reduction, **kwargs)
            aliased = {"y_pred": y_pred, "y_true": y_true, **kwargs}[argument]
            if aliased.shape == pred.shape:
                with pytest.raises(ValueError, match=message):
                    variant.grad(y_pred, y_true, out=aliased, **kwargs)
                assert aliased[index] == bad  # nothing was written
            aliased[index] = np.nan
            variant.loss(y_pred, y_true, **kwargs)  # no error (whether NaN propagates is the loss's business)


def test_unknown_backend_and_loss():
    with pytest.raises(ValueError, match="unknown backend 'jax'"):
        lossgen.kernel("mse", backend="jax")
    with pytest.raises(UnknownLossError, match="unknown loss 'nope'.*mse"):
        lossgen.kernel("nope")
    with pytest.raises(ValueError):
        lossgen.kernel("nope", backend="numpy")


@pytest.mark.parametrize("name", NAMES)
def test_numba_kernels_are_really_compiled(name):
    """Every kernel compiled in nopython mode with a parallel loop (no object-mode fallback)."""
    k = kernel(name, "numba")
    pred, target = sample_inputs(name, n=5000)
    aux = extras(name, pred)
    k.loss_and_grad(pred, target, **aux)
    k.loss(pred, target, **aux)
    k.loss(pred, target, reduction="none", **aux)
    k.hess(pred, target, **aux)
    k.grad(pred, target, **aux)
    # Row-wise: rows of 5 classes take the column kernels (test_rowwise_long_rows_agree_between_backends
    # checks the row kernels the same way), and one loss kernel serves both reductions.
    rowwise = PROJECT.load(name).rowwise
    losses = ("loss_rows",) if rowwise else ("loss_sum", "loss_elements")
    for function in (*losses, "loss_and_grad", "grad", "hess"):
        dispatcher = getattr(k.module, function + ("_columns" if rowwise else ""))
        assert isinstance(dispatcher, numba.core.registry.CPUDispatcher)
        assert dispatcher.signatures, f"{name}.{function} was never compiled"
        for signature in dispatcher.signatures:
            assert not dispatcher.overloads[signature].objectmode
        # prange alone (PARALLEL), still so after compiling (Numba would have emptied a dict).
        options = dispatcher.targetoptions["parallel"]
        assert options.enabled and options.prange, f"{name}.{function} has no parallel loop"
        assert not any(getattr(options, o) for o in ("numpy", "reduction", "fusion", "setitem", "stencil"))
        assert dispatcher.targetoptions["nopython"]


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="reads x86 assembly")
@pytest.mark.parametrize("module_kind", ["numba", "numba_float32"])
def test_row_and_chunk_reductions_are_vectorized(module_kind):
    """The sum and maximum helpers every kernel reduces with compile to packed (SIMD) instructions.
    Eight scalar accumulators, which the kernels once used to that end, compiled to scalar adds:
    nothing failed, only every reduction ran 5-8 times slower. Compiled afresh from the generated
    module's own functions and options (cached code cannot be inspected)."""
    if module_kind == "numba":
        module, ftype = kernel("softmax_cross_entropy", "numba").module, numba.float64
    else:
        module, ftype = float32_arithmetic_kernel("softmax_cross_entropy")._impl.float32_module, numba.float32
    signature = (numba.types.Array(ftype, 2, "C"), numba.int64, numba.int64, numba.int64)
    packed = {"_lane_sum": r"\bv?addpd\b", "_lane_max": r"\bv?pmaxs[dq]\b|\bv?pcmpgtq\b"}
    for helper, pattern in packed.items():
        dispatcher = getattr(module, helper)
        options = {key: value for key, value in dispatcher.targetoptions.items() if key != "nopython"}  # njit's own
        fresh = numba.njit(**options)(dispatcher.py_func)
        fresh.compile(signature)
        assembly = fresh.inspect_asm(fresh.signatures[0])
        assert re.search(pattern, assembly), f"{module_kind}.{helper} is not vectorized"
    assert module._lane_sum.targetoptions["fastmath"] == {"reassoc"}  # the one place that reorders a sum


def _fresh_compile(dispatcher, *arguments):
    """A new dispatcher compiled from ``dispatcher``'s function and options, without the cache
    (cached code cannot be inspected), for ``arguments``."""
    options = {key: value for key, value in dispatcher.targetoptions.items() if key != "nopython"}
    fresh = numba.njit(**{**options, "cache": False})(dispatcher.py_func)
    fresh(*arguments)
    return fresh


def _host_has_avx512() -> bool:
    from llvmlite import binding

    return "+avx512f" in binding.get_host_cpu_features().flatten().split(",")


def _parfor_bodies_preferring_wide_vectors(ir: str) -> list[bool]:
    """For each outlined parallel loop body in an LLVM module's text (the chunk loop's, and those
    Numba makes of np.zeros), whether its attributes prefer 512-bit vectors."""
    groups = dict(re.findall(r"^attributes (#\d+) = \{(.*)\}", ir, re.M))
    bodies = re.findall(r"^define .*parfor_gufunc.*\)([^{]*)\{", ir, re.M)
    return [any('"prefer-vector-width"="512"' in groups.get(g, "") for g in re.findall(r"#\d+", a)) for a in bodies]


def test_arithmetic_bound_loops_prefer_512_bit_vectors():
    """Loops bound by exp/log arithmetic carry LLVM's "prefer-vector-width"="512" (LLVM's tuning
    for most AVX-512 processors otherwise stays at 256 bits: bce_with_logits' float32 loss_and_grad
    took twice as long), and loops of a few operations do not (bound by memory, 512-bit vectors
    made them slower). With AVX-512, the exp/log loop's arithmetic then runs on 512-bit registers."""
    module = float32_arithmetic_kernel("bce_with_logits")._impl.float32_module
    pred = np.linspace(-3, 3, 5000, dtype=np.float32)
    target = np.linspace(0, 1, 5000, dtype=np.float32)
    none = np.empty(0, np.float32)
    fresh = _fresh_compile(module.loss_and_grad, pred, target, none, np.float32(1.0), np.empty_like(pred))
    signature = fresh.signatures[0]
    assert sum(_parfor_bodies_preferring_wide_vectors(fresh.inspect_llvm(signature))) == 1
    if platform.machine() in ("x86_64", "AMD64") and _host_has_avx512():
        assert re.search(r"\bvfn?m(add|sub)\w*ps\b.*%zmm", fresh.inspect_asm(signature))
    huber = kernel("huber", "numba").module
    plain = _fresh_compile(huber.loss_sum, pred.astype(np.float64), target.astype(np.float64), np.empty(0), 1.0)
    assert not any(_parfor_bodies_preferring_wide_vectors(plain.inspect_llvm(plain.signatures[0])))


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="reads x86 assembly")
def test_range_checks_run_32_bit_lanes():
    """The float32 kernels' range and domain checks compare 32-bit integers (Numba would widen
    integer arithmetic on int32 to 64 bits: half the lanes)."""
    module = float32_arithmetic_kernel("bce_with_logits")._impl.float32_module
    values = np.linspace(0, 1, 4096, dtype=np.float32)
    for helper, arguments in (
        ("_outside_range", (values, 0, values.size)),
        ("_chunk_checks", (values, values, np.uint64(0), np.uint64(values.size))),
    ):
        fresh = _fresh_compile(getattr(module, helper), *arguments)
        assembly = fresh.inspect_asm(fresh.signatures[0])
        assert re.search(r"\bvpmaxud\b", assembly), f"{helper}: no packed 32-bit maximum"
        assert not re.search(r"\bvpmaxuq\b", assembly), f"{helper}: 64-bit maxima"


@pytest.mark.parametrize("name", NAMES)
def test_weighted_and_unweighted_calls_share_one_compiled_signature(name):
    """The kernels take an empty weight array for "no weights": a weighted call after an unweighted one
    compiles nothing new (a signature costs 0.4-4 s of compiling)."""
    k = kernel(name, "numba")
    pred, target = sample_inputs(name, n=300, seed=4)
    aux = extras(name, pred)
    k.loss_and_grad(pred, target, **aux)
    compiled = set(k.module.loss_and_grad.signatures)
    weight = np.random.default_rng(4).uniform(0.5, 2.0, size=loss_shape(name, pred))
    k.loss_and_grad(pred, target, weight=weight, **aux)
    assert set(k.module.loss_and_grad.signatures) == compiled


@pytest.mark.parametrize("name", NAMES)
def test_numba_results_do_not_depend_on_thread_count(name):
    k = kernel(name, "numba")
    pred, target = sample_inputs(name, n=50_000, seed=9)
    aux = extras(name, pred)
    results = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        numba.set_num_threads(threads)
        try:
            loss, grad = k.loss_and_grad(pred, target, **aux)
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        results.append((loss, grad))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ROWWISE)
def test_rowwise_shapes_dtypes_and_leading_axes(name, backend):
    """Rows are the leading axes, classes the last; per-row loss and weight, per-class grad."""
    k = kernel(name, backend)
    pred, target = sample_inputs(name, n=12, seed=4, dtype=np.float32, classes=4)
    pred3 = pred.reshape(3, 4, 4)
    target3 = target.reshape(3, 4) if target.ndim == 1 else target.reshape(3, 4, 4)
    losses = k.loss(pred3, target3, reduction="none")
    assert losses.shape == (3, 4) and losses.dtype == np.float32
    grad = k.grad(pred3, target3, weight=np.float32(2.0))
    assert grad.shape == (3, 4, 4) and grad.dtype == np.float32
    np.testing.assert_allclose(grad.reshape(12, 4), k.grad(pred, target, weight=np.full(12, 2.0, np.float32)))
    with pytest.raises(ValueError, match="class axis"):
        k.loss(np.float64(1.0), target[0])
    with pytest.raises(ValueError, match="does not broadcast"):
        k.loss(pred, target[:5])
    with pytest.raises(ValueError, match="weight of shape"):
        k.loss(pred, target, weight=np.ones(pred.shape))  # weights are per row, not per class


@pytest.mark.parametrize("classes", [8, 37, 1000])
@pytest.mark.parametrize("name", ROWWISE)
def test_rowwise_long_rows_agree_between_backends(name, classes):
    """Rows of 37 and 1000 classes take the Numba row kernels (32 classes or more: COLUMNS_BELOW), with
    their 8-lane row reductions (max, sum, log-sum-exp) and a chunk of one or a few rows (K = 1000:
    four rows per chunk, several chunks); rows of 8, like every other row-wise test (K < 8), take
    the column kernels."""
    pred, target = sample_inputs(name, n=23, seed=13, classes=classes)
    for row in range(8):  # a dominant class in every lane position: exp overflows unless the row max is right
        pred[row, (5 * row + 7) % classes] = 800.0
    params = non_default_params(name)
    numba_k, numpy_k = kernel(name, "numba"), kernel(name, "numpy")
    loss, grad = numba_k.loss_and_grad(pred, target, **params)
    expected_loss, expected_grad = numpy_k.loss_and_grad(pred, target, **params)
    assert loss == pytest.approx(expected_loss, rel=1e-13 * classes)
    for actual, desired in (
        (grad, expected_grad),
        (
            numba_k.loss(pred, target, reduction="none", **params),
            numpy_k.loss(pred, target, reduction="none", **params),
        ),
        (numba_k.hess(pred, target, **params), numpy_k.hess(pred, target, **params)),
        (numba_k.grad(pred, target, **params), expected_grad),
    ):
        # The backends sum a row in different orders (8 lanes against NumPy's pairwise sum): rounding grows
        # with K, and values that are differences of row sums (Tversky's Hessian, Jensen-Shannon's gradient
        # where q ≈ p) keep it in absolute terms. A wrong lane or chunk bound is off by far more.
        scale = np.max(np.abs(desired[np.isfinite(desired)]), initial=0.0)  # infinities must match exactly
        np.testing.assert_allclose(actual, desired, rtol=1e-13 * classes, atol=1e-14 * classes * scale)
    for function in ("loss_and_grad", "loss_rows", "hess", "grad"):
        dispatcher = getattr(numba_k.module, function + ("_columns" if classes < numba_k.module.COLUMNS_BELOW else ""))
        assert dispatcher.signatures, f"{name}.{function} was not used"
        assert dispatcher.targetoptions["parallel"] and dispatcher.targetoptions["nopython"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_labels_are_checked_and_ignored_rows_left_out(backend):
    k = kernel("sparse_softmax_cross_entropy", backend)
    z = np.random.default_rng(0).normal(size=(6, 3))
    labels = np.array([0, 2, 1, -100, 2, 0])
    with pytest.raises(ValueError, match=r"y_true\[1\] = 3 is not a class index in \[0, 3\) or ignore_index=-100"):
        k.loss(z, np.array([0, 3, 1, 1, 1, 1]))
    with pytest.raises(ValueError, match=r"y_true\[3\] = -100 is not a class index in \[0, 3\) or ignore_index=7"):
        k.loss(z, labels, ignore_index=7)
    with pytest.raises(TypeError, match="integer class indices"):
        k.loss(z, labels.astype(float))
    with pytest.raises(TypeError, match="ignore_index must be an integer"):
        k.loss(z, labels, ignore_index=1.5)
    keep = labels != -100
    loss, grad = k.loss_and_grad(z, labels)
    kept_loss, kept_grad = k.loss_and_grad(z[keep], labels[keep])
    assert loss == pytest.approx(kept_loss, rel=1e-15)  # the mean is over the kept rows only
    np.testing.assert_allclose(grad[keep] * keep.sum(), kept_grad * keep.sum(), rtol=1e-14)
    assert not grad[~keep].any() and k.loss(z, labels, reduction="none")[3] == 0.0


@pytest.mark.parametrize("backend", BACKENDS)
def test_sparse_cross_entropy_equals_dense_cross_entropy_on_one_hot_targets(backend):
    sparse, dense = kernel("sparse_softmax_cross_entropy", backend), kernel("softmax_cross_entropy", backend)
    rng = np.random.default_rng(3)
    z, labels = rng.normal(scale=5, size=(50, 7)), rng.integers(0, 7, size=50)
    onehot = np.eye(7)[labels]
    for ls in (0.0, 0.3):
        for method in ("loss", "grad", "hess"):
            a = getattr(sparse, method)(z, labels, label_smoothing=ls, reduction="none")
            b = getattr(dense, method)(z, onehot, label_smoothing=ls, reduction="none")
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("backend", BACKENDS)
def test_auxiliary_inputs_are_required_checked_and_broadcast(backend):
    k = kernel("gaussian_nll", backend)
    mu, y = np.zeros(4), np.ones(4)
    with pytest.raises(TypeError, match="missing array argument 'var'"):
        k.loss(mu, y)
    with pytest.raises(ValueError, match=r"var must lie in \(0, inf\).*var\[2\] = -1.0"):
        k.loss(mu, y, var=np.array([1.0, 1.0, -1.0, 1.0]))
    with pytest.raises(ValueError, match="var of shape"):
        k.loss(mu, y, var=np.ones(3))
    with pytest.raises(TypeError, match="floating-point"):
        k.loss(mu, y, var=np.ones(4, dtype=int))
    assert k.loss(mu, y, var=2.0) == pytest.approx(0.5 * (np.log(2.0) + 0.5))
