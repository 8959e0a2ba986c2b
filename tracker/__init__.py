"""The tracker for scripts and tools beside the ``sprint`` command: open a workspace, read its state, grade.

::

    from tracker import open_session, Session               # a workspace, its roadmap, its database
    from tracker import Workspace, load_roadmap, Roadmap    # the pieces, one by one
    from tracker import roadmap_state, RoadmapState         # every sprint's column, checklist and targets
    from tracker import Ledger, Attempt                     # the recorded grading attempts
    from tracker import grade_and_record                    # grade exercises, record them, sync the local board
    from tracker import SprintError, UsageError, RoadmapError  # what these raise on purpose
    from tracker import __version__                         # the running llm-sprint's version

The command line (``tracker.cli``), the dashboard (``tracker.tui``) and the other modules are the
application built on this surface and may change.

Names resolve on first use, not on ``import tracker``: ``sprint status`` and every pytest session
(the ``pytest --sprint`` plugin is an entry point, so pytest imports ``tracker.pytest_plugin``)
start by importing this package, and must load only what they use (``__version__``, a constant, is
the one name imported at once).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tracker._version import __version__

__all__ = [
    "Attempt",
    "Ledger",
    "Roadmap",
    "RoadmapError",
    "RoadmapState",
    "Session",
    "SprintError",
    "UsageError",
    "Workspace",
    "__version__",
    "grade_and_record",
    "load_roadmap",
    "open_session",
    "roadmap_state",
]

# where each public name lives; tests/test_public_surface.py checks this table against __all__ and
# the TYPE_CHECKING imports below
_WHERE = {
    "Attempt": "tracker.ledger",
    "Ledger": "tracker.ledger",
    "Roadmap": "tracker.roadmap.models",
    "RoadmapError": "tracker.errors",
    "RoadmapState": "tracker.status",
    "Session": "tracker.session",
    "SprintError": "tracker.errors",
    "UsageError": "tracker.errors",
    "Workspace": "tracker.workspace",
    "grade_and_record": "tracker.grading",
    "load_roadmap": "tracker.roadmap.loader",
    "open_session": "tracker.session",
    "roadmap_state": "tracker.progress",
}

if TYPE_CHECKING:
    from tracker.errors import RoadmapError, SprintError, UsageError
    from tracker.grading import grade_and_record
    from tracker.ledger import Attempt, Ledger
    from tracker.progress import roadmap_state
    from tracker.roadmap.loader import load_roadmap
    from tracker.roadmap.models import Roadmap
    from tracker.session import Session, open_session
    from tracker.status import RoadmapState
    from tracker.workspace import Workspace


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'tracker' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
