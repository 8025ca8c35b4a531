"""The reference sheet: ``lossgen docs`` compiles it warning-free, and the PDF shows every loss and library row.

Parametrized over the catalog: a new spec is checked with no new test code. The sheet is compiled once, in a copy
of the project. CI installs TeX (``.ci/run``), so there these tests run; elsewhere they skip without a TeX engine.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
from types import SimpleNamespace

import pytest
from conftest import NAMES, PROJECT
from test_build import copy_project, run_cli

TEX_AVAILABLE = all(shutil.which(tool) for tool in ("latexmk", "pdflatex", "pdftotext"))
#: Overfull boxes up to this width (in pt) are invisible; wider ones are layout bugs.
OVERFULL_LIMIT_PT = 3.0

pytestmark = [
    pytest.mark.skipif(not TEX_AVAILABLE and not os.environ.get("CI"), reason="no TeX engine here (CI installs one)"),
]


def _compact(text: str) -> str:
    """Text without any whitespace: line breaks inside table cells and code do not matter."""
    return "".join(text.split())


@pytest.fixture(scope="session")
def sheet(tmp_path_factory, worker_id) -> SimpleNamespace:
    # Compiled once per test run, whichever xdist workers the module's tests land on (the
    # xdist_group mark alone did not keep them on one worker): the first worker to get here
    # compiles under a file lock in the run's shared temporary directory; the others reuse it.
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    root = shared / "docs" / "project"
    with open(shared / "docs.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stdout_file = shared / "docs" / "stdout.txt"
        if not stdout_file.exists():
            root = copy_project(shared / "docs")
            result = run_cli(root, "docs")
            assert result.returncode == 0, result.stderr + result.stdout
            stdout_file.write_text(result.stdout)
    result = SimpleNamespace(stdout=stdout_file.read_text())
    build = root / "generated" / "latex" / "_build"
    pdf = build / "reference.pdf"
    # -raw keeps the content-stream order: each table cell's lines stay together.
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = text.replace("\u2019", "'").replace("\u2018", "'")  # typeset apostrophes
    return SimpleNamespace(
        result=result,
        pdf=pdf,
        log=(build / "reference.log").read_text(errors="replace"),
        flat=" ".join(text.split()),
        compact=_compact(text),
        latex=root / "generated" / "latex",
    )


def test_docs_compiles_the_reference_sheet(sheet):
    assert sheet.pdf.exists() and "compiled generated/latex/_build/reference.pdf" in sheet.result.stdout


def test_no_undefined_references(sheet):
    for pattern in ("undefined references", r"Reference `[^']*' on page \d+ undefined", "Citation", "multiply defined"):
        assert not re.search(pattern, sheet.log), f"reference.log: {re.search(pattern, sheet.log).group(0)}"


def test_no_overfull_boxes(sheet):
    found = re.findall(r"Overfull \\[hv]box \((\d+(?:\.\d+)?)pt too (?:wide|high)\)[^\n]*", sheet.log)
    widths = [float(w) for w in found]
    assert all(w <= OVERFULL_LIMIT_PT for w in widths), f"overfull boxes in reference.log (pt): {widths}"


def test_title_page_contents_and_summary(sheet):
    assert "lossgen reference sheet" in sheet.flat
    assert "Contents" in sheet.flat and "Summary" in sheet.flat


@pytest.mark.parametrize("name", NAMES)
def test_every_loss_has_its_section(sheet, name):
    spec = PROJECT.load(name)
    assert spec.title in sheet.flat, spec.title
    assert f'lossgen.kernel("{name}")' in sheet.flat
    for heading in ("Definition", "Gradient and Hessian diagonal (derived by lossgen)", "Inputs and parameters"):
        assert heading in sheet.flat
    # The plot: sampled data and three axes (loss, gradient, Hessian) in the section, and its caption.
    fragment = (sheet.latex / f"{name}.tex").read_text()
    assert fragment.count(r"\nextgroupplot") == 3 and r"\pgfplotstableread" in fragment
    assert _compact("Loss, gradient and Hessian diagonal as functions of") in sheet.compact
    for param in spec.params:
        assert _compact(param.name) in sheet.compact


EQUIVALENTS = [
    pytest.param(name, index, id=f"{name}-{equivalent.function}")
    for name in NAMES
    for index, equivalent in enumerate(PROJECT.load(name).equivalents)
]


@pytest.mark.parametrize(("name", "index"), EQUIVALENTS)
def test_every_library_row_is_on_the_sheet(sheet, name, index):
    equivalent = PROJECT.load(name).equivalents[index]
    assert equivalent.library in sheet.flat
    assert _compact(equivalent.call) in sheet.compact, equivalent.call
    if equivalent.style == "documented":
        assert "stated by the library's documentation, not tested" in sheet.flat
