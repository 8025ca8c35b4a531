"""The lossgen command: output, exit codes, and no traceback for a user mistake."""

from __future__ import annotations

import pytest
from conftest import NAMES, PROJECT
from test_build import copy_project, run_cli

from lossgen.cli import main


def test_list_shows_every_loss_with_its_title(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in NAMES:
        assert any(line.startswith(name + " ") and PROJECT.load(name).title in line for line in out.splitlines())


def test_show_prints_loss_gradient_hessian_and_conventions(capsys):
    assert main(["show", "huber"]) == 0
    out = capsys.readouterr().out
    for heading in ("loss:", "d loss / d y_pred:", "d² loss / d y_pred²:", "convention: sign(0) = 0", "after CSE"):
        assert heading in out
    assert "sign(r)" in out


@pytest.mark.parametrize(
    "argv,message",
    [
        (["show", "nope"], "unknown loss 'nope'"),
        (["build", "nope"], "unknown loss 'nope'"),
        (["new", "Bad-Name"], "not a valid loss name"),
        (["new", "huber"], "already exists; not overwriting"),
    ],
)
def test_user_mistakes_exit_2_with_one_line_on_stderr(argv, message):
    result = run_cli(PROJECT.root, *argv)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.startswith("lossgen: error: ")


def test_a_bad_spec_fails_the_build_before_anything_is_written(tmp_path):
    root = copy_project(tmp_path)
    (root / "specs" / "broken.toml").write_text(
        'name = "broken"\ntitle = "t"\nsummary = "s"\nloss = "y_pred +"\n'
        '[inputs.y_pred]\nrole = "prediction"\n[inputs.y_true]\nrole = "target"\n'
    )
    before = {p: p.read_bytes() for p in (root / "generated").rglob("*.*")}
    result = run_cli(root, "build")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "specs/broken.toml: field 'loss': syntax error at column 9" in result.stderr
    assert {p: p.read_bytes() for p in (root / "generated").rglob("*.*")} == before


def test_root_option_and_environment_variable(tmp_path):
    root = copy_project(tmp_path)
    assert run_cli(PROJECT.root, "--root", str(root), "new", "extra").returncode == 0
    assert (root / "specs" / "extra.toml").exists() and not (PROJECT.specs / "extra.toml").exists()
    result = run_cli(PROJECT.root, "--root", str(root), "list")
    assert result.returncode == 0 and "extra" in result.stdout
    result = run_cli(PROJECT.root, "list", env={"LOSSGEN_ROOT": str(root)})
    assert "extra" in result.stdout
    assert "extra" not in run_cli(PROJECT.root, "list").stdout


def test_readme_catalog_is_the_current_catalog():
    """The README's catalog table is exactly `lossgen list --markdown` (regenerate it when a spec changes)."""
    from lossgen.cli import catalog_markdown

    readme = (PROJECT.root / "README.md").read_text(encoding="utf-8")
    start, end = readme.index("<!-- catalog:start -->\n"), readme.index("\n<!-- catalog:end -->")
    assert readme[start + len("<!-- catalog:start -->\n") : end] == catalog_markdown(PROJECT), (
        "README catalog is stale: paste the output of `lossgen list --markdown`"
    )
