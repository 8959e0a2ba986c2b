"""Thresholds: the typed form of strings like ``">= 15 %"``, ``"≤ 12 GB"`` or ``"0.4 .. 0.6"``.

A threshold compares a measured value, in *base units*, with a bound:

============  ===========================================  ==================
dimension     units accepted in roadmap.yaml               base unit
============  ===========================================  ==================
``ratio``     ``%`` or a bare number (``15 %`` == ``0.15``)  fraction
``bytes``     ``B KB MB GB TB`` (SI) ``KiB MiB GiB TiB``     byte
``seconds``   ``ms s min``                                   second
``number``    a bare number, or ``x`` for a speed-up factor  the number
============  ===========================================  ==================

Grammar (whitespace free, unicode ``≥ ≤ −`` accepted)::

    threshold := op number unit?            e.g.  >= 0.95   <= 12 GB   < 200 ms
               | number unit? ".." number unit?   e.g.  0.4 .. 0.6   (inclusive range)
    op        := ">=" | "<=" | ">" | "<" | "=="

Pure module: no I/O, cheap to import.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from graders.errors import ThresholdSyntaxError

__all__ = ["Dimension", "Threshold", "format_value", "parse_threshold"]

Dimension = Literal["ratio", "bytes", "seconds", "number"]
Op = Literal[">=", "<=", ">", "<", "==", ".."]

# unit -> (dimension, factor to base units)
_UNITS: dict[str, tuple[Dimension, float]] = {
    "%": ("ratio", 0.01),
    "B": ("bytes", 1.0),
    "KB": ("bytes", 1e3),
    "MB": ("bytes", 1e6),
    "GB": ("bytes", 1e9),
    "TB": ("bytes", 1e12),
    "KiB": ("bytes", 2.0**10),
    "MiB": ("bytes", 2.0**20),
    "GiB": ("bytes", 2.0**30),
    "TiB": ("bytes", 2.0**40),
    "ms": ("seconds", 1e-3),
    "s": ("seconds", 1.0),
    "min": ("seconds", 60.0),
    "x": ("number", 1.0),
}
_UNIT_ALIASES = {"sec": "s", "kb": "KB", "mb": "MB", "gb": "GB", "kib": "KiB", "mib": "MiB", "gib": "GiB"}

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_UNIT = r"%|[A-Za-z]+"
_BOUND = re.compile(rf"^\s*({_NUMBER})\s*({_UNIT})?\s*$")
_COMPARISON = re.compile(rf"^\s*(>=|<=|==|>|<)\s*({_NUMBER})\s*({_UNIT})?\s*$")
_RANGE = re.compile(rf"^\s*({_NUMBER})\s*({_UNIT})?\s*\.\.\s*({_NUMBER})\s*({_UNIT})?\s*$")


class Threshold(BaseModel):
    """A parsed threshold. ``value``/``upper`` are in base units; ``text`` is what the author wrote."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # validator built on first use

    op: Op
    value: float
    upper: float | None = None
    dimension: Dimension
    unit: str = ""  # the display unit the author used ("" for a bare number)
    text: str

    def holds(self, measured: float) -> bool:
        """True when ``measured`` (in base units) satisfies the threshold. NaN never does."""
        if math.isnan(measured):
            return False
        if self.op == ">=":
            return measured >= self.value
        if self.op == "<=":
            return measured <= self.value
        if self.op == ">":
            return measured > self.value
        if self.op == "<":
            return measured < self.value
        if self.op == "==":
            return math.isclose(measured, self.value, rel_tol=1e-9, abs_tol=1e-12)
        assert self.upper is not None
        return self.value <= measured <= self.upper

    def margin(self, measured: float) -> float | None:
        """Signed distance from the bound in base units (positive = inside). None for ``==``."""
        if self.op in (">=", ">"):
            return measured - self.value
        if self.op in ("<=", "<"):
            return self.value - measured
        if self.op == "..":
            assert self.upper is not None
            return min(measured - self.value, self.upper - measured)
        return None

    def format(self, measured: float) -> str:
        """Render a measured value in the unit this threshold was written in."""
        return format_value(measured, self.dimension, self.unit)

    def __str__(self) -> str:
        return self.text


def _normalise(text: str) -> str:
    return text.replace("≥", ">=").replace("≤", "<=").replace("−", "-").replace("–", "..").strip()


def _unit(raw: str | None, dimension: Dimension | None) -> tuple[Dimension, float, str]:
    if not raw:
        return (dimension or "number", 1.0, "")
    name = raw if raw in _UNITS else _UNIT_ALIASES.get(raw.lower(), raw)
    if name not in _UNITS:
        known = " ".join(_UNITS)
        raise ThresholdSyntaxError(f"unknown unit {raw!r}", f"use one of: {known}")
    dim, factor = _UNITS[name]
    return dim, factor, name


def parse_threshold(text: str, dimension: Dimension | None = None) -> Threshold:
    """Parse ``text``; if ``dimension`` is given, the unit must belong to it.

    A bare number is accepted for every dimension and taken in base units (a fraction for
    ``ratio``, bytes, seconds).
    """
    if not isinstance(text, str) or not text.strip():
        raise ThresholdSyntaxError("empty threshold", 'write e.g. ">= 0.9", "<= 4 GB" or "0.4 .. 0.6"')
    norm = _normalise(str(text))
    if m := _COMPARISON.match(norm):
        op, number, raw_unit = m.group(1), float(m.group(2)), m.group(3)
        dim, factor, unit = _unit(raw_unit, dimension)
        result = Threshold(op=op, value=number * factor, dimension=dim, unit=unit, text=text.strip())
    elif m := _RANGE.match(norm):
        lo, lo_unit, hi, hi_unit = float(m.group(1)), m.group(2), float(m.group(3)), m.group(4)
        # "0.4 .. 0.6 GB": a unit written once applies to both ends.
        lo_dim, lo_factor, unit = _unit(lo_unit or hi_unit, dimension)
        hi_dim, hi_factor, _ = _unit(hi_unit or lo_unit, dimension)
        if lo_dim != hi_dim:
            raise ThresholdSyntaxError("the two ends of the range have different kinds of units")
        if lo * lo_factor > hi * hi_factor:
            raise ThresholdSyntaxError("the range is empty: its lower end is above its upper end",
                                       'write the smaller number first, e.g. "0.4 .. 0.6"')
        result = Threshold(op="..", value=lo * lo_factor, upper=hi * hi_factor, dimension=lo_dim, unit=unit,
                           text=text.strip())
    elif _BOUND.match(norm):
        raise ThresholdSyntaxError(f"threshold {text!r} has no comparison",
                                   f'add one: ">= {norm}" or "<= {norm}" (or a range "a .. b")')
    else:
        raise ThresholdSyntaxError(f"cannot read threshold {text!r}",
                                   'write e.g. ">= 0.9", "<= 4 GB", "< 200 ms", ">= 15 %" or "0.4 .. 0.6"')
    if dimension is not None and result.dimension != dimension and result.unit:
        raise ThresholdSyntaxError(
            f"unit {result.unit!r} measures {result.dimension}, but this metric is measured in {dimension}",
            f"use a {dimension} unit: " + " ".join(u for u, (d, _) in _UNITS.items() if d == dimension),
        )
    if dimension is not None and not result.unit:
        result = result.model_copy(update={"dimension": dimension})
    return result


def format_value(value: float | bool | str | None, dimension: Dimension | None = None, unit: str = "") -> str:
    """Human form of a measured value: in ``unit`` when given, else a sensible unit for the dimension."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if math.isnan(value):
        return "NaN"
    if unit and unit in _UNITS:
        factor = _UNITS[unit][1]
        sep = "" if unit == "%" else " "
        return f"{_num(value / factor)}{sep}{unit}"
    if dimension == "ratio":
        return f"{_num(value * 100)}%"
    if dimension == "bytes":
        for name in ("GB", "MB", "KB"):
            if abs(value) >= _UNITS[name][1]:
                return f"{_num(value / _UNITS[name][1])} {name}"
        return f"{_num(value)} B"
    if dimension == "seconds":
        return f"{_num(value * 1000)} ms" if abs(value) < 1 else f"{_num(value)} s"
    return _num(value)


def _num(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 1e5 or abs(x) < 1e-3:
        return f"{x:.3g}"
    if abs(x) >= 100:
        return f"{x:.0f}"
    return f"{x:.3g}"
