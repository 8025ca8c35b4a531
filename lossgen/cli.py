"""The ``lossgen`` command: list, new, build, show, docs.

User mistakes (a bad spec, an unknown name, an existing file) print one line to stderr and exit
with status 2; ``build --check`` exits 1 when generated/ is stale. No tracebacks for either.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .catalog import Project
from .errors import LossgenError

SPEC_TEMPLATE = '''\
# A lossgen spec: data, never code. Expressions use Python syntax and are parsed by a whitelist:
# numbers, declared names, + - * / **, comparisons, and the functions
#   abs sign sqrt exp log log1p expm1 sin cos tan atan sinh cosh tanh max min
#   softplus sigmoid log_sigmoid logcosh where(cond, a, b) Piecewise((a, cond), (b, True))
# Top-level keys must come before the first [table].
name = "{name}"
title = "{title}"
summary = """
One paragraph: what the loss is, where it comes from, how it relates to other losses.
"""
shape = "elementwise"
# The per-element loss. It must depend on the prediction. Gradient and Hessian are derived for you.
loss = "c**2 / 2 * log1p((r / c)**2)"

# Exactly one input with role "prediction" and one with role "target".
# Domains: real (default), positive, nonnegative, unit_interval, open_unit_interval.
[inputs.y_pred]
role = "prediction"
latex = '\\hat{{y}}'
description = "prediction"

[inputs.y_true]
role = "target"
latex = "y"
description = "target value"

# Scalar parameters: keyword arguments of the kernels. A default is required.
[params.c]
default = 1.0
domain = "positive"
latex = "c"
description = "scale of the residuals"

# Named intermediates, in order; later ones and the loss may use earlier ones.
[intermediates]
r = {{ expr = "y_pred - y_true", latex = "r" }}

# Human-written conventions, added to the derived ones (kinks, boundaries) on the reference sheet.
# conventions = ["..."]

[[references]]
title = "Where the definition comes from"
url = ""

# The same loss in other libraries: ours = scale * theirs, per element. style is one of
# torch, scipy, sklearn, xgboost, optax (checked by the test suite) or documented (not tested).
# [[equivalents]]
# library = "PyTorch"
# function = "torch.nn.functional.some_loss"
# style = "torch"
# args = ["y_pred", "y_true"]
# kwargs = {{ their_name = "our parameter expression" }}
# scale = "1"
# note = ""
'''


def catalog_markdown(project: Project) -> str:
    """The catalog as a Markdown table (the README's catalog section is this output)."""
    lines = [
        "| name | shape | title | parameters (defaults) | checked against |",
        "|---|---|---|---|---|",
    ]
    for name in project.names():
        spec = project.load(name)
        params = ", ".join(f"`{p.name}`={p.default:g}" for p in spec.params) or "–"
        checked = sorted({f"`{e.function}`" for e in spec.equivalents if e.style != "documented"})
        documented = sorted({f"`{e.function}` (documented)" for e in spec.equivalents if e.style == "documented"})
        lines.append(
            f"| `{name}` | {spec.shape} | {spec.title} | {params} | {', '.join(checked + documented) or '–'} |"
        )
    return "\n".join(lines)


def _cmd_list(project: Project, args) -> int:
    if args.markdown:
        print(catalog_markdown(project))
        return 0
    names = project.names()
    width = max((len(n) for n in names), default=0)
    for name in names:
        spec = project.load(name)
        params = ", ".join(f"{p.name}={p.default:g}" for p in spec.params)
        summary = spec.summary.split(". ")[0].rstrip(".")
        print(f"{name:<{width}}  {spec.title}{f' ({params})' if params else ''}: {summary}.")
    return 0


def _cmd_new(project: Project, args) -> int:
    from .spec import _LOSS_NAME

    name = args.name
    if not _LOSS_NAME.match(name):
        raise LossgenError(
            f"'{name}' is not a valid loss name (lowercase letters, digits and '_', starting with a letter)"
        )
    path = project.specs / f"{name}.toml"
    if path.exists():
        raise LossgenError(f"{project.relative(path)} already exists; not overwriting it")
    path.write_text(SPEC_TEMPLATE.format(name=name, title=name.replace("_", " ").capitalize()), encoding="utf-8")
    print(f"wrote {project.relative(path)}: edit it, then run `lossgen build {name}` and the tests")
    return 0


def _cmd_build(project: Project, args) -> int:
    from .build import Builder

    for name in args.names:
        project.spec_path(name)
    started = time.perf_counter()
    report = Builder(project, jobs=args.jobs).run(args.names or None, check=args.check, full=args.full)
    elapsed = time.perf_counter() - started
    if args.check:
        if report.changed:
            for relpath in report.written:
                print(f"stale or missing: generated/{relpath}", file=sys.stderr)
            for relpath in report.removed:
                print(f"no spec for: generated/{relpath}", file=sys.stderr)
            print(
                f"lossgen: generated/ is out of date ({len(report.changed)} file(s)); run `lossgen build`",
                file=sys.stderr,
            )
            return 1
        print(f"generated/ is up to date ({len(report.unchanged)} files checked in {elapsed:.2f}s)")
        return 0
    for relpath in report.written:
        print(f"wrote   generated/{relpath}")
    for relpath in report.removed:
        print(f"removed generated/{relpath}")
    print(
        f"{len(report.written)} written, {len(report.removed)} removed, "
        f"{len(report.unchanged)} unchanged ({elapsed:.2f}s)"
    )
    return 0


def _cmd_show(project: Project, args) -> int:
    import sympy as sp

    from .derive import derive

    spec = project.load(args.name)
    derivation = derive(spec)
    prediction = spec.prediction.name

    def block(title: str, expr) -> None:
        print(f"{title}:")
        print("    " + sp.pretty(expr, use_unicode=True).replace("\n", "\n    "))
        print()

    print(f"{spec.name}: {spec.title}\n")
    for inter in spec.intermediates:
        block(f"where {inter.name}", inter.expr)
    block("loss", derivation.display_loss)
    block(f"d loss / d {prediction}", derivation.display_grad)
    block(f"d² loss / d {prediction}²", derivation.display_hess)
    if spec.params:
        print("parameters: " + ", ".join(f"{p.name}={p.default:g} ({p.domain.name})" for p in spec.params))
    for convention in derivation.conventions:
        print(f"convention: {convention}")
    if spec.rowwise:
        for reduction in derivation.reductions:
            print(f"row scalar {reduction.symbol} = {reduction.kind} over k of {reduction.element}")
        for name, kernel in derivation.row_kernels.items():
            print(f"kernel {name}: {len(kernel.passes)} reduction pass(es) per row")
    else:
        counts = ", ".join(f"{name} {p.op_count}" for name, p in derivation.programs.items())
        print(f"operations per element after CSE: {counts}")
    return 0


def _cmd_docs(project: Project, args) -> int:
    from .build import Builder

    report = Builder(project, jobs=args.jobs).run()
    latex_dir = project.generated / "latex"
    print(
        f"LaTeX reference sheet: {project.relative(latex_dir / 'reference.tex')} "
        f"({len(report.written)} file(s) updated)"
    )
    if shutil.which("latexmk") is None or shutil.which("pdflatex") is None:
        print(
            "no TeX engine found (latexmk + pdflatex): wrote the .tex files only. "
            "On Debian: apt-get install texlive-latex-base texlive-latex-recommended texlive-pictures latexmk"
        )
        return 0
    pdf = compile_reference(latex_dir)
    print(f"compiled {project.relative(pdf)}")
    return 0


def compile_reference(latex_dir: Path) -> Path:
    """Compile ``reference.tex`` with latexmk into ``_build/``; LossgenError with the log's errors on failure."""
    build_dir = latex_dir / "_build"
    command = [
        "latexmk",
        "-pdf",
        "-interaction=nonstopmode",
        "-halt-on-error",
        f"-outdir={build_dir.name}",
        "reference.tex",
    ]
    result = subprocess.run(command, cwd=latex_dir, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    log = build_dir / "reference.log"
    if result.returncode != 0:
        errors = [
            line
            for line in (log.read_text(errors="replace").splitlines() if log.exists() else [])
            if line.startswith("!")
        ]
        detail = "; ".join(errors[:5]) or result.stdout[-2000:]
        raise LossgenError(f"pdflatex failed on {latex_dir / 'reference.tex'}: {detail} (log: {log})")
    return build_dir / "reference.pdf"


def _cmd_accuracy(project: Project, args) -> int:
    from .accuracy import accuracy_table, format_table

    for name in args.names:
        project.spec_path(name)
    rows, failures = accuracy_table(args.names or None, project)
    print("Max error in ulps vs mpmath (50 digits) on the stress grid: at well-conditioned points (all points);")
    print("FAIL×n: points outside the test criterion (non-finite where the truth is finite included).\n")
    print(format_table(rows))
    if failures:
        print(f"\nlossgen: {failures} accuracy failure(s)", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(prog="lossgen", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root", help="project folder holding specs/ and generated/ (default: $LOSSGEN_ROOT or the checkout)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="the catalog with one-line summaries")
    listing.add_argument("--markdown", action="store_true", help="as the Markdown table in the README")
    new = sub.add_parser("new", help="write a commented spec template to specs/NAME.toml")
    new.add_argument("name")
    build = sub.add_parser("build", help="regenerate generated/ (all specs by default)")
    build.add_argument("names", nargs="*", metavar="NAME")
    build.add_argument("--check", action="store_true", help="change nothing; exit 1 naming every stale or missing file")
    build.add_argument("--full", action="store_true", help="re-derive every spec instead of trusting up-to-date stamps")
    build.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    show = sub.add_parser("show", help="print the loss, gradient and Hessian as derived")
    show.add_argument("name")
    accuracy = sub.add_parser(
        "accuracy", help="max ulps vs mpmath per loss and quantity, and PyTorch's on the same grid"
    )
    accuracy.add_argument("names", nargs="*", metavar="NAME")
    docs = sub.add_parser("docs", help="write the LaTeX reference sheet and compile it to PDF if TeX is installed")
    docs.add_argument("--jobs", type=int, default=None, help=argparse.SUPPRESS)
    return parser


_COMMANDS = {
    "accuracy": _cmd_accuracy,
    "list": _cmd_list,
    "new": _cmd_new,
    "build": _cmd_build,
    "show": _cmd_show,
    "docs": _cmd_docs,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``lossgen`` console script."""
    args = build_parser().parse_args(argv)
    try:
        project = Project(args.root)
        return _COMMANDS[args.command](project, args)
    except LossgenError as exc:
        print(f"lossgen: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head`: not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
