"""Shared fixtures: everything is parametrized over the catalog, so a new spec is tested for free."""

from __future__ import annotations

import functools

import numpy as np
import pytest

import lossgen
from lossgen.catalog import Project

PROJECT = Project()
NAMES = PROJECT.names()
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


def non_default_params(name: str) -> dict[str, float]:
    """Each parameter moved off its default, staying inside its domain."""
    params = {}
    for p in PROJECT.load(name).params:
        if p.domain.high == 1.0:
            params[p.name] = 0.1 if p.default >= 0.5 else 0.9
        else:
            params[p.name] = p.default * 1.7 if p.default != 0 else 0.3
    return params


def sample_inputs(name: str, n: int = 64, seed: int = 0, dtype=np.float64):
    """Random (y_pred, y_true) suited to the spec's target domain."""
    rng = np.random.default_rng(seed)
    domain = PROJECT.load(name).target.domain.name
    if domain in ("unit_interval", "open_unit_interval"):
        target = rng.uniform(0.01, 0.99, size=n)
    elif domain in ("positive", "nonnegative"):
        target = rng.lognormal(size=n)
    else:
        target = rng.normal(size=n)
    pred = target + rng.normal(scale=2.0, size=n)
    return pred.astype(dtype), target.astype(dtype)


@pytest.fixture(params=NAMES)
def name(request):
    return request.param


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param
