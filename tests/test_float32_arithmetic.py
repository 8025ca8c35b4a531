"""``arithmetic="input"``: the float32 kernels that compute in float32 arithmetic, as PyTorch and JAX do.

Their results cannot be the float64 value rounded once, so they are held to the accuracy
criterion with float32's ε: within 8 float32 ulps of the mpmath truth, or within the error that
moving the inputs (and parameters) by 8 float32 ulps can cause, or equal to the truth at inputs
moved by 2 float32 ulps (:func:`lossgen.reference.check_accuracy` with ``arithmetic=np.float32``).
No non-finite result where the truth is finite. The same stress grids as ``test_accuracy``: the
points inside the range where float32 arithmetic is used (:mod:`lossgen.input_scan`) go
through the float32 kernels; the others must get exactly the float64-arithmetic kernels' results.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from conftest import (
    ELEMENTWISE,
    NAMES,
    ROWWISE,
    derivation,
    extras,
    float32_arithmetic_kernel,
    kernel,
    non_default_params,
    sample_inputs,
)

import lossgen
from lossgen.input_scan import float32_safe
from lossgen.reference import (
    QUANTITIES,
    RowReference,
    check_accuracy,
    check_row_accuracy,
    row_stress_points,
    stress_points,
)

ULPS = 8.0
KINDS = ("random", "kinks", "tiny", "large")
ROW_KINDS = ("random", "large", "ties", "tiny")


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_float32_arithmetic_matches_mpmath(name):
    d = derivation(name)
    grid = stress_points(d, np.float32)
    pred = np.concatenate([grid[kind][0] for kind in KINDS])
    target = np.concatenate([grid[kind][1] for kind in KINDS])
    extra = extras(name, pred)
    inside = np.array(
        [float32_safe(*(a[i : i + 1] for a in (pred, target, *extra.values()))) for i in range(len(pred))]
    )
    assert inside.mean() > 0.75, "the grid should mostly test the float32 kernels"
    k = float32_arithmetic_kernel(name)
    exact = kernel(name, "numba")
    for quantity in QUANTITIES:
        ins = [a[inside] for a in (pred, target)], {key: v[inside] for key, v in extra.items()}
        outs = [a[~inside] for a in (pred, target)], {key: v[~inside] for key, v in extra.items()}
        computed = getattr(k, quantity)(*ins[0], reduction="none", **ins[1])
        assert computed.dtype == np.float32
        failures = check_accuracy(
            d, quantity, *ins[0], computed, np.float32, ulps=ULPS, extra=ins[1], arithmetic=np.float32
        )
        assert not failures, f"{name} {quantity}: {len(failures)} point(s) off, e.g. {failures[:3]}"
        np.testing.assert_array_equal(
            getattr(k, quantity)(*outs[0], reduction="none", **outs[1]),
            getattr(exact, quantity)(*outs[0], reduction="none", **outs[1]),
        )


@pytest.mark.parametrize("name", ROWWISE)
def test_rowwise_float32_arithmetic_matches_mpmath(name):
    d = derivation(name)
    reference = RowReference(d)
    k = float32_arithmetic_kernel(name)
    exact = kernel(name, "numba")
    problems, inside = [], 0
    for kind in ROW_KINDS:
        for z, target in zip(*row_stress_points(d, np.float32)[kind]):
            computed = {
                "loss": k.loss(z, target, reduction="none"),
                "grad": k.grad(z, target, reduction="sum"),
                "hess": k.hess(z, target, reduction="sum"),
            }
            for q in QUANTITIES:
                assert np.asarray(computed[q]).dtype == np.float32
            if not float32_safe(z, np.asarray(target)):
                np.testing.assert_array_equal(computed["grad"], exact.grad(z, target, reduction="sum"))
                continue
            inside += 1
            problems += check_row_accuracy(
                d, z, target, computed, np.float32, ulps=ULPS, reference=reference, arithmetic=np.float32
            )
    assert inside >= 10, "the grid should test the float32 kernels"
    assert not problems, f"{len(problems)} problem(s): {problems[:3]}"


@pytest.mark.parametrize("name", ["softmax_cross_entropy", "sparse_softmax_cross_entropy"])
def test_float32_row_kernels_for_long_rows(name):
    """Rows of 32 classes or more (COLUMNS_BELOW) take the row kernels, which no other float32 test
    reaches (their rows have at most 7 classes); they agree with the float64-arithmetic kernels to
    float32 rounding. Two specs, one with soft targets and one with labels: the row kernels of the
    other specs come from the same template, and compiling a row-wise kernel takes seconds (the
    float64 ones are compared with NumPy for every spec in test_api.py)."""
    classes = 37
    pred, target = sample_inputs(name, n=23, seed=13, dtype=np.float32, classes=classes)
    params = non_default_params(name)
    fast, exact = float32_arithmetic_kernel(name), kernel(name, "numba")
    assert classes >= exact.module.COLUMNS_BELOW
    loss, grad = fast.loss_and_grad(pred, target, **params)
    expected_loss, expected_grad = exact.loss_and_grad(pred, target, **params)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    for actual, desired in (
        (grad, expected_grad),
        (fast.loss(pred, target, reduction="none", **params), exact.loss(pred, target, reduction="none", **params)),
        (fast.hess(pred, target, **params), exact.hess(pred, target, **params)),
    ):
        assert actual.dtype == np.float32
        np.testing.assert_allclose(actual, desired, rtol=1e-5, atol=1e-7)
    for function in ("loss_and_grad", "loss_rows", "hess"):
        assert getattr(fast._impl.float32_module, function).signatures, f"{name}.{function} was not used"


@functools.cache
def _stop_after_typing():
    """A compiler pass (registered once: Numba keeps a registry of pass classes) that ends the
    pipeline with the inferred types as its result."""
    from numba.core import compiler
    from numba.core.compiler_machinery import AnalysisPass, register_pass

    @register_pass(mutates_CFG=False, analysis_only=True)
    class StopAfterTyping(AnalysisPass):
        _name = "lossgen_tests_stop_after_typing"

        def __init__(self):
            AnalysisPass.__init__(self)

        def run_pass(self, state):
            raise compiler._EarlyPipelineCompletion(dict(state.typemap))

    return StopAfterTyping


def _typemap(function, args) -> dict:
    """The type of every variable of ``function`` called with ``args``, as Numba's nopython pipeline
    infers it (serially: no parfor rewrite), without lowering it: lowering and LLVM's optimization
    were most of this test's time."""
    from numba import typeof
    from numba.core import compiler
    from numba.core.registry import cpu_target
    from numba.core.typed_passes import NopythonTypeInference

    class TypingOnly(compiler.CompilerBase):
        def define_pipelines(self):
            pipeline = compiler.DefaultPassBuilder.define_nopython_pipeline(self.state)
            pipeline.add_pass_after(_stop_after_typing(), NopythonTypeInference)
            pipeline.finalize()
            return [pipeline]

    flags = compiler.Flags()
    flags.error_model = "numpy"
    flags.nrt = True  # the kernels allocate arrays
    context = cpu_target.typing_context, cpu_target.target_context
    for each in context:
        each.refresh()
    argtypes = tuple(typeof(a) for a in args)
    return compiler.compile_extra(*context, function, argtypes, None, flags, {}, pipeline_class=TypingOnly)


@pytest.mark.parametrize("name", NAMES)
def test_float32_kernels_compute_in_float32(name):
    """Every value a float32 kernel computes per element is a float32 (a Python literal or a float64
    parameter in the generated code would silently turn the arithmetic back into float64); only
    the sums of losses are float64 by design. Typed afresh (serially, with weights, and only typed:
    see _typemap): a kernel loaded from Numba's cache has no type annotations. One entry point per
    layout (loss_and_grad: the loss and gradient programs; row-wise, in both layouts) keeps the
    time down; every program is printed the same way."""
    k = float32_arithmetic_kernel(name)
    pred, target = sample_inputs(name, n=16, dtype=np.float32)
    weight = np.ones(pred.shape[:-1] if k.rowwise else pred.shape, np.float32)
    call = k._prepare(pred, target, weight, "mean", extras(name, pred))
    assert call.float32_arithmetic
    module = k._impl.float32_module
    *params, scale = k._impl.float32_scalars(*call.params, 1.0)  # the runtime's own casts
    float64 = set()
    for function in ("loss_and_grad", "loss_and_grad_columns") if k.rowwise else ("loss_and_grad",):
        args = (call.pred, call.target, *call.extra, call.weight, *params, scale, np.empty_like(call.pred))
        for variable, typ in _typemap(getattr(module, function).py_func, args).items():
            if str(typ) == "float64" and "_lane_sum" not in variable and not variable.startswith("$"):
                float64.add(variable.split(".")[0])
    assert float64 <= {"_total", "_acc"}, f"{name}: float64 values in the float32 kernels: {sorted(float64)}"


@pytest.mark.parametrize("name", NAMES)
def test_float32_arithmetic_one_pass_and_out(name):
    """loss_and_grad (mean, weighted) in one pass writes exactly grad()'s values into out=, and its
    mean stays within float32 rounding of the float64-arithmetic kernel's."""
    k = float32_arithmetic_kernel(name)
    pred, target = sample_inputs(name, n=40, dtype=np.float32)
    extra = extras(name, pred)
    weight = np.random.default_rng(2).uniform(0.5, 2.0, size=pred.shape[:-1] if k.rowwise else pred.shape)
    weight = weight.astype(np.float32)
    out = np.empty_like(pred)
    value, grad = k.loss_and_grad(pred, target, weight=weight, out=out, **extra)
    assert grad is out
    np.testing.assert_array_equal(grad, k.grad(pred, target, weight=weight, **extra))
    exact = kernel(name, "numba").loss(pred, target, weight=weight, **extra)
    assert value == pytest.approx(exact, rel=1e-5, abs=1e-6)


def test_float32_arithmetic_leaves_float64_inputs_in_float64():
    pred, target = sample_inputs("bce_with_logits", n=50)
    fast = float32_arithmetic_kernel("bce_with_logits")
    exact = kernel("bce_with_logits", "numba")
    np.testing.assert_array_equal(fast.grad(pred, target), exact.grad(pred, target))
    assert fast.loss(pred, target) == exact.loss(pred, target)


def test_float32_arithmetic_falls_back_to_float64_outside_its_range():
    """One value outside the range sends the whole call to the float64-arithmetic kernels."""
    pred, target = sample_inputs("cauchy", n=64, dtype=np.float32)
    pred[7] = 1e15  # its fourth power overflows float32
    fast, exact = float32_arithmetic_kernel("cauchy"), kernel("cauchy", "numba")
    np.testing.assert_array_equal(fast.hess(pred, target), exact.hess(pred, target))
    assert float32_safe(pred[:7], target[:7]) and not float32_safe(pred, target)
    for bad in (np.nan, np.inf, 1e-30):
        assert not float32_safe(np.array([1.0, bad], np.float32))
    assert float32_safe(np.array([0.0, -0.0, 2.0**-20, -(2.0**20)], np.float32))


@pytest.mark.parametrize("name", ["bce_with_logits", "softmax_cross_entropy"])
def test_float32_target_range_is_checked_by_the_kernels(name):
    """A float32 target with a bounded domain is neither scanned for its domain nor for its range:
    the kernels check both on the way, and a target inside its domain but outside float32
    arithmetic's range still sends the call to the float64-arithmetic kernels."""
    fast, exact = float32_arithmetic_kernel(name), kernel(name, "numba")
    assert {"y_pred", "y_true"} <= set(fast._impl.float32_module.RANGE_CHECKED)
    assert fast._impl.float32_module.DOMAIN_CHECKED == ("y_true",)
    pred, target = sample_inputs(name, n=64, dtype=np.float32)
    target.reshape(-1)[5] = 1e-30
    assert fast._prepare(pred, target, None, "mean", {}).float32_arithmetic  # no scan decided otherwise
    np.testing.assert_array_equal(fast.grad(pred, target), exact.grad(pred, target))
    assert fast.loss_and_grad(pred, target)[0] == exact.loss_and_grad(pred, target)[0]


@pytest.mark.parametrize("outside", [None, "y_pred", "y_true", "var", "weight", "eps"])
def test_float32_decision_scans_no_input(monkeypatch, outside):
    """Under float32 arithmetic no input is scanned: the kernels check every input named in their
    RANGE_CHECKED on the way (y_pred, the weights and, element-wise, every other floating-point
    input), as they check the domains in DOMAIN_CHECKED; only the float parameters are scanned.
    A value outside the range in any input, or a float parameter outside it, gives the
    float64-arithmetic kernels' results."""
    import lossgen.input_scan

    scanned = []
    real_scan = lossgen.input_scan.scan
    monkeypatch.setattr(lossgen.input_scan, "scan", lambda values, *a: scanned.append(values) or real_scan(values, *a))
    fast, exact = float32_arithmetic_kernel("gaussian_nll"), kernel("gaussian_nll", "numba")
    assert fast._impl.float32_module.RANGE_CHECKED == ("y_pred", "y_true", "var", "weight")
    assert fast._impl.float32_module.DOMAIN_CHECKED == ("var",)
    pred, target = sample_inputs("gaussian_nll", n=64, dtype=np.float32)
    inputs = {"y_pred": pred, "y_true": target, "var": extras("gaussian_nll", pred)["var"]}
    inputs["weight"] = np.linspace(0.5, 2.0, 64, dtype=np.float32)
    params = {"eps": 1e-30} if outside == "eps" else {}
    if outside in inputs:
        inputs[outside][3] = 1e-30
    args = inputs["y_pred"], inputs["y_true"], inputs["weight"], "mean", {"var": inputs["var"], **params}
    call = fast._prepare(*args)
    assert call.float32_arithmetic is (outside != "eps")  # the kernels find the others
    assert [a.size for a in scanned] == [1]  # the parameter eps
    kwargs = {"weight": inputs["weight"], "var": inputs["var"], **params}
    computed = fast.loss_and_grad(inputs["y_pred"], inputs["y_true"], **kwargs)
    expected = exact.loss_and_grad(inputs["y_pred"], inputs["y_true"], **kwargs)
    if outside is None:
        assert computed[0] == pytest.approx(expected[0], rel=1e-5)
    else:
        assert computed[0] == expected[0]
        np.testing.assert_array_equal(computed[1], expected[1])


@pytest.mark.parametrize("name", NAMES)
def test_float32_kernels_find_values_outside_the_range(name):
    """A value outside float32 arithmetic's range in y_pred or in the weights (neither has a
    domain check to scan it) gives the float64-arithmetic kernels' results, whether the kernels
    find it on the way or, when out= is y_pred itself (the float32 pass would overwrite what a
    second pass reads), the runtime scans first."""
    k, exact = float32_arithmetic_kernel(name), kernel(name, "numba")
    pred, target = sample_inputs(name, n=40, dtype=np.float32)
    extra = extras(name, pred)
    weight = np.linspace(0.5, 2.0, num=pred[..., 0].size if k.rowwise else pred.size, dtype=np.float32)
    weight = weight.reshape(pred.shape[:-1] if k.rowwise else pred.shape)
    pred_bad = 3e7 if k.prediction_domain.contains(3e7) else 1e-30  # bce's probabilities: a tiny one
    for array, bad in ((pred, pred_bad), (weight, 1e-30), (None, None)):
        p, w = pred.copy(), weight.copy()
        if array is not None:
            (p if array is pred else w).reshape(-1)[5] = bad
        expected = exact.loss_and_grad(p, target, weight=w, **extra)
        for out in (None, p):
            computed = k.loss_and_grad(p.copy() if out is None else p, target, weight=w, out=out, **extra)
            if array is None:
                assert computed[0] == pytest.approx(expected[0], rel=1e-5, abs=1e-6)
                continue
            np.testing.assert_array_equal(computed[0], expected[0])
            np.testing.assert_array_equal(computed[1], expected[1])
            assert out is None or computed[1] is p


def test_float32_arithmetic_arguments_are_checked():
    with pytest.raises(ValueError, match="unknown arithmetic 'half'"):
        lossgen.kernel("huber", arithmetic="half")
    with pytest.raises(ValueError, match="needs the numba backend"):
        lossgen.kernel("huber", "numpy", arithmetic="input")
    k = float32_arithmetic_kernel("huber")
    pred, target = sample_inputs("huber", n=8, dtype=np.float32)
    with pytest.raises(TypeError, match="unknown parameter 'beta'"):
        k.loss(pred, target, beta=1.0)
    with pytest.raises(ValueError, match="out must have"):
        k.grad(pred, target, out=np.empty(8))
    assert "float32 arithmetic" in repr(k)
