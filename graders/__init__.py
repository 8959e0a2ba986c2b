"""Graders: the contract, the registry of kinds, the sandbox, and the kinds themselves.

Public API (imported lazily, so ``import graders`` costs nothing until a name is used)::

    from graders import Grader, GradeContext, GradeResult, Check, Metric, Measurements
    from graders import Limits, Sandbox, Threshold, parse_threshold, get_kind, kinds

Writing a kind: see docs/writing-a-grader.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "Check",
    "GradeContext",
    "GradeResult",
    "Grader",
    "Limits",
    "Measurements",
    "Metric",
    "NoParams",
    "Sandbox",
    "Threshold",
    "get_kind",
    "kinds",
    "parse_threshold",
]

_WHERE = {
    "Check": "graders.contract",
    "GradeContext": "graders.contract",
    "GradeResult": "graders.contract",
    "Grader": "graders.contract",
    "Measurements": "graders.contract",
    "Metric": "graders.contract",
    "NoParams": "graders.contract",
    "Limits": "graders.sandbox",
    "Sandbox": "graders.sandbox",
    "Threshold": "graders.thresholds",
    "parse_threshold": "graders.thresholds",
    "get_kind": "graders.registry",
    "kinds": "graders.registry",
}

if TYPE_CHECKING:
    from graders.contract import Check, GradeContext, Grader, GradeResult, Measurements, Metric, NoParams
    from graders.registry import get_kind, kinds
    from graders.sandbox import Limits, Sandbox
    from graders.thresholds import Threshold, parse_threshold


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'graders' has no attribute {name!r}")
