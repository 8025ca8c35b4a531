"""Conformance: every loss equals its established library definitions, as declared in the catalog.

The tests are parametrized over every executed ``(spec, [[equivalents]] row)`` pair in ``specs/*.toml``, over
three input kinds (``random``, ``extreme``, ``boundaries``) and both backends; inside each case every parameter
setting of :func:`conformance_adapters.param_settings` is tried. The relation checked is the one the spec states,
``ours = scale * theirs`` per element:

* torch / optax: per-element values (ours with ``reduction="none"``) and the gradient of the summed loss with
  respect to the prediction (autograd / ``jax.grad``) against ``k.grad(..., reduction="sum")``;
* scipy: per-element values;
* sklearn: the mean and the weighted mean (``sample_weight``) against ``k.loss(..., reduction="mean")``;
* xgboost: the same small booster trained with the built-in objective and with a custom objective made of
  lossgen's gradient and Hessian must come out the same.

Default tolerance: ``rtol=1e-12`` (a few hundred ulps of slack for different but equally accurate formulas) and
an absolute tolerance of 1e-300 (only so that 0 matches 0 and subnormal noise). Where a library is known to be
less accurate, :data:`LESS_ACCURATE` names it and says why; only there, elements outside the default tolerance
are judged against the 50-digit truth of :mod:`lossgen.reference`, and lossgen must be at least as close to it
as the library.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from conformance_adapters import (
    BACKENDS,
    ELEMENTWISE_ADAPTERS,
    EXECUTED_STYLES,
    GRADIENT_CONVENTIONS,
    INPUT_KINDS,
    Case,
    derivation,
    equivalent_pairs,
    kernel,
    load_spec,
    lossgen_objective,
    make_inputs,
    param_settings,
    run_sklearn,
    run_xgboost,
    tree_nodes,
)

from lossgen.reference import mp_values, ulp_error
from lossgen.spec import EQUIVALENT_STYLES

RTOL = 1e-12
ATOL = 1e-300

#: (library function, quantity) → why that library is less accurate than the exact value somewhere in our
#: inputs. Only for these are mismatches beyond RTOL resolved against the high-precision truth (lossgen must be
#: at least as close as the library); anything else beyond RTOL fails.
LESS_ACCURATE: dict[tuple[str, str], str] = {
    ("optax.sigmoid_focal_loss", "grad"): (
        "at a soft label y = 0.5 and |x| << 1 the gradient's two terms cancel (the true value is ~1e-11 at "
        "x = 1e-9): every formula loses digits there; lossgen 2e8 ulp, optax 5e8 ulp from the truth"
    ),
    ("optax.log_cosh", "loss"): (
        "optax computes logaddexp(r, -r) - log(2): the difference of two numbers near log 2 cancels for |r| << 1 "
        "(absolute error ~1e-16, so at r = 1e-9, where log cosh r = 5e-19, the relative error is ~1)"
    ),
    ("optax.log_cosh", "grad"): (
        "the derivative of logaddexp(r, -r) is σ(2r) - σ(-2r), a difference of two numbers near 1/2 that cancels "
        "for |r| << 1 (relative error ~1e-16/|r|, e.g. 1e-7 at r = 1e-9)"
    ),
    ("optax.huber_loss", "grad"): (
        "optax writes Huber as 0.5·q² + δ·(|r| - q) with q = min(|r|, δ); autodiff accumulates the derivative as "
        "δ + (q - δ), which cancels for |r| << δ: 9.99999972e-10 instead of 1e-9 at r = 1e-9, δ = 1"
    ),
    ("torch.nn.functional.binary_cross_entropy_with_logits", "loss"): (
        "PyTorch computes (1 - y)·x - log σ(x), which cancels for y = 0 and x << 0: "
        "9.237e-14 instead of 9.358e-14 at x = -30, and 0 instead of 4.2e-18 at x = -40"
    ),
    ("torch.nn.functional.binary_cross_entropy_with_logits", "grad"): (
        "PyTorch's backward is σ(x) - y, which cancels for y = 1 and x >> 0: "
        "-9.348e-14 instead of -9.358e-14 at x = 30, and 0 instead of -4.2e-18 at x = 40"
    ),
    ("torch.nn.functional.soft_margin_loss", "loss"): (
        "PyTorch computes log1p(exp(-y·x)), which overflows to inf for -y·x > 709.78 (lossgen: -y·x there)"
    ),
    ("torch.nn.functional.soft_margin_loss", "grad"): (
        "PyTorch's backward is -y·exp(-y·x)/(1 + exp(-y·x)), NaN (inf/inf) for -y·x > 709.78 (lossgen: -y)"
    ),
}

#: XGBoost keeps gradients, Hessians, margins and leaf values in float32 (its built-in objectives also compute in
#: float32, lossgen in float64 before the cast), so trees built from equal gradients agree to float32 rounding
#: accumulated over a few rounds, not to float64 precision.
XGB_RTOL = 1e-5


def _pair_id(pair: tuple[str, int]) -> str:
    name, index = pair
    return f"{name}-{load_spec(name).equivalents[index].function}"


CASES = [
    pytest.param(name, index, kind, backend, id=f"{_pair_id((name, index))}-{kind}-{backend}")
    for name, index in equivalent_pairs()
    for kind in INPUT_KINDS
    for backend in BACKENDS
]


def test_every_executed_style_has_an_adapter():
    """A style added to the spec loader without an adapter here must not silently go untested."""
    assert set(EQUIVALENT_STYLES) - {"documented", "composed"} == set(EXECUTED_STYLES)
    assert set(ELEMENTWISE_ADAPTERS) | {"sklearn", "xgboost"} == set(EXECUTED_STYLES)


def test_catalog_has_conformance_cases():
    assert CASES, "no executed [[equivalents]] rows in the catalog"
    styles = {load_spec(name).equivalents[index].style for name, index in equivalent_pairs()}
    assert styles == set(EXECUTED_STYLES), f"styles without any catalog row: {set(EXECUTED_STYLES) - styles}"


def _describe(case: Case) -> str:
    params = ", ".join(f"{k}={v!r}" for k, v in case.params.items()) or "no parameters"
    return f"{case.spec.name} vs {case.equivalent.function} ({params}, scale={case.scale!r})"


def assert_elementwise(case: Case, quantity: str, ours: np.ndarray, theirs: np.ndarray) -> None:
    """``ours == theirs`` (theirs already scaled) within RTOL, or, where the library is known to be less accurate,
    lossgen at least as close to the 50-digit truth as the library."""
    ours = np.asarray(ours, dtype=np.float64)
    theirs = np.asarray(theirs, dtype=np.float64)
    assert ours.shape == theirs.shape
    atol = ATOL
    if case.spec.rowwise:
        # A row's values are differences of terms bounded by the row's largest value (softmax·Σq − q), so
        # rounding is relative to that scale, not to each difference (which cancels near the optimum). Only
        # finite values set it: an infinite one would make the tolerance infinite for the whole row.
        magnitude = np.where(np.isfinite(theirs), np.abs(theirs), 0.0)
        atol = (
            RTOL * np.maximum(1.0, np.max(magnitude, axis=-1, keepdims=True))
            if theirs.ndim > 1
            else (RTOL * np.maximum(1.0, magnitude))
        )
    close = np.isclose(ours, theirs, rtol=RTOL, atol=atol) | (np.isnan(ours) & np.isnan(theirs))
    if close.all():
        return
    bad = np.flatnonzero(~close)
    if case.spec.rowwise:  # no per-element truth for rows here: report the disagreement
        worst = bad[np.argmax(np.abs(ours.ravel()[bad] - theirs.ravel()[bad]))]
        pytest.fail(
            f"{_describe(case)}: {quantity} differs beyond rtol={RTOL} at {len(bad)} of {ours.size} values; "
            f"worst: ours={ours.ravel()[worst]!r} theirs={theirs.ravel()[worst]!r}"
        )
    truth = mp_values(
        derivation(case.spec.name), quantity, case.pred[bad].tolist(), case.target[bad].tolist(), case.params
    )
    ours_ulps = ulp_error(ours[bad], truth)
    theirs_ulps = ulp_error(theirs[bad], truth)
    lines = [
        f"  pred={case.pred[i]!r} target={case.target[i]!r}: ours={ours[i]!r} ({ou:.3g} ulp) "
        f"theirs={theirs[i]!r} ({tu:.3g} ulp) truth={float(t)!r}"
        for i, t, ou, tu in list(zip(bad, truth, ours_ulps, theirs_ulps))[:8]
    ]
    reason = LESS_ACCURATE.get((case.equivalent.function, quantity))
    header = f"{_describe(case)}: {quantity} differs beyond rtol={RTOL} at {len(bad)} of {ours.size} elements"
    if reason is None:
        pytest.fail(header + "\n" + "\n".join(lines))
    worse = ours_ulps > theirs_ulps
    assert not worse.any(), (
        f"{header}; the library is known to be less accurate ({reason}), but lossgen is further from the "
        "high-precision truth than the library here:\n" + "\n".join(line for line, w in zip(lines, worse) if w)
    )


def check_elementwise(case: Case, backend: str) -> None:
    k = kernel(case.spec.name, backend)
    theirs = ELEMENTWISE_ADAPTERS[case.equivalent.style](case)
    scale = case.scale
    ours = k.loss(case.pred, case.target, reduction="none", **case.params, **case.extra)
    assert_elementwise(case, "loss", ours, scale * theirs.values)
    if theirs.grad is not None:
        ours_grad = k.grad(case.pred, case.target, reduction="sum", **case.params, **case.extra)
        theirs_grad = scale * theirs.grad
        convention = GRADIENT_CONVENTIONS.get((case.spec.name, case.equivalent.function))
        if convention is not None:  # where the library's backward is not its loss's derivative (stated in the spec)
            keep = ~convention(case.pred, case.target)
            ours_grad, theirs_grad = ours_grad[keep], theirs_grad[keep]
            case = dataclasses.replace(case, pred=case.pred[keep], target=case.target[keep])
        assert_elementwise(case, "grad", ours_grad, theirs_grad)


def check_sklearn(case: Case, backend: str) -> None:
    k = kernel(case.spec.name, backend)
    scale = case.scale
    weights = np.random.default_rng(1).uniform(0.5, 2.0, size=case.pred.size)
    for weight in (None, weights):
        ours = k.loss(case.pred, case.target, reduction="mean", weight=weight, **case.params, **case.extra)
        theirs = scale * run_sklearn(case, weight)
        # Sums of n non-negative terms in different orders (Numba's parallel reduction, NumPy's pairwise sum)
        # differ by at most ~n ulps; n is about 100 here, far inside RTOL.
        assert math.isclose(ours, theirs, rel_tol=RTOL, abs_tol=ATOL), (
            f"{_describe(case)}: {'weighted ' if weight is not None else ''}mean {ours!r} != {theirs!r}"
        )


def assert_same_boosters(case: Case, builtin, custom) -> None:
    where = f"{_describe(case)}, objective {case.equivalent.function}"
    for label in ("margins", "fresh_margins"):
        a, b = getattr(builtin, label), getattr(custom, label)
        atol = XGB_RTOL * max(1.0, float(np.max(np.abs(a))))
        np.testing.assert_allclose(b, a, rtol=XGB_RTOL, atol=atol, err_msg=f"{where}: {label}")
    assert len(builtin.trees) == len(custom.trees)
    for number, (tree_a, tree_b) in enumerate(zip(builtin.trees, custom.trees)):
        nodes_a, nodes_b = tree_nodes(tree_a), tree_nodes(tree_b)
        assert [(p, n.get("split"), n.get("split_condition")) for p, n in nodes_a] == [
            (p, n.get("split"), n.get("split_condition")) for p, n in nodes_b
        ], f"{where}: tree {number} has a different structure"
        # Cover is the sum of Hessians in a node: this is where a wrong Hessian shows. XGBoost's built-in
        # binary:logistic clamps each Hessian below at 1e-16 (lossgen's is the exact σ(x)σ(-x), which underflows
        # to 0 at |x| = 1e4), a convention difference of 1e-16 per row, hence the small absolute tolerance.
        max_cover = max(n["cover"] for _, n in nodes_a)
        for (path, a), (_, b) in zip(nodes_a, nodes_b):
            assert math.isclose(b["cover"], a["cover"], rel_tol=XGB_RTOL, abs_tol=XGB_RTOL * max_cover), (
                f"{where}: tree {number} node {path} cover {b['cover']!r} != {a['cover']!r}"
            )
            if "leaf" in a:
                max_leaf = max(abs(n.get("leaf", 0.0)) for _, n in nodes_a)
                assert math.isclose(b["leaf"], a["leaf"], rel_tol=XGB_RTOL, abs_tol=XGB_RTOL * max_leaf), (
                    f"{where}: tree {number} leaf {path} {b['leaf']!r} != {a['leaf']!r}"
                )


def check_xgboost(case: Case, backend: str) -> None:
    builtin = run_xgboost(case, None)
    custom = run_xgboost(case, lossgen_objective(case, backend))
    assert_same_boosters(case, builtin, custom)


CHECKS = {
    "torch": check_elementwise,
    "optax": check_elementwise,
    "scipy": check_elementwise,
    "sklearn": check_sklearn,
    "xgboost": check_xgboost,
}


@pytest.mark.parametrize(("name", "index", "kind", "backend"), CASES)
def test_conformance(name: str, index: int, kind: str, backend: str) -> None:
    spec = load_spec(name)
    equivalent = spec.equivalents[index]
    for params in param_settings(spec, equivalent):
        pred, target = make_inputs(spec, kind, params, equivalent=equivalent)
        CHECKS[equivalent.style](Case(spec, equivalent, params, pred, target), backend)
