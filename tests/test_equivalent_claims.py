"""The claims an ``[[equivalents]]`` row makes beyond ``ours = scale * theirs``, as printed on the reference sheet.

* ``reduction``: what the library's call returns with its default arguments ("mean" over all elements, "sum" or
  "none"), checked by calling it without any reduction argument;
* the Hessian: wherever a library can differentiate twice (PyTorch, optax), its Hessian diagonal equals
  ``scale`` × ours except where ``hessian_differs_at`` holds, and there it must differ (the claim is true);
* ``examples``: the library's loss, gradient or Hessian at stated points, to the digits stated. XGBoost's
  Hessian is read from the cover (the sum of Hessians) of a one-leaf tree trained on copies of the point.

tests/test_conformance.py checks values, gradients and trained boosters; this file checks the rest. Every test is
parametrized over the catalog's element-wise specs.
"""

from __future__ import annotations

import functools
import json
import re

import numpy as np
import pytest
import sympy as sp
from conformance_adapters import (
    INPUT_KINDS,
    Case,
    _jax,
    derivation,
    kernel,
    load_spec,
    make_inputs,
    param_settings,
    resolve,
    run_sklearn,
    xgboost_base_score,
)
from conftest import PROJECT

from lossgen.expr import ExpressionParser
from lossgen.primitives import SPEC_FUNCTIONS
from lossgen.reference import mp_values, ulp_error

RTOL = 1e-12
ATOL = 1e-300
#: Styles whose library can differentiate twice (autograd), so its Hessian is compared with ours.
HESSIAN_STYLES = ("torch", "optax")
#: Styles whose default reduction is checked (XGBoost's objective is per row by construction).
REDUCTION_STYLES = ("torch", "optax", "scipy", "sklearn")

#: (library function, "hess") → why its Hessian is less accurate than the exact one somewhere in our inputs. Only
#: there are mismatches beyond RTOL judged against the 50-digit truth (lossgen must be at least as close to it).
HESSIAN_LESS_ACCURATE: dict[str, str] = {
    "torch.nn.functional.binary_cross_entropy_with_logits": (
        "the derivative of PyTorch's backward σ(x) − y is σ(x)(1 − σ(x)), which cancels for x >> 0"
    ),
    "optax.sigmoid_binary_cross_entropy": (
        "autodiff through optax's log-sigmoid form gives products of σ(±x) with a cancelling 1 − σ at saturated logits"
    ),
    "optax.log_cosh": "the derivative of σ(2r) − σ(−2r) loses relative accuracy where it is tiny (|r| >> 1)",
    "optax.sigmoid_focal_loss": (
        "autodiff through optax's products of σ(x), 1 − σ(x) and log-sigmoid terms cancels at saturated logits"
    ),
    "torch.nn.functional.soft_margin_loss": (
        "PyTorch's double backward of log1p(exp(−y·x)) is NaN where exp(−y·x) overflows (−y·x > 709.78)"
    ),
    "torch.nn.functional.poisson_nll_loss": (
        "PyTorch's double backward of exp(x) − y·x is NaN where exp(x) overflows (x > 709.78); the Hessian is inf"
    ),
}


def _rows(styles, shapes=("elementwise",)) -> list:
    rows = []
    for name in PROJECT.names():
        spec = load_spec(name)
        if spec.shape not in shapes:
            continue
        for index, equivalent in enumerate(spec.equivalents):
            if equivalent.style in styles:
                rows.append(pytest.param(name, index, id=f"{name}-{equivalent.function}"))
    return rows


# -- the library's derivatives ------------------------------------------------------------------------------------


@functools.cache
def _second_derivatives(name: str) -> dict:
    """d² name / d prediction² of every input and intermediate, as functions of (prediction, target, *params)."""
    spec = load_spec(name)
    symbols = [spec.prediction.symbol, spec.target.symbol] + [p.symbol for p in spec.params]
    definitions = {spec.prediction.name: spec.prediction.symbol, spec.target.name: spec.target.symbol}
    expanded = {}
    for inter in spec.intermediates:
        expanded[inter.symbol] = inter.expr.subs(expanded)
        definitions[inter.name] = expanded[inter.symbol]
    return {
        key: sp.lambdify(symbols, sp.diff(expr, spec.prediction.symbol, 2), modules="numpy")
        for key, expr in definitions.items()
    }


def _array_args(case: Case) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """(position, value, d/d prediction, d²/d prediction²) of each array argument of the library call."""
    seconds = _second_derivatives(case.spec.name)
    values = [case.params[p.name] for p in case.spec.params]
    result = []
    for position, (arg, value, first) in enumerate(case.args()):
        if first is not None and np.any(first):  # arrays not depending on the prediction are passed as they are
            second = np.broadcast_to(np.asarray(seconds[arg](case.pred, case.target, *values), float), case.pred.shape)
            result.append((position, value, first, second))
    return result


def _chain(firsts, seconds_by_pair, arrays) -> tuple[np.ndarray, np.ndarray]:
    """Gradient and Hessian diagonal in the prediction from the partials in each array argument."""
    grad = sum(g * d for g, (_, _, d, _) in zip(firsts, arrays))
    hess = sum(g * d2 for g, (_, _, _, d2) in zip(firsts, arrays))
    for (i, j), h in seconds_by_pair.items():
        hess = hess + h * arrays[i][2] * arrays[j][2]
    return np.asarray(grad, float), np.asarray(hess, float)


def torch_derivatives(case: Case) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PyTorch's per-element values, gradient and Hessian diagonal (double backward) in the prediction."""
    torch = pytest.importorskip("torch")
    fn = resolve(case.equivalent.function)
    arrays = _array_args(case)
    # Arrays that are not differentiated (an auxiliary input such as a variance) go in as tensors too.
    call_args = [
        torch.tensor(value, dtype=torch.float64) if isinstance(value, np.ndarray) else value
        for _, value, _ in case.args()
    ]
    leaves = []
    for position, value, _, _ in arrays:
        leaves.append(torch.tensor(value, dtype=torch.float64, requires_grad=True))
        call_args[position] = leaves[-1]
    values = fn(*call_args, reduction="none", **case.kwargs)
    firsts = torch.autograd.grad(values.sum(), leaves, create_graph=True, allow_unused=True)
    seconds = {}
    for i, first in enumerate(firsts):
        if first is None or not first.requires_grad:
            continue  # the gradient does not depend on the arguments: no second derivative
        partials = torch.autograd.grad(first.sum(), leaves, retain_graph=True, allow_unused=True)
        for j, partial in enumerate(partials):
            if partial is not None:
                seconds[(i, j)] = partial.detach().numpy(force=True).astype(float)
    firsts = [np.zeros_like(case.pred) if f is None else f.detach().numpy(force=True) for f in firsts]
    grad, hess = _chain(firsts, seconds, arrays)
    return values.detach().numpy().astype(float), grad, hess


def optax_derivatives(case: Case) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """optax's per-element values, gradient and Hessian diagonal (jax.grad twice) in the prediction."""
    jax = _jax()
    jnp = jax.numpy
    fn = resolve(case.equivalent.function)
    arrays = _array_args(case)
    base = [value for _, value, _ in case.args()]

    def call(*xs):
        call_args = list(base)
        for (position, _, _, _), x in zip(arrays, xs):
            call_args[position] = x
        return fn(*call_args, **case.kwargs)

    xs = [jnp.asarray(value, dtype=jnp.float64) for _, value, _, _ in arrays]
    firsts_fn = [jax.grad(lambda *a: call(*a).sum(), argnums=i) for i in range(len(xs))]
    firsts = [np.asarray(f(*xs), dtype=float) for f in firsts_fn]
    seconds = {}
    for i, first in enumerate(firsts_fn):
        for j in range(len(xs)):
            seconds[(i, j)] = np.asarray(jax.grad(lambda *a, f=first: f(*a).sum(), argnums=j)(*xs), dtype=float)
    grad, hess = _chain(firsts, seconds, arrays)
    return np.asarray(call(*xs), dtype=float), grad, hess


DERIVATIVES = {"torch": torch_derivatives, "optax": optax_derivatives}


def _differs_mask(case: Case) -> np.ndarray:
    """Where the row's ``hessian_differs_at`` condition holds (all False when it has none)."""
    text = case.equivalent.hessian_differs_at
    if not text:
        return np.zeros(case.pred.shape, dtype=bool)
    spec = case.spec
    symbols = {x.name: x.symbol for group in (spec.inputs, spec.params, spec.intermediates) for x in group}
    indicator = ExpressionParser(symbols, SPEC_FUNCTIONS, spec.path).parse(f"where({text}, 1, 0)", "condition")
    expanded = {}
    for inter in spec.intermediates:
        expanded[inter.symbol] = inter.expr.subs(expanded)
    indicator = indicator.subs(expanded)
    arguments = [spec.prediction.symbol, spec.target.symbol] + [p.symbol for p in spec.params]
    function = sp.lambdify(arguments, indicator, modules="numpy")
    values = function(case.pred, case.target, *[case.params[p.name] for p in spec.params])
    return np.broadcast_to(np.asarray(values) == 1, case.pred.shape)


# -- tests ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", INPUT_KINDS)
@pytest.mark.parametrize(("name", "index"), _rows(HESSIAN_STYLES))
def test_library_hessian_agrees_except_where_stated(name: str, index: int, kind: str) -> None:
    spec = load_spec(name)
    equivalent = spec.equivalents[index]
    k = kernel(name, "numpy")
    for params in param_settings(spec):
        pred, target = make_inputs(spec, kind, params, equivalent=equivalent)
        case = Case(spec, equivalent, params, pred, target)
        _, _, theirs = DERIVATIVES[equivalent.style](case)
        theirs = case.scale * theirs
        ours = k.hess(pred, target, reduction="none", **params, **case.extra)
        close = np.isclose(ours, theirs, rtol=RTOL, atol=ATOL) | (np.isnan(ours) & np.isnan(theirs))
        differs = _differs_mask(case)
        where = f"{name} vs {equivalent.function} ({params}, {kind})"
        assert not (close & differs).any(), (
            f"{where}: the Hessians agree at {pred[close & differs][:5]} although the spec says they differ where "
            f"{equivalent.hessian_differs_at}"
        )
        if kind == "boundaries" and equivalent.hessian_differs_at:
            assert differs.any(), f"{where}: no input hits {equivalent.hessian_differs_at}; the claim goes untested"
        bad = np.flatnonzero(~close & ~differs)
        if not bad.size:
            continue
        lines = [f"  pred={pred[i]!r} target={target[i]!r}: ours={ours[i]!r} theirs={theirs[i]!r}" for i in bad[:8]]
        reason = HESSIAN_LESS_ACCURATE.get(equivalent.function)
        assert reason is not None, f"{where}: Hessians differ at {bad.size} points:\n" + "\n".join(lines)
        truth = mp_values(derivation(name), "hess", pred[bad].tolist(), target[bad].tolist(), params)
        worse = ulp_error(ours[bad], truth) > ulp_error(theirs[bad], truth)
        assert not worse.any(), (
            f"{where}: the library is known to be less accurate ({reason}) but lossgen is further from the truth:\n"
            + "\n".join(line for line, w in zip(lines, worse) if w)
        )


@pytest.mark.parametrize(("name", "index"), _rows(REDUCTION_STYLES, shapes=("elementwise", "rowwise")))
def test_default_reduction_is_as_stated(name: str, index: int) -> None:
    spec = load_spec(name)
    equivalent = spec.equivalents[index]
    assert equivalent.reduction, f"{name}: state the reduction of {equivalent.function} (mean, sum or none)"
    params = {p.name: int(p.default) if p.domain.name == "integer" else p.default for p in spec.params}
    pred, target = make_inputs(spec, "random", params, equivalent=equivalent)
    case = Case(spec, equivalent, params, pred, target)
    args = [value for _, value, _ in case.args()]
    fn = resolve(equivalent.function)
    if equivalent.style == "torch":
        torch = pytest.importorskip("torch")
        args = [
            torch.tensor(a, dtype=torch.long if a.dtype.kind in "iu" else torch.float64)
            if isinstance(a, np.ndarray)
            else a
            for a in args
        ]
        theirs = fn(*args, **case.kwargs).numpy()
    elif equivalent.style == "optax":
        jnp = _jax().numpy
        args = [
            jnp.asarray(a)
            if isinstance(a, np.ndarray) and a.dtype.kind in "iu"
            else jnp.asarray(a, dtype=jnp.float64)
            if isinstance(a, np.ndarray)
            else a
            for a in args
        ]
        theirs = np.asarray(fn(*args, **case.kwargs))
    elif equivalent.style == "sklearn":
        theirs = np.asarray(run_sklearn(case, None))
    else:
        theirs = np.asarray(fn(*args, **case.kwargs))
    theirs = case.scale * np.asarray(theirs, dtype=float)
    k = kernel(name, "numpy")
    if equivalent.reduction == "mean_over_elements":
        ours = np.asarray(k.loss(pred, target, reduction="sum", **params, **case.extra) / pred.size)
    else:
        ours = np.asarray(k.loss(pred, target, reduction=equivalent.reduction, **params, **case.extra))
    assert theirs.shape == ours.shape, (
        f"{equivalent.function} returns shape {theirs.shape} by default, not what reduction="
        f"'{equivalent.reduction}' means ({ours.shape})"
    )
    np.testing.assert_allclose(theirs, ours, rtol=RTOL, atol=ATOL)


def _rounded(value: float, digits: int) -> float:
    return float(f"{value:.{digits}g}")


def _digits(stated: float) -> int:
    return max(1, len(repr(abs(stated)).split("e")[0].replace(".", "").strip("0")))


def xgboost_hessian(case: Case, rows: int = 8) -> float:
    """The Hessian of XGBoost's built-in objective at the case's single point: the cover (Σ Hessians) of the root
    of a tree trained on ``rows`` copies of it (all features 0, so the tree has one leaf), divided by ``rows``."""
    xgb = pytest.importorskip("xgboost")
    data = xgb.DMatrix(
        np.zeros((rows, 2)),
        label=np.full(rows, case.target[0]),
        base_margin=np.full(rows, case.pred[0]),
        nthread=1,
    )
    params = {
        "objective": case.equivalent.function,
        "tree_method": "exact",
        "nthread": 1,
        "max_depth": 1,
        "min_child_weight": 0.0,
        "base_score": xgboost_base_score(case.equivalent.function),
        **case.kwargs,
    }
    booster = xgb.train(params, data, num_boost_round=1)
    tree = json.loads(booster.get_dump(dump_format="json", with_stats=True)[0])
    assert "leaf" in tree, f"expected a single leaf, got {tree}"
    return tree["cover"] / rows


def _example_rows() -> list:
    rows = []
    for name in PROJECT.names():
        spec = load_spec(name)
        if spec.shape != "elementwise":
            continue
        for index, equivalent in enumerate(spec.equivalents):
            for number in range(len(equivalent.examples)):
                if equivalent.style != "documented":
                    rows.append(pytest.param(name, index, number, id=f"{name}-{equivalent.function}-{number}"))
    return rows


@pytest.mark.parametrize(("name", "index", "number"), _example_rows())
def test_stated_library_values(name: str, index: int, number: int) -> None:
    spec = load_spec(name)
    equivalent = spec.equivalents[index]
    example = equivalent.examples[number]
    point = dict(example.point)
    params = {p.name: point.get(p.name, p.default) for p in spec.params}
    pred = np.array([point[spec.prediction.name]])
    target = np.array([point[spec.target.name]])
    case = Case(spec, equivalent, params, pred, target)
    style, quantity = equivalent.style, example.quantity
    if style in DERIVATIVES:
        values, grad, hess = DERIVATIVES[style](case)
        actual = {"loss": values, "grad": grad, "hess": hess}[quantity][0]
    elif style == "xgboost" and quantity == "hess":
        actual = xgboost_hessian(case)
    elif style == "scipy" and quantity == "loss":
        actual = float(np.asarray(resolve(equivalent.function)(*[v for _, v, _ in case.args()], **case.kwargs)))
    elif style == "sklearn" and quantity == "loss":
        actual = run_sklearn(case, None)
    else:
        pytest.fail(f"{name}: examples of the {quantity} are not checkable for style {style}")
    digits = _digits(example.theirs)
    assert _rounded(float(actual), digits) == example.theirs, (
        f"{equivalent.function} {quantity} at {point}: {actual!r}, the spec states {example.theirs!r}"
    )


# -- the loader ---------------------------------------------------------------------------------------------------

_ROW = '\n[[equivalents]]\nlibrary = "X"\nfunction = "x.f"\nstyle = "torch"\nargs = ["y_pred", "y_true"]\n'


@pytest.mark.parametrize(
    ("claim", "field", "message"),
    [
        ('reduction = "batchmean"', "reduction", "bad reduction 'batchmean'"),
        ('hessian_differs_at = "abs(r) =="', "hessian_differs_at", "syntax error"),
        ('hessian_differs_at = "r + 1"', "hessian_differs_at", "a value is used where a condition is expected"),
        ('hessian_differs_at = "abs(q) == c"', "hessian_differs_at", "unknown symbol 'q'"),
        ('examples = [{ y_pred = 1.0, quantity = "hess", theirs = 0.0 }]', "examples[0]", "missing the value of"),
        ('examples = [{ y_pred = 1.0, y_true = 0.0, quantity = "cdf", theirs = 0.0 }]', "examples[0].quantity", "bad"),
        ('examples = [{ y_pred = 1.0, y_true = 0.0, r = 1.0, quantity = "loss", theirs = 0.0 }]', "examples[0].r", ""),
        ('examples = [{ y_pred = "1", y_true = 0.0, quantity = "loss", theirs = 0.0 }]', "examples[0].y_pred", ""),
    ],
)
def test_the_loader_validates_claims(tmp_path, claim, field, message):
    from test_spec_loader import spec_text, write

    from lossgen.errors import SpecError
    from lossgen.spec import load_spec

    with pytest.raises(SpecError, match=rf"equivalents\[0\]\.{re.escape(field)}.*{re.escape(message)}"):
        load_spec(write(tmp_path, spec_text() + _ROW + claim + "\n"))


def test_the_loader_reads_claims(tmp_path):
    from test_spec_loader import spec_text, write

    from lossgen.spec import load_spec

    claims = (
        'reduction = "mean"\ndifferences = "Its Hessian at |r| = c is 0."\nhessian_differs_at = "abs(r) == c"\n'
        'examples = [{ y_true = 0.0, c = 2.0, y_pred = 2.0, quantity = "hess", theirs = 0.0 }]\n'
    )
    (row,) = load_spec(write(tmp_path, spec_text() + _ROW + claims)).equivalents
    assert (row.reduction, row.hessian_differs_at) == ("mean", "abs(r) == c")
    (example,) = row.examples
    assert example.point == (("y_pred", 2.0), ("y_true", 0.0), ("c", 2.0)) and example.quantity == "hess"
