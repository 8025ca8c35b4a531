"""The spec loader: specs are data; every error names the file, the field and the problem."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
import sympy as sp

from lossgen.errors import SpecError
from lossgen.spec import load_spec

VALID = """
name = "{name}"
title = "Test loss"
summary = "A loss for tests."
shape = "elementwise"
loss = "{loss}"

[inputs.y_pred]
role = "prediction"

[inputs.y_true]
role = "target"

[params.c]
default = 1.0
domain = "positive"

[intermediates]
r = "y_pred - y_true"
"""


def write(tmp_path: Path, text: str, name: str = "case") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def spec_text(loss: str = "c*r**2", name: str = "case", **replace: str) -> str:
    text = VALID.format(name=name, loss=loss)
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


def test_valid_spec_loads_into_sympy(tmp_path):
    spec = load_spec(write(tmp_path, spec_text("where(abs(r) <= c, r**2/2, c*(abs(r) - c/2))")))
    assert spec.name == "case" and [p.name for p in spec.params] == ["c"]
    assert spec.params[0].symbol.is_positive and spec.prediction.symbol.is_real
    y, t, c = spec.prediction.symbol, spec.target.symbol, spec.params[0].symbol
    assert sp.simplify(spec.expanded_loss().subs({y: 3, t: 1, c: 1}) - sp.Rational(3, 2)) == 0
    assert len(spec.sha256) == 64


def test_decimal_literals_are_exact(tmp_path):
    spec = load_spec(write(tmp_path, spec_text("0.1*r**2")))
    assert sp.Rational(1, 10) in spec.loss.atoms(sp.Rational)


INJECTIONS = [
    "__import__('os').system('touch {marker}')",
    "open('{marker}', 'w').write('x')",
    "(lambda: __import__('os').system('touch {marker}'))()",
    "[x for x in ().__class__.__bases__[0].__subclasses__()]",
    "exec('open(\\\\'{marker}\\\\', \\\\'w\\\\')')",
    "r.__class__",
    "getattr(r, '__class__')",
    "eval('1')",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_code_in_a_spec_is_rejected_and_never_runs(tmp_path, payload):
    marker = tmp_path / "pwned"
    loss = payload.format(marker=marker).replace('"', '\\"')
    path = write(tmp_path, spec_text(loss))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert info.value.field == "loss" and str(path) in str(info.value)
    assert not marker.exists()


def test_no_string_is_ever_evaluated(tmp_path, monkeypatch):
    """The parser builds SymPy objects itself: neither sympify's string parser nor eval/exec runs."""
    import builtins

    import sympy.parsing.sympy_parser as sympy_parser

    def forbidden(*args, **kwargs):
        raise AssertionError(f"string evaluation reached with {args[:1]!r}")

    def guard(original):
        def wrapper(source, *args, **kwargs):
            if isinstance(source, (str, bytes)):  # code objects: Python importing SymPy modules
                forbidden(source)
            return original(source, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(sympy_parser, "parse_expr", forbidden)
    monkeypatch.setattr(builtins, "eval", guard(builtins.eval))
    monkeypatch.setattr(builtins, "exec", guard(builtins.exec))
    load_spec(write(tmp_path, spec_text("softplus(r) + log(cosh(r)) + max(r, 0) + 0.5*sign(r)")))


ERRORS = [
    # (replacement in the valid text, field named, words in the message)
    ({'loss = "c*r**2"': 'loss = "c*r**"'}, "loss", "syntax error at column"),
    ({'loss = "c*r**2"': 'loss = "c*q**2"'}, "loss", "unknown symbol 'q'"),
    ({'loss = "c*r**2"': 'loss = "frobnicate(r)"'}, "loss", "unknown function 'frobnicate'"),
    ({'loss = "c*r**2"': 'loss = "c*y_true**2"'}, "loss", "does not depend on the prediction 'y_pred'"),
    ({'loss = "c*r**2"': 'loss = "r if r > 0 else 0"'}, "loss", "'IfExp' is not allowed"),
    ({'loss = "c*r**2"': 'loss = "r % 2"'}, "loss", "operator 'Mod' is not allowed"),
    ({'loss = "c*r**2"': "loss = \"'text'\""}, "loss", "is not a number"),
    ({'loss = "c*r**2"': 'loss = "r > 0"'}, "loss", "condition is used where a value is expected"),
    ({'loss = "c*r**2"': 'loss = "where(r, 1, 0)"'}, "loss", "value is used where a condition is expected"),
    ({'loss = "c*r**2"': 'loss = "Piecewise((r, r > 0))"'}, "loss", "last Piecewise pair must have the condition True"),
    ({'loss = "c*r**2"': 'loss = "1/0 + r"'}, "loss", "infinite or undefined"),
    ({'loss = "c*r**2"': 'loss = "exp(x=r)"'}, "loss", "positional arguments only"),
    ({'loss = "c*r**2"': 'loss = ""'}, "loss", "must not be empty"),
    ({'loss = "c*r**2"\n': ""}, "loss", "missing"),
    ({"default = 1.0\n": ""}, "params.c.default", "missing default"),
    ({"default = 1.0": 'default = "one"'}, "params.c.default", "expected a number"),
    ({"default = 1.0": "default = -1.0"}, "params.c.default", "outside the domain (0, inf)"),
    ({'domain = "positive"': 'domain = "happy"'}, "params.c.domain", "bad domain 'happy'"),
    ({"[params.c]": "[params.r]"}, "intermediates.r", "duplicate name 'r' (already declared in params.r)"),
    (
        {'r = "y_pred - y_true"': 'y_true = "y_pred"'},
        "intermediates.y_true",
        "duplicate name 'y_true' (already declared in inputs.y_true)",
    ),
    ({"[params.c]": "[params.y_pred]"}, "params.y_pred", "reserved name"),
    ({"[params.c]": "[params.reduction]"}, "params.reduction", "reserved name"),
    ({"[params.c]": "[params.exp]"}, "params.exp", "reserved name"),
    ({"[params.c]": "[params._c]"}, "params._c", "not a valid name"),
    ({'role = "target"': 'role = "label"'}, "inputs.y_true.role", "bad role 'label'"),
    ({'role = "target"': 'role = "prediction"'}, "inputs", "exactly 1 input with role 'prediction', found 2"),
    ({'shape = "elementwise"': 'shape = "blockwise"'}, "shape", "unsupported shape 'blockwise'"),
    ({'name = "case"': 'name = "other"'}, "name", "must equal the file name 'case'"),
    ({'name = "case"': 'name = "Case"'}, "name", "must be lowercase"),
    ({'title = "Test loss"\n': ""}, "title", "missing"),
    ({'title = "Test loss"': "title = 3"}, "title", "expected a string"),
    ({'title = "Test loss"': 'title = "x"\ncolour = "red"'}, "<top level>.colour", "unknown key"),
    ({'domain = "positive"': 'domain = "positive"\nunit = "m"'}, "params.c.unit", "unknown key"),
    ({'name = "case"': 'name = "case"\nname = "again"'}, "<file>", "invalid TOML"),
    ({'r = "y_pred - y_true"': 'r = "y_pred - s"\ns = "y_true"'}, "intermediates.r.expr", "unknown symbol 's'"),
]


@pytest.mark.parametrize("replace,field,message", ERRORS, ids=[e[2] for e in ERRORS])
def test_bad_specs_name_file_field_and_problem(tmp_path, replace, field, message):
    text = VALID.format(name="case", loss="c*r**2")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert info.value.path == str(path)
    assert info.value.field == field, str(info.value)
    assert message in info.value.message, str(info.value)
    assert str(info.value).startswith(f"{path}: field '{field}': ")


def test_weight_input_may_not_appear_in_the_loss(tmp_path):
    text = spec_text("w*r**2") + '\n[inputs.w]\nrole = "weight"\n'
    # [inputs.w] after [intermediates] is still a table of its own in TOML
    with pytest.raises(SpecError, match="must not use the weight input 'w'"):
        load_spec(write(tmp_path, text))


def test_equivalents_are_validated(tmp_path):
    base = spec_text()
    bad_style = base + '\n[[equivalents]]\nlibrary = "X"\nfunction = "x.f"\nstyle = "matlab"\n'
    with pytest.raises(SpecError, match=r"equivalents\[0\]\.style.*unknown style 'matlab'"):
        load_spec(write(tmp_path, bad_style))
    bad_arg = base + '\n[[equivalents]]\nlibrary = "X"\nfunction = "x.f"\nstyle = "torch"\nargs = ["nope"]\n'
    with pytest.raises(SpecError, match=r"equivalents\[0\]\.args.*unknown name 'nope'"):
        load_spec(write(tmp_path, bad_arg))
    bad_scale = base + '\n[[equivalents]]\nlibrary = "X"\nfunction = "x.f"\nstyle = "torch"\nscale = "__import__(1)"\n'
    with pytest.raises(SpecError, match=r"equivalents\[0\]\.scale"):
        load_spec(write(tmp_path, bad_scale))


def test_unreadable_and_non_utf8_files(tmp_path):
    with pytest.raises(SpecError, match="cannot read"):
        load_spec(tmp_path / "missing.toml")
    path = tmp_path / "case.toml"
    path.write_bytes(b'name = "\xff"')
    with pytest.raises(SpecError, match="invalid TOML"):
        load_spec(path)


def test_every_catalog_spec_loads():
    from conftest import NAMES, PROJECT

    for name in NAMES:
        spec = PROJECT.load(name)
        assert spec.name == name and spec.summary and spec.references
        assert os.path.basename(spec.path) == f"{name}.toml"
