"""Value domains for inputs and parameters (no SymPy here: the kernel runtime imports this)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Domain:
    """A set of allowed values: SymPy assumptions for its symbol plus a runtime membership test."""

    name: str
    assumptions: Mapping[str, bool]
    low: float
    high: float
    low_open: bool
    high_open: bool
    latex: str

    def contains(self, value: float) -> bool:
        """Whether ``value`` is a finite number inside the domain."""
        if not math.isfinite(value):
            return False
        if self.assumptions.get("integer") and value != int(value):
            return False
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below

    @property
    def description(self) -> str:
        """Interval notation, e.g. ``(0, inf)``."""
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{left}{self.low:g}, {self.high:g}{right}"


#: Magnitudes for which float32 arithmetic is used (``arithmetic="input"``), besides 0: sixth
#: powers of values up to FLOAT32_HIGH and inverse squares of values down to FLOAT32_LOW stay
#: inside float32's range (2**±126), and a random logit or probability is practically never
#: below FLOAT32_LOW. Values beyond FLOAT32_HIGH (1e6) are routed to float64, even where a loss
#: would have handled them: the stress grids test up to 1e6. NaN and ±inf are outside too.
FLOAT32_LOW = 2.0**-60
FLOAT32_HIGH = 2.0**20

_INF = math.inf
DOMAINS: Mapping[str, Domain] = MappingProxyType(
    {
        "real": Domain("real", {"real": True}, -_INF, _INF, True, True, r"\mathbb{R}"),
        "positive": Domain("positive", {"positive": True}, 0.0, _INF, True, True, r"(0, \infty)"),
        "nonnegative": Domain("nonnegative", {"nonnegative": True}, 0.0, _INF, False, True, r"[0, \infty)"),
        "unit_interval": Domain("unit_interval", {"nonnegative": True}, 0.0, 1.0, False, False, "[0, 1]"),
        "open_unit_interval": Domain("open_unit_interval", {"positive": True}, 0.0, 1.0, True, True, "(0, 1)"),
        "integer": Domain("integer", {"integer": True}, -_INF, _INF, True, True, r"\mathbb{Z}"),
    }
)
