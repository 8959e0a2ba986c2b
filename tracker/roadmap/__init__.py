"""The roadmap: typed models (``models``), the YAML loader with located errors (``loader``), and the
validated cache in ``.sprint/`` that spares an unchanged roadmap the parse and the kinds (``cache``).

Names resolve on first use: ``tracker.roadmap.models`` and ``tracker.roadmap.cache`` are imported
without the loader (and PyYAML) when the cache answers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "ChecklistItem",
    "Exercise",
    "Profile",
    "Quarter",
    "Resource",
    "Roadmap",
    "Sprint",
    "Target",
    "Task",
    "Track",
    "WeekRange",
    "load_roadmap",
    "parse_roadmap",
]

_WHERE = {name: "tracker.roadmap.models" for name in __all__} | {
    "load_roadmap": "tracker.roadmap.loader",
    "parse_roadmap": "tracker.roadmap.loader",
}

if TYPE_CHECKING:
    from tracker.roadmap.loader import load_roadmap, parse_roadmap
    from tracker.roadmap.models import (
        ChecklistItem,
        Exercise,
        Profile,
        Quarter,
        Resource,
        Roadmap,
        Sprint,
        Target,
        Task,
        Track,
        WeekRange,
    )


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'tracker.roadmap' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
