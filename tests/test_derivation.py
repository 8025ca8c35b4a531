"""The symbolic derivation is right: checked against first principles, not against itself."""

from __future__ import annotations

import functools

import mpmath
import numpy as np
import pytest
import sympy as sp
from conftest import ELEMENTWISE, NAMES, ROWWISE, derivation, kernel, non_default_params, sample_inputs

from lossgen.primitives import PRIMITIVES, definition_form, lower_primitives, mpmath_namespace
from lossgen.reference import kink_points, mp_function


def _lambdify(d, expr):
    from lossgen.reference import _arguments

    return sp.lambdify(_arguments(d.spec), expr, modules=[mpmath_namespace(), "mpmath"])


def _auxiliary(d, count=1):
    """One value per auxiliary input (element-wise argument order: after the target)."""
    from lossgen.reference import auxiliary_values

    return [float(v[0]) for v in auxiliary_values(d, count).values()]


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
@pytest.mark.parametrize("name", ELEMENTWISE)
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
            args = [mpmath.mpf(t)] + [mpmath.mpf(v) for v in _auxiliary(d)] + [mpmath.mpf(v) for v in values]
            at_target = functools.partial(lambda x, rest: loss(x, *rest), rest=args)
            fd1 = mpmath.diff(at_target, mpmath.mpf(p))
            fd2 = mpmath.diff(at_target, mpmath.mpf(p), 2)
            g, h = grad(mpmath.mpf(p), *args), hess(mpmath.mpf(p), *args)
            assert abs(fd1 - g) <= mpmath.mpf(10) ** -30 * max(1, abs(g)), (p, t, fd1, g)
            assert abs(fd2 - h) <= mpmath.mpf(10) ** -25 * max(1, abs(h)), (p, t, fd2, h)


@pytest.mark.parametrize("name", ELEMENTWISE)
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
                args = [mpmath.mpf(p), mpmath.mpf(t)] + [mpmath.mpf(v) for v in _auxiliary(d)]
                args += [mpmath.mpf(x.default) for x in d.spec.params]
                a, b = shown_f(*args), computed_f(*args)
                assert abs(a - b) <= mpmath.mpf(10) ** -40 * max(1, abs(b)), (quantity, p, t, a, b)


@pytest.mark.parametrize("name", ELEMENTWISE)
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
                    args = [mpmath.mpf(float(p)), mpmath.mpf(float(t))] + [mpmath.mpf(v) for v in _auxiliary(d)]
                    args += [mpmath.mpf(x.default) for x in d.spec.params]
                    a, b = program_f(*args), truth_f(*args)
                    assert abs(a - b) <= mpmath.mpf(10) ** -40 * max(1, abs(b)), (program.name, out_name)


def _square_roots(program):
    exprs = [e for _, e in program.assignments + program.outputs]
    return sum(1 for e in exprs for p in e.atoms(sp.Pow) if p.exp in (sp.S.Half, -sp.S.Half))


def test_loss_and_gradient_forms_are_chosen_to_share_work():
    """Pseudo-Huber's stabilized loss has two equally short forms; the one chosen shares its square
    root with the gradient, so loss_and_grad computes one square root per element, not two."""
    d = derivation("pseudo_huber")
    assert _square_roots(d.programs["grad"]) == 1
    assert _square_roots(d.programs["loss_and_grad"]) == 1


def test_products_of_linear_factors_are_candidate_forms():
    """A polynomial piece that factors into linear factors is offered in that form (short, and
    accurate next to its roots); one with a factor of higher degree in the inputs is not, since
    that factor expanded in large, close inputs cancels. Tukey's gradient is r·(c − r)²(c + r)²/c⁴ in
    both branches of the polynomial, where simplification expanded the first."""
    from lossgen.derive import _factored

    y, t, c = sp.symbols("y t c", real=True)
    r = y - t
    assert _factored(sp.expand(r * (c - r) ** 2 * (c + r) ** 2)) == sp.factor(r * (c - r) ** 2 * (c + r) ** 2)
    quadratic = sp.expand((c - r) * (c**2 - 5 * r**2))  # (c − r)(c² − 5r²): a factor of degree 2
    assert _factored(quadratic) == quadratic
    piecewise = sp.Piecewise((sp.expand(r * (c - r)), y > 0), (sp.exp(y), True))
    assert _factored(piecewise) == sp.Piecewise((sp.factor(r * (c - r)), y > 0), (sp.exp(y), True))

    grad = derivation("tukey_biweight").grad
    pieces = [value for value, _ in grad.args[:1] + grad.args[1].args[0].args[:1]]
    assert len(pieces) == 2 and pieces[0] == pieces[1]
    bases = [f.base if f.is_Pow else f for f in sp.Mul.make_args(pieces[0])]
    assert all(sp.Poly(b).total_degree() == 1 for b in bases if b.free_symbols)  # c⁻⁴ and linear factors


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_powers_with_one_exponent_are_powers_of_a_product(name):
    """No program multiplies two powers with one exponent (a³·b³): it computes w = a·b once and
    w³ (Tukey's loss and gradient share w = (c − r)(c + r) as w³ and w²)."""
    for program in derivation(name).programs.values():
        for _, expr in program.hoisted + program.assignments + program.outputs:
            for mul in sp.preorder_traversal(expr):
                if isinstance(mul, sp.Mul):
                    exponents = [f.exp for f in mul.args if f.is_Pow and f.exp.is_Integer and f.exp > 1]
                    assert len(exponents) == len(set(exponents)), (program.name, mul)
    if name == "tukey_biweight":
        program = derivation(name).programs["loss_and_grad"]
        defined = dict(program.assignments)
        products = [s for s, v in program.assignments if isinstance(v, sp.Mul) and len(v.args) == 2]
        uses = [p for _, e in program.assignments + program.outputs for p in e.atoms(sp.Pow) if p.base in products]
        assert {p.exp for p in uses} == {2, 3}, uses
        assert list(defined).index(uses[0].base) < min(
            list(defined).index(s) for s, e in program.assignments if e.has(uses[0].base)
        )


def test_power_products_reuse_and_order_temporaries():
    """A product CSE already named for a later temporary is moved up to where it is first needed."""
    from lossgen.derive import _share_power_products

    a, b, x, t0, t1 = sp.symbols("a b x _t0 _t1", real=True)
    replacements = [(t0, a**2 * b**2 * x), (t1, a * b + x)]
    outputs = [a**3 * b**3 + t0, t1]
    replacements, outputs = _share_power_products(replacements + [(sp.Symbol("_t2", real=True), a * b)], outputs)
    names = [s for s, _ in replacements]
    product = next(s for s, v in replacements if v == a * b)
    assert names.index(product) < names.index(t0)
    assert dict(replacements)[t0] == product**2 * x and outputs[0] == product**3 + t0
    assert len([v for _, v in replacements if v == a * b]) == 1


def _divisions(program) -> dict:
    """For each base a program divides by (a negative integer power), in how many expressions."""
    from lossgen.derive import _negative_powers

    counts: dict = {}
    for _, expr in program.hoisted + program.assignments + program.outputs:
        for base in _negative_powers(expr):
            counts[base] = counts.get(base, 0) + 1
    return counts


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_each_denominator_is_divided_by_once(name):
    """Where several quantities divide by the same element-dependent base, the program computes its
    reciprocal once (Geman-McClure: loss by d, gradient by d²; a division per element saved)."""
    d = derivation(name)
    params = {p.symbol for p in d.spec.params}

    def varying(expr, defined) -> bool:
        return any(varying(defined[s], defined) if s in defined else s not in params for s in expr.free_symbols)

    for program in d.programs.values():
        defined = dict(program.hoisted + program.assignments)
        repeated = {base: n for base, n in _divisions(program).items() if n > 1 and varying(base, defined)}
        assert not repeated, (program.name, repeated)
    if name == "geman_mcclure":
        assert list(_divisions(d.programs["loss_and_grad"]).values()) == [1]


def test_weighted_cost_orders_operations_by_what_they_cost():
    """Divisions, square roots and calls cost more than additions in the count that breaks ties."""
    from lossgen.derive import _weighted_cost

    x, y = sp.symbols("x y", real=True)
    add, div, root = _weighted_cost(x + y), _weighted_cost(x / y), _weighted_cost(sp.sqrt(x))
    assert add < div < root < _weighted_cost(sp.exp(x)) < _weighted_cost(x**y)
    assert _weighted_cost(x**4) == 2  # repeated squaring
    assert _weighted_cost(x / (y * (x + y))) == div + 2  # one denominator, one division


@pytest.mark.parametrize("name", NAMES)
def test_derivation_is_fully_lowered(name):
    """No primitive, sign or step function is left for the printers (that a second derivation gives
    the same programs: test_build.py::test_full_regeneration_is_byte_identical)."""
    derived = derivation(name)
    for program in derived.programs.values():
        exprs = [e for _, e in program.assignments] + [e for _, e in program.outputs]
        for expr in exprs:
            assert not expr.has(*PRIMITIVES.values(), sp.sign, sp.Heaviside, sp.DiracDelta), expr
        allowed = {s.symbol for s in derived.spec.inputs} | {p.symbol for p in derived.spec.params}
        allowed |= {s for s, _ in program.assignments}
        assert set().union(*(e.free_symbols for e in exprs)) <= allowed


PRIMITIVE_POINTS = [-1e4, -745.0, -40.0, -1.0, -1e-20, 0.0, 1e-20, 0.5, 1.0, 40.0, 745.0, 1e4]


def _primitive_cases(cls):
    """Argument symbols and tuples of points inside the primitive's argument domains."""
    symbols = [sp.Symbol(f"x{i}", real=True) for i in range(len(cls.argument_domains))]
    per_argument = [[x for x in PRIMITIVE_POINTS if lo <= x <= hi] for lo, hi in cls.argument_domains]
    points = [tuple(column[(i * (k + 1)) % len(column)] for k, column in enumerate(per_argument)) for i in range(12)]
    return symbols, points


@pytest.mark.parametrize("primitive", sorted(PRIMITIVES))
def test_primitive_derivative_is_the_derivative_of_its_definition(primitive):
    cls = PRIMITIVES[primitive]
    symbols, points = _primitive_cases(cls)
    for x in symbols:
        stated = sp.diff(cls(*symbols), x)
        true = sp.diff(cls.definition(*symbols), x)
        stated_f = sp.lambdify(symbols, definition_form(stated), [mpmath_namespace(), "mpmath"])
        true_f = sp.lambdify(symbols, true, "mpmath")
        with mpmath.workdps(80):
            for point in points:
                if 0.0 in point and len(symbols) > 1:
                    continue  # x·log(y) at 0: the definition's derivative is not defined there
                args = [mpmath.mpf(v) for v in point]
                a, b = stated_f(*args), true_f(*args)
                assert abs(a - b) <= mpmath.mpf(10) ** -60 * max(abs(b), mpmath.mpf(10) ** -4000), (point, a, b)


@pytest.mark.parametrize("primitive", sorted(PRIMITIVES))
def test_primitive_stable_form_is_accurate_in_float64(primitive):
    """The lowered form, evaluated in float64, is within 4 ulps of the definition at 400 digits."""
    cls = PRIMITIVES[primitive]
    from lossgen.emit.printers import VectorPrinter

    symbols, points = _primitive_cases(cls)
    code = VectorPrinter().doprint(lower_primitives(cls(*symbols)))
    names = ", ".join(str(s) for s in symbols)
    stable = eval(f"lambda {names}: {code}", {"np": np})  # our own printed code, not spec text
    mp_definition = sp.lambdify(symbols, cls.definition(*symbols), [mpmath_namespace(), "mpmath"])
    with np.errstate(all="ignore"), mpmath.workdps(400):
        for point in points:
            computed = float(stable(*map(np.float64, point)))
            truth = (
                cls.mpmath_impl(*map(mpmath.mpf, point)) if len(symbols) > 1 else mp_definition(mpmath.mpf(point[0]))
            )
            assert np.isfinite(computed), (point, computed)
            ulp = np.spacing(max(abs(float(truth)), np.finfo(np.float64).tiny))
            assert float(abs(computed - truth)) <= 4 * ulp, (point, computed, truth)


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


@pytest.mark.parametrize("name", ROWWISE)
def test_rowwise_derivatives_match_high_precision_finite_differences(name):
    """Per-class gradient and Hessian diagonal vs mpmath.diff of the row loss in each logit.

    The row loss is evaluated from its reductions in mpmath (definitions of the primitives), so
    this checks the chain rule through row sums and log-sum-exps, for K = 2 and 5.
    """
    from lossgen.reference import RowReference

    d = derivation(name)
    reference = RowReference(d)
    rng = np.random.default_rng(7)
    for K in (2, 5):
        z = rng.normal(scale=2.0, size=K)
        target = rng.integers(0, K) if d.spec.target.kind == "label" else rng.dirichlet(np.ones(K))
        p = (np.arange(K) == target).astype(float) if np.ndim(target) == 0 else target
        truth, _ = reference.row(z, p)
        with mpmath.workdps(40):
            for j in range(K):

                def loss_at(x, j=j, z=z, p=p):
                    zz = [mpmath.mpf(float(v)) for v in z]
                    zz[j] = x
                    return reference.loss_at(zz, [mpmath.mpf(float(v)) for v in p])

                fd1 = mpmath.diff(loss_at, mpmath.mpf(float(z[j])))
                fd2 = mpmath.diff(loss_at, mpmath.mpf(float(z[j])), 2)
                assert abs(fd1 - truth["grad"][j]) <= mpmath.mpf(10) ** -25 * max(1, abs(fd1)), (j, fd1)
                assert abs(fd2 - truth["hess"][j]) <= mpmath.mpf(10) ** -20 * max(1, abs(fd2)), (j, fd2)


def test_softmax_losses_make_the_max_pass_then_one_pass_for_value_and_gradient():
    """Per row: the log-sum-exp pass, then one loop that accumulates the loss and writes the gradient."""
    for name in ("softmax_cross_entropy", "sparse_softmax_cross_entropy", "kl_div_logits"):
        kernel = derivation(name).row_kernels["loss_and_grad"]
        assert len(kernel.passes) == 2 and kernel.fused, name
        assert [r.kind for r in kernel.passes[0].reductions if r.kind != "sum"] == ["logsumexp"]


def test_softmax_reuses_the_logsumexp_exponentials():
    """Kernels write e^(ẑ − L) as the logsumexp's softmax symbol (e^ẑ · 1/Σ e^ẑ from the pass's own
    exponentials), so the gradient and Hessian loops compute no exp of their own."""
    for name in ("softmax_cross_entropy", "sparse_softmax_cross_entropy", "kl_div_logits"):
        d = derivation(name)
        lse = next(r for r in d.reductions if r.kind == "logsumexp")
        for kernel_name in ("loss_and_grad", "grad", "hess"):
            element = d.row_kernels[kernel_name].element
            assert lse.softmax_symbol in element.free_symbols, (name, kernel_name)
            assert not element.functions & {"exp", "shifted_exp"}, (name, kernel_name, element.functions)


def test_logsumexp_is_carried_as_max_and_log_with_exactly_shifted_logits():
    """Expressions use ẑ = z − max and L = log Σ e^ẑ, never the rounded sum max + L (PyTorch's accuracy)."""
    d = derivation("softmax_cross_entropy")
    lse = next(r for r in d.reductions if r.kind == "logsumexp")
    assert lse.shifted is not None
    for expr in (d.loss, d.grad, d.hess):
        assert lse.symbol not in expr.free_symbols and lse.max_symbol not in expr.free_symbols


def test_log1p_of_a_value_in_the_unit_interval_prints_the_unguarded_helper():
    """log1p's argument is proved to lie in [0, 1] (or be NaN) only as e^a with a ≤ 0 by SymPy's
    assumptions, written inline or as a temporary defined so; anything else keeps the guarded helper."""
    from sympy.codegen.cfunctions import log1p

    from lossgen.derive import Program
    from lossgen.emit.printers import ScalarPrinter
    from lossgen.emit.python import print_program

    x, t = sp.Symbol("x", real=True), sp.Symbol("_t0")
    printer = ScalarPrinter()
    assert printer.doprint(log1p(sp.exp(-sp.Abs(x)))) == "_log1p_unit(_exp(-abs(x)))"
    assert printer.doprint(log1p(sp.exp(x))) == "_log1p(_exp(x))"
    assert printer.doprint(log1p(sp.exp(sp.Abs(x)))) == "_log1p(_exp(abs(x)))"
    assert printer.doprint(log1p(t)) == "_log1p(_t0)"  # a temporary of unknown range
    program = Program("loss", ((t, sp.exp(-(x**2))),), (("loss", log1p(t) + log1p(sp.exp(t))),))
    printed = print_program(program)
    assert printed.scalar_outputs == (("loss", "_log1p_unit(_t0) + _log1p(_exp(_t0))"),)
    assert printed.calls_vector_math
