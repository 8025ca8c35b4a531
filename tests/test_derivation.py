"""The symbolic derivation is right: checked against first principles, not against itself."""

from __future__ import annotations

import functools

import mpmath
import numpy as np
import pytest
import sympy as sp
from conftest import NAMES, PROJECT, derivation, kernel, non_default_params, sample_inputs

from lossgen.derive import derive
from lossgen.primitives import PRIMITIVES, definition_form, lower_primitives, mpmath_namespace
from lossgen.reference import kink_points, mp_function


def _lambdify(d, expr):
    spec = d.spec
    symbols = [spec.prediction.symbol, spec.target.symbol] + [p.symbol for p in spec.params]
    return sp.lambdify(symbols, expr, modules=[mpmath_namespace(), "mpmath"])


def _points_away_from_kinks(name, params, n=12):
    """Random (pred, target) at least 1e-3 away from every kink, where derivatives exist."""
    d = derivation(name)
    pred, target = sample_inputs(name, n=n, seed=3)
    keep = []
    for p, t in zip(pred, target):
        kinks = kink_points(d, float(t), params)
        if all(abs(p - b) > 1e-3 for b in kinks):
            keep.append((float(p), float(t)))
    assert len(keep) >= n // 2
    return keep


@pytest.mark.parametrize("use_defaults", [True, False], ids=["default-params", "other-params"])
@pytest.mark.parametrize("name", NAMES)
def test_derivatives_match_high_precision_finite_differences(name, use_defaults):
    """grad and hess vs mpmath.diff of the loss written with the primitives' *definitions*.

    Using definitions (log(1 + e^x), not softplus) also checks every primitive's hand-stated
    derivative and every stability rewrite.
    """
    d = derivation(name)
    params = {} if use_defaults else non_default_params(name)
    values = [params.get(p.name, p.default) for p in d.spec.params]
    loss = mp_function(d, "loss", definitions=True)
    grad = mp_function(d, "grad")
    hess = mp_function(d, "hess")
    with mpmath.workdps(60):
        for p, t in _points_away_from_kinks(name, params):
            args = [mpmath.mpf(t)] + [mpmath.mpf(v) for v in values]
            at_target = functools.partial(lambda x, rest: loss(x, *rest), rest=args)
            fd1 = mpmath.diff(at_target, mpmath.mpf(p))
            fd2 = mpmath.diff(at_target, mpmath.mpf(p), 2)
            g, h = grad(mpmath.mpf(p), *args), hess(mpmath.mpf(p), *args)
            assert abs(fd1 - g) <= mpmath.mpf(10) ** -30 * max(1, abs(g)), (p, t, fd1, g)
            assert abs(fd2 - h) <= mpmath.mpf(10) ** -25 * max(1, abs(h)), (p, t, fd2, h)


@pytest.mark.parametrize("name", NAMES)
def test_display_forms_equal_computed_forms(name):
    """The forms shown to humans (in terms of intermediates) equal the ones compiled."""
    d = derivation(name)
    substitutions = [(m.symbol, m.expr) for m in reversed(d.spec.intermediates)]
    with mpmath.workdps(50):
        for quantity, shown in (("loss", d.display_loss), ("grad", d.display_grad), ("hess", d.display_hess)):
            expanded = shown
            for symbol, expr in substitutions:
                expanded = expanded.subs(symbol, expr)
            shown_f, computed_f = _lambdify(d, expanded), mp_function(d, quantity)
            for p, t in _points_away_from_kinks(name, {}):
                args = [mpmath.mpf(p), mpmath.mpf(t)] + [mpmath.mpf(x.default) for x in d.spec.params]
                a, b = shown_f(*args), computed_f(*args)
                assert abs(a - b) <= mpmath.mpf(10) ** -40 * max(1, abs(b)), (quantity, p, t, a, b)


@pytest.mark.parametrize("name", NAMES)
def test_cse_programs_compute_the_derived_quantities(name):
    """Lowering + CSE preserve meaning: re-substituted programs equal loss/grad/hess (mpmath)."""
    d = derivation(name)
    pred, target = sample_inputs(name, n=6, seed=5)
    with mpmath.workdps(50):
        for program in d.programs.values():
            for out_name, out_expr in program.outputs:
                expr = out_expr
                for symbol, value in reversed(program.assignments):
                    expr = expr.subs(symbol, value)
                program_f, truth_f = _lambdify(d, expr), mp_function(d, out_name)
                for p, t in zip(pred, target):
                    args = [mpmath.mpf(float(p)), mpmath.mpf(float(t))] + [mpmath.mpf(x.default) for x in d.spec.params]
                    a, b = program_f(*args), truth_f(*args)
                    assert abs(a - b) <= mpmath.mpf(10) ** -40 * max(1, abs(b)), (program.name, out_name)


@pytest.mark.parametrize("name", NAMES)
def test_derivation_is_deterministic_and_fully_lowered(name):
    first, second = derive(PROJECT.load(name)), derivation(name)
    assert first.programs == second.programs
    for program in first.programs.values():
        exprs = [e for _, e in program.assignments] + [e for _, e in program.outputs]
        for expr in exprs:
            assert not expr.has(*PRIMITIVES.values(), sp.sign, sp.Heaviside, sp.DiracDelta), expr
        allowed = {s.symbol for s in first.spec.inputs} | {p.symbol for p in first.spec.params}
        allowed |= {s for s, _ in program.assignments}
        assert set().union(*(e.free_symbols for e in exprs)) <= allowed


X = sp.Symbol("x", real=True)
PRIMITIVE_POINTS = [-1e4, -745.0, -40.0, -1.0, -1e-20, 0.0, 1e-20, 0.5, 1.0, 40.0, 745.0, 1e4]


@pytest.mark.parametrize("primitive", sorted(PRIMITIVES))
def test_primitive_derivative_is_the_derivative_of_its_definition(primitive):
    cls = PRIMITIVES[primitive]
    stated = sp.diff(cls(X), X)
    true = sp.diff(cls.definition(X), X)
    stated_f = sp.lambdify(X, definition_form(stated), "mpmath")
    true_f = sp.lambdify(X, true, "mpmath")
    with mpmath.workdps(80):
        for x in PRIMITIVE_POINTS:
            a, b = stated_f(mpmath.mpf(x)), true_f(mpmath.mpf(x))
            assert abs(a - b) <= mpmath.mpf(10) ** -60 * max(abs(b), mpmath.mpf(10) ** -4000), (x, a, b)


@pytest.mark.parametrize("primitive", sorted(PRIMITIVES))
def test_primitive_stable_form_is_accurate_in_float64(primitive):
    """The lowered form, evaluated in float64, is within 4 ulps of the definition at 80 digits."""
    cls = PRIMITIVES[primitive]
    from lossgen.emit.printers import VectorPrinter

    code = VectorPrinter().doprint(lower_primitives(cls(X)))
    namespace = {"np": np}
    stable = eval(f"lambda x: {code}", namespace)  # our own printed code, not spec text
    mp_definition = sp.lambdify(X, cls.definition(X), "mpmath")
    with np.errstate(all="ignore"), mpmath.workdps(400):
        for x in PRIMITIVE_POINTS:
            computed = float(stable(np.float64(x)))
            truth = mp_definition(mpmath.mpf(x))
            assert np.isfinite(computed), (x, computed)
            ulp = np.spacing(max(abs(float(truth)), np.finfo(np.float64).tiny))
            assert float(abs(computed - truth)) <= 4 * ulp, (x, computed, truth)


def test_kink_conventions_are_the_documented_ones():
    """sign(0) = 0 (mae), Heaviside(0) = 1/2 (pinball), the branch whose condition holds (huber)."""
    zero = np.zeros(1)
    for backend in ("numpy", "numba"):
        assert kernel("mae", backend).grad(zero, zero, reduction="none")[0] == 0.0
        tau = 0.3
        assert kernel("pinball", backend).grad(zero, zero, reduction="none", tau=tau)[0] == pytest.approx(0.5 - tau)
        # |r| = delta is in the quadratic branch (delta >= |r|): Hessian 1 there, 0 beyond.
        huber = kernel("huber", backend)
        assert huber.hess(np.array([1.0, 1.5]), np.zeros(2), reduction="none").tolist() == [1.0, 0.0]
        # smooth_l1 uses |r| < beta, so |r| = beta is already linear.
        assert kernel("smooth_l1", backend).hess(np.array([1.0]), zero, reduction="none")[0] == 0.0


def test_conventions_are_detected_from_the_expressions():
    from lossgen.derive import CONVENTION_DIRAC, CONVENTION_HEAVISIDE, CONVENTION_PIECEWISE, CONVENTION_SIGN

    assert CONVENTION_SIGN in derivation("mae").conventions
    assert CONVENTION_DIRAC in derivation("mae").conventions
    assert CONVENTION_HEAVISIDE in derivation("pinball").conventions
    assert CONVENTION_PIECEWISE in derivation("huber").conventions
    assert derivation("mse").conventions == ()
