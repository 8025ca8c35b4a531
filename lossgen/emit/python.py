"""The NumPy and Numba backends: both print the same CSE'd programs, vectorized or scalar."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from types import SimpleNamespace

import sympy as sp

from ..derive import Derivation, Program, RowKernel
from ..domains import FLOAT32_HIGH, FLOAT32_LOW
from . import GeneratedFile, render_template
from .printers import Float32ScalarPrinter, ScalarPrinter, VectorPrinter, unit_interval_temporaries

#: Arithmetic dtype of each Numba module kind: the default module computes every element in
#: float64 (a float32 result is rounded once); the float32 one computes float32 inputs in float32.
NUMBA_FLOAT_TYPES = {"numba": "float64", "numba_float32": "float32"}

_PROGRAM_DOCS = {
    "loss": "Per-element loss",
    "loss_and_grad": "Per-element loss and gradient",
    "grad": "Per-element gradient with respect to the prediction",
    "hess": "Per-element second derivative with respect to the prediction (Hessian diagonal)",
}


@dataclass(frozen=True)
class PrintedProgram:
    """A program printed for both backends, ready for the templates."""

    name: str
    doc: str
    op_count: int
    outputs: tuple[str, ...]
    scalar_lines: tuple[str, ...]
    scalar_outputs: tuple[tuple[str, str], ...]
    numpy_lines: tuple[str, ...]
    numpy_outputs: tuple[str, ...]
    #: whether the scalar code calls the generated exp, expm1, log or log1p (or log1p_unit): such loops are bound by
    #: arithmetic, and the Numba kernels compile them with 512-bit vectors (util.jinja,
    #: _prefer_wide_vectors); loops of a few operations are bound by memory
    calls_vector_math: bool


def _scalar_printer(ftype: str, assignments=()) -> ScalarPrinter:
    """The scalar printer for ``ftype``, knowing which of ``assignments``' temporaries lie in [0, 1]."""
    unit_interval = unit_interval_temporaries(assignments)
    return (
        Float32ScalarPrinter(unit_interval=unit_interval)
        if ftype == "float32"
        else ScalarPrinter(unit_interval=unit_interval)
    )


def print_program(program: Program, ftype: str = "float64") -> PrintedProgram:
    """Print a program's assignments and outputs with both printers (scalar code in ``ftype``)."""
    scalar, vector = _scalar_printer(ftype, program.assignments), VectorPrinter()
    scalar_lines = tuple(f"{s} = {scalar.doprint(e)}" for s, e in program.assignments)
    scalar_outputs = tuple((n, scalar.doprint(e)) for n, e in program.outputs)
    code = "\n".join(scalar_lines + tuple(value for _, value in scalar_outputs))
    return PrintedProgram(
        name=program.name,
        doc=_PROGRAM_DOCS[program.name],
        op_count=program.op_count,
        outputs=tuple(n for n, _ in program.outputs),
        scalar_lines=scalar_lines,
        scalar_outputs=scalar_outputs,
        numpy_lines=tuple(f"{s} = {vector.doprint(e)}" for s, e in program.assignments),
        numpy_outputs=tuple(vector.doprint(e) for _, e in program.outputs),
        calls_vector_math=re.search(r"(?<![\w.])_(exp|expm1|log|log1p|log1p_unit)\(", code) is not None,
    )


def _lines(printer, assignments) -> list[str]:
    return [f"{symbol} = {printer.doprint(value)}" for symbol, value in assignments]


def _row_kernel_context(kernel: RowKernel, ftype: str) -> SimpleNamespace:
    """A row-wise kernel printed for both templates.

    Row scalars (each reduction's value; a logsumexp's M and L) get a slot in the Numba kernels'
    per-chunk ``_scalars`` array; each pass lists the scalars of the passes before it (``known``).
    """
    # No temporaries' ranges (_scalar_printer's assignments): the passes' programs name theirs apart
    # only within each program.
    scalar, vector = _scalar_printer(ftype), VectorPrinter()
    passes = []
    done: list = []  # logsumexp reductions finished before the current loop
    slots: dict[str, int] = {}
    used = set(kernel.element.free_symbols)
    for row_pass in kernel.passes:
        used |= row_pass.program.free_symbols
    width = max([len(p.reductions) for p in kernel.passes] + [1])
    # A logsumexp whose softmax is used keeps its exponentials in a buffer row of its own.
    softmax_rows: dict[str, int] = {}
    for row_pass in kernel.passes:
        for r in row_pass.reductions:
            if r.softmax_symbol in used:
                softmax_rows[r.symbol.name] = width + len(softmax_rows)

    def shifts() -> list[str]:
        return [f"{r.shifted[1]} = {r.shifted[0]} - {r.max_symbol}" for r in done if r.shifted]

    def softmaxes() -> list[SimpleNamespace]:
        # (name, buffer row, 1/Σ): each layout indexes its buffer its own way.
        return [
            SimpleNamespace(name=str(r.softmax_symbol), row=softmax_rows[r.symbol.name], inv=f"{r.symbol.name}_inv")
            for r in done
            if r.symbol.name in softmax_rows
        ]

    def slot(name: str) -> int:
        return slots.setdefault(name, len(slots))

    def buffer_row(r, index: int) -> int:
        return softmax_rows.get(r.symbol.name, index)

    for row_pass in kernel.passes:
        program = row_pass.program
        values = dict(program.outputs)
        known = list(slots.items())
        passes.append(
            SimpleNamespace(
                reductions=[
                    SimpleNamespace(
                        name=r.symbol.name,
                        kind=r.kind,
                        index=index,
                        max_name=str(r.max_symbol),
                        log_name=str(r.log_symbol),
                        slot=slot(str(r.max_symbol) if r.kind == "logsumexp" else r.symbol.name),
                        log_slot=slot(str(r.log_symbol)) if r.kind == "logsumexp" else None,
                        inv_slot=slot(f"{r.symbol.name}_inv") if r.symbol.name in softmax_rows else None,
                        softmax_name=str(r.softmax_symbol) if r.softmax_symbol is not None else "_",
                        row=buffer_row(r, index),
                        value=scalar.doprint(values[r.symbol.name]),
                        value_numpy=vector.doprint(values[r.symbol.name]),
                    )
                    for index, r in enumerate(row_pass.reductions)
                ],
                known=known,
                shift_lines=shifts(),
                softmaxes=softmaxes(),
                hoisted=_lines(scalar, program.hoisted),
                lines=_lines(scalar, program.assignments),
                hoisted_numpy=_lines(vector, program.hoisted),
                lines_numpy=_lines(vector, program.assignments),
            )
        )
        if not (kernel.fused and row_pass is kernel.passes[-1]):
            done += [r for r in row_pass.reductions if r.kind == "logsumexp"]
    element = kernel.element
    return SimpleNamespace(
        buffers=width + len(softmax_rows),
        width=width,
        scalars=max(1, len(slots)),
        all_known=list(slots.items()),
        element_shift_lines=shifts(),
        element_softmaxes=softmaxes(),
        separate_passes=passes[:-1] if kernel.fused else passes,
        fused_pass=passes[-1] if kernel.fused else None,
        passes=passes,
        row_lines=_lines(scalar, kernel.row.assignments),
        row_outputs=[(n, scalar.doprint(e)) for n, e in kernel.row.outputs],
        row_lines_numpy=_lines(vector, kernel.row.assignments),
        row_outputs_numpy=[vector.doprint(e) for _, e in kernel.row.outputs],
        element_hoisted=_lines(scalar, element.hoisted),
        element_lines=_lines(scalar, element.assignments),
        element_output=scalar.doprint(element.outputs[0][1] if element.outputs else sp.S.Zero),
        element_hoisted_numpy=_lines(vector, element.hoisted),
        element_lines_numpy=_lines(vector, element.assignments),
        element_output_numpy=vector.doprint(element.outputs[0][1]) if element.outputs else "0.0",
    )


def _float_bits(value: float, ftype: str) -> int:
    """The bits of ``value`` in ``ftype``, as a signed integer of the same width."""
    float_format, int_format = ("<f", "<i") if ftype == "float32" else ("<d", "<q")
    return struct.unpack(int_format, struct.pack(float_format, value))[0]


def _order_key(value: float, ftype: str) -> int:
    """The integer key the kernels compare ``value`` by (their ``_key_nan_high``, less its NaN rule):
    its bits, with the magnitude bits flipped where the sign is set. Keys of consecutive floats
    are consecutive integers, -0.0 being the one just below +0.0."""
    bits = _float_bits(value, ftype)
    magnitude = (1 << (31 if ftype == "float32" else 63)) - 1
    return bits ^ magnitude if bits < 0 else bits


def _domain_keys(domain, ftype: str) -> tuple[int, int]:
    """The smallest and largest key of a value inside ``domain``: an open bound's neighbour, and
    -0.0 for a closed bound at 0 (-0.0 >= 0 holds)."""
    low = _order_key(-0.0 if domain.low == 0.0 and not domain.low_open else domain.low, ftype)
    high = _order_key(domain.high, ftype)
    return low + int(domain.low_open), high - int(domain.high_open)


def _input_checks(spec, ftype: str) -> dict:
    """What the Numba kernels check on the way, in the loops that read the values (a scan of its
    own would read every input a second time):

    - the domain of every floating-point input whose domain is bounded, the prediction included
      (bce's probabilities: a p of 1.5 would give a negative loss) (``domain_checks``: the name in
      the kernel, the name the runtime gives it, the array a row-wise kernel reads it from, the
      smallest and largest key inside); every kernel counts the chunks holding a value outside,
      and the runtime then looks for it and raises;
    - in the float32 modules, float32 arithmetic's range (``range_checked``): y_pred, every
      floating-point input, and in element-wise kernels the weights (a row-wise kernel's row
      weights, one value per K elements, are scanned by the runtime).
    """
    inputs = [spec.target] if spec.target.kind != "label" else []
    if not spec.rowwise:
        inputs += list(spec.auxiliary)
    api_names = ["y_true" if i is spec.target else i.name for i in inputs]  # as the runtime names them
    named = [(spec.prediction, "y_pred", "_pred"), *((i, api, "_target") for i, api in zip(inputs, api_names))]
    checks = [
        SimpleNamespace(name=i.name, api=api, array=array, keys=_domain_keys(i.domain, ftype))
        for i, api, array in named
        if i.domain.name != "real"
    ]
    return dict(
        domain_checks=checks,
        domain_checked=tuple(c.api for c in checks),
        range_tracked=[spec.prediction.name] + ([] if spec.rowwise else [i.name for i in inputs]),
        range_checked=("y_pred", *api_names) + (() if spec.rowwise else ("weight",)),
        range_high_bits=f"0x{_float_bits(FLOAT32_HIGH, 'float32'):08X}",
        range_low_bits=f"0x{_float_bits(FLOAT32_LOW, 'float32') - 1:08X}",
    )


def _context(derivation: Derivation, ftype: str = "float64") -> SimpleNamespace:
    spec = derivation.spec
    params = ", ".join(p.name for p in spec.params)
    ctx = SimpleNamespace(
        name=spec.name,
        title=spec.title,
        spec_sha256=spec.sha256,
        prediction=spec.prediction.name,
        prediction_domain=spec.prediction.domain.name,
        target=spec.target.name,
        target_domain=spec.target.domain.name,
        target_kind=spec.target.kind,
        ignore_param=spec.target.ignore,
        params_meta=tuple((p.name, p.default, p.domain.name) for p in spec.params),
        conventions=derivation.conventions,
        signature=", ".join(
            [spec.prediction.name, spec.target.name] + [a.name for a in spec.auxiliary] + ([params] if params else [])
        ),
        param_args="".join(f", {p.name}" for p in spec.params),
        auxiliary=[a.name for a in spec.auxiliary],
        aux_meta=tuple((a.name, a.domain.name) for a in spec.auxiliary),
        aux_args="".join(f", _aux_{a.name}" for a in spec.auxiliary),
        ftype=ftype,
        empty_dtype="" if ftype == "float64" else f", np.{ftype}",
        **_input_checks(spec, ftype),
    )
    if spec.rowwise:
        ctx.kernel = SimpleNamespace(
            **{name: _row_kernel_context(kernel, ftype) for name, kernel in derivation.row_kernels.items()}
        )
    else:
        programs = {name: print_program(p, ftype) for name, p in derivation.programs.items()}
        ctx.programs = list(programs.values())
        ctx.program = SimpleNamespace(**programs)
    return ctx


def _tidy_blank_lines(text: str) -> str:
    """Rendered Python without the blank lines that macros rendering nothing leave behind: none
    directly before an indented line (inside a function body), at most two before a top-level one."""
    lines, blanks = [], 0
    for line in text.split("\n"):
        if not line.strip():
            blanks += 1
            continue
        lines.extend([""] * (0 if line[0] in " \t" else min(blanks, 2)))
        lines.append(line)
        blanks = 0
    return "\n".join(lines) + "\n" * min(blanks, 1)


def render_numpy(derivation: Derivation) -> GeneratedFile:
    """The vectorized NumPy module for one spec."""
    template = "numpy_rowwise.py.jinja" if derivation.spec.rowwise else "numpy_module.py.jinja"
    text = _tidy_blank_lines(render_template(template, ctx=_context(derivation)))
    return GeneratedFile(f"numpy/{derivation.spec.name}.py", template, text)


def _render_numba(derivation: Derivation, kind: str) -> GeneratedFile:
    template = "numba_rowwise.py.jinja" if derivation.spec.rowwise else "numba_module.py.jinja"
    context = _context(derivation, NUMBA_FLOAT_TYPES[kind])
    text = _tidy_blank_lines(render_template(template, ctx=context))
    return GeneratedFile(f"{kind}/{derivation.spec.name}.py", template, text)


def render_numba(derivation: Derivation) -> GeneratedFile:
    """The fused, parallel Numba module for one spec (float64 arithmetic for every input dtype)."""
    return _render_numba(derivation, "numba")


def render_numba_float32(derivation: Derivation) -> GeneratedFile:
    """The same kernels for float32 inputs in float32 arithmetic (``arithmetic="float32"``)."""
    return _render_numba(derivation, "numba_float32")
