"""Shared fixtures: everything is parametrized over the catalog, so a new spec is tested for free."""

from __future__ import annotations

import functools

import numpy as np
import pytest

import lossgen
from lossgen.catalog import Project

PROJECT = Project()
NAMES = PROJECT.names()
ELEMENTWISE = [n for n in NAMES if not PROJECT.load(n).rowwise]
ROWWISE = [n for n in NAMES if PROJECT.load(n).rowwise]
BACKENDS = ("numpy", "numba")
DTYPES = (np.float64, np.float32)


@functools.cache
def derivation(name: str):
    """The derivation of a catalog spec (SymPy work done once per test session)."""
    from lossgen.derive import derive

    return derive(PROJECT.load(name))


@functools.cache
def kernel(name: str, backend: str):
    return lossgen.kernel(name, backend)


@functools.cache
def float32_arithmetic_kernel(name: str):
    """The Numba kernel with ``arithmetic="input"``: float32 inputs computed in float32."""
    return lossgen.kernel(name, "numba", arithmetic="input")


def non_default_params(name: str) -> dict[str, float]:
    """Each parameter moved off its default, staying inside its domain."""
    params = {}
    for p in PROJECT.load(name).params:
        if p.domain.name == "integer":
            continue
        if p.domain.high == 1.0:
            params[p.name] = 0.1 if p.default >= 0.5 else 0.9
        else:
            params[p.name] = p.default * 1.7 if p.default != 0 else 0.3
    return params


def sample_inputs(name: str, n: int = 64, seed: int = 0, dtype=np.float64, classes: int = 5):
    """Random (y_pred, y_true) suited to the spec: n elements, or n rows of ``classes`` for row-wise specs."""
    rng = np.random.default_rng(seed)
    spec = PROJECT.load(name)
    if spec.rowwise:
        pred = rng.normal(scale=2.0, size=(n, classes)).astype(dtype)
        if spec.target.kind == "label":
            return pred, rng.integers(0, classes, size=n)
        return pred, rng.dirichlet(np.ones(classes), size=n).astype(dtype)
    domain = spec.target.domain.name
    if domain in ("unit_interval", "open_unit_interval"):
        target = rng.uniform(0.01, 0.99, size=n)
    elif domain in ("positive", "nonnegative"):
        target = rng.lognormal(size=n)
    else:
        target = rng.normal(size=n)
    pred_domain = spec.prediction.domain.name
    if pred_domain in ("unit_interval", "open_unit_interval"):  # bce's probabilities
        pred = rng.uniform(0.01, 0.99, size=n)
    elif pred_domain in ("positive", "nonnegative"):
        pred = rng.lognormal(size=n)
    else:
        pred = target + rng.normal(scale=2.0, size=n)
    return pred.astype(dtype), target.astype(dtype)


def extras(name: str, pred: np.ndarray, seed: int = 0) -> dict[str, np.ndarray]:
    """Auxiliary array inputs (e.g. gaussian_nll's variance) shaped like ``pred``; empty for most specs."""
    from lossgen.reference import auxiliary_values

    values = auxiliary_values(derivation(name), int(np.prod(pred.shape)), pred.dtype, seed)
    return {key: value.reshape(pred.shape) for key, value in values.items()}


def loss_shape(name: str, pred: np.ndarray) -> tuple[int, ...]:
    """Shape of the per-element (or per-row) loss for a prediction array."""
    return pred.shape[:-1] if PROJECT.load(name).rowwise else pred.shape


@pytest.fixture(params=NAMES)
def name(request):
    return request.param


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param
