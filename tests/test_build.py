"""The build: generated/ is current, deterministic, and a stale or hand-edited file is caught."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT

from lossgen.build import Builder, read_stamp

ROOT = PROJECT.root


def copy_project(tmp_path: Path) -> Path:
    """A copy of the project (package, specs, generated) whose own lossgen package runs."""
    target = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "_build", "*.nbi", "*.nbc")
    for folder in ("lossgen", "specs", "generated"):
        shutil.copytree(ROOT / folder, target / folder, ignore=ignore)
    return target


def run_cli(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m lossgen.cli`` from ``root`` so that root's copy of the package is used."""
    environment = {k: v for k, v in os.environ.items() if k != "LOSSGEN_ROOT"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "lossgen.cli", *args],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )


def test_generated_files_are_current():
    report = Builder(PROJECT).run(check=True)
    assert not report.changed, f"run `lossgen build`: stale {report.changed}"


def test_full_regeneration_is_byte_identical():
    """Re-deriving everything from scratch reproduces generated/ exactly (stamps not trusted)."""
    report = Builder(PROJECT).run(check=True, full=True)
    assert not report.changed, f"regeneration differs from the checked-in files: {report.changed}"


def test_every_generated_file_is_stamped():
    files = sorted(
        p for p in PROJECT.generated.rglob("*") if p.suffix in (".py", ".tex") and "__pycache__" not in p.parts
    )
    assert files
    for path in files:
        stamp = read_stamp(path)
        assert stamp is not None and stamp["intact"] == "True", path
        first = path.read_text().splitlines()[0]
        assert "generated from" in first and "do not edit by hand" in first


def test_output_does_not_depend_on_hash_seed_or_process(tmp_path):
    """Two fresh processes with different hash seeds (SymPy iterates sets) write identical files."""
    outputs = []
    for seed in ("1", "2"):
        root = copy_project(tmp_path / f"seed{seed}")
        shutil.rmtree(root / "generated")
        result = run_cli(root, "build", "--jobs", "1", env={"PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.append(root / "generated")
    for root in outputs:
        comparison = filecmp.dircmp(root, PROJECT.generated, ignore=["__pycache__", "_build"])
        _assert_same_tree(comparison)


def _assert_same_tree(comparison: filecmp.dircmp) -> None:
    assert not comparison.left_only and not comparison.right_only, (comparison.left_only, comparison.right_only)
    _, mismatch, errors = filecmp.cmpfiles(comparison.left, comparison.right, comparison.common_files, shallow=False)
    assert not mismatch and not errors, mismatch
    for sub in comparison.subdirs.values():
        _assert_same_tree(sub)


def test_check_fails_after_spec_template_or_hand_edit_and_build_repairs(tmp_path):
    root = copy_project(tmp_path)
    assert run_cli(root, "build", "--check").returncode == 0

    # A touched spec makes exactly that spec's files (and the reference document) stale.
    spec = root / "specs" / "huber.toml"
    spec.write_text(spec.read_text().replace("default = 1.0", "default = 1.5"))
    result = run_cli(root, "build", "--check")
    assert result.returncode == 1
    assert "generated/numba/huber.py" in result.stderr and "generated/latex/huber.tex" in result.stderr
    assert "mse.py" not in result.stderr

    # A hand edit of a generated file is caught although its spec and generator are unchanged.
    generated = root / "generated" / "numpy" / "mse.py"
    generated.write_text(generated.read_text().replace("import numpy as np", "import numpy as np  # tweak"))
    assert "generated/numpy/mse.py" in run_cli(root, "build", "--check").stderr

    # A generated file without a spec is reported.
    shutil.copy(root / "generated" / "numpy" / "mse.py", root / "generated" / "numpy" / "orphan.py")
    assert "no spec for: generated/numpy/orphan.py" in run_cli(root, "build", "--check").stderr

    # `build` repairs everything; then the check passes and a no-op build writes nothing.
    result = run_cli(root, "build")
    assert result.returncode == 0 and "removed generated/numpy/orphan.py" in result.stdout
    assert run_cli(root, "build", "--check").returncode == 0
    assert "0 written, 0 removed" in run_cli(root, "build").stdout

    # A touched template makes every file rendered from it stale.
    template = root / "lossgen" / "emit" / "templates" / "numba_module.py.jinja"
    template.write_text(template.read_text() + "\n")
    result = run_cli(root, "build", "--check")
    assert result.returncode == 1
    for name in PROJECT.names():
        assert f"generated/numba/{name}.py" in result.stderr


def test_noop_build_does_no_sympy_work(tmp_path):
    root = copy_project(tmp_path)
    probe = (
        "import sys, lossgen.cli as c; rc = c.main(['build']); "
        "print('SYMPY' if 'sympy' in sys.modules else 'NO-SYMPY'); sys.exit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "NO-SYMPY" in result.stdout and "0 written" in result.stdout


def test_new_spec_following_the_readme_gives_tested_kernels(tmp_path):
    """`lossgen new`, edit nothing but the spec, `lossgen build`: correct kernels and a LaTeX page."""
    root = copy_project(tmp_path)
    assert run_cli(root, "new", "my_loss").returncode == 0
    result = run_cli(root, "build", "my_loss")
    assert result.returncode == 0, result.stderr
    for relpath in ("numpy/my_loss.py", "numba/my_loss.py", "latex/my_loss.tex"):
        assert (root / "generated" / relpath).exists()
    assert "\\input{my_loss}" in (root / "generated" / "latex" / "reference.tex").read_text()
    # The template's example is the Cauchy loss c²/2·log(1 + (r/c)²): check the kernels against it.
    probe = """
import numpy as np, lossgen
r = np.linspace(-5, 5, 11); c = 2.0; t = np.zeros(11); u = (r / c) ** 2
for backend in ("numpy", "numba"):
    k = lossgen.kernel("my_loss", backend)
    np.testing.assert_allclose(k.loss(r, t, reduction="none", c=c), c**2 / 2 * np.log1p(u), rtol=1e-14)
    np.testing.assert_allclose(k.grad(r, t, reduction="none", c=c), r / (1 + u), rtol=1e-14)
    np.testing.assert_allclose(k.hess(r, t, reduction="none", c=c), (1 - u) / (1 + u) ** 2, rtol=1e-13, atol=1e-16)
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr


def test_stale_kernel_is_refused_at_load_time(tmp_path):
    root = copy_project(tmp_path)
    spec = root / "specs" / "mse.toml"
    spec.write_text(spec.read_text() + "\n# edited\n")
    probe = (
        "import lossgen\ntry:\n    lossgen.kernel('mse', 'numpy')\n"
        "except Exception as e:\n    print(type(e).__name__, e)"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, timeout=60)
    assert "StaleBuildError" in result.stdout and "run `lossgen build`" in result.stdout


def test_numba_cache_is_used_by_a_new_process(tmp_path):
    """After one process compiled a kernel, a second one loads it from Numba's on-disk cache."""
    probe = """
import numpy as np, lossgen
k = lossgen.kernel("huber", "numba")
k.loss_and_grad(np.linspace(-3, 3, 7), np.zeros(7))
print("hits", sum(k.module.loss_and_grad.stats.cache_hits.values()))
"""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    first = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=300)
    second = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=300)
    assert "hits 0" in first.stdout, first.stderr
    assert "hits 1" in second.stdout, second.stderr
