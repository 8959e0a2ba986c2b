"""The roadmap: typed models (``models``), the YAML loader with located errors (``loader``)."""

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
