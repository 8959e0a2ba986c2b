"""Gather the facts status needs (workspace files, ledger, manual ticks) and compute the state.

The only I/O on the way to ``tracker.status.compute``, which stays pure.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Set

from graders.paths import exercise_dir
from tracker.boards.local import LocalBoard
from tracker.errors import UsageError
from tracker.ledger import Ledger
from tracker.roadmap.models import Roadmap
from tracker.status import ExerciseFacts, RoadmapState, compute
from tracker.workspace import Workspace, content_hash

__all__ = ["current_date", "exercise_facts", "is_available", "roadmap_state", "starter_hash"]


def is_available(slug: str) -> bool:
    """An exercise is available when its folder exists in the installed exercise library."""
    return exercise_dir(slug).is_dir()


def starter_hash(slug: str) -> str:
    return content_hash(exercise_dir(slug))


def exercise_facts(ws: Workspace, roadmap: Roadmap, ledger: Ledger) -> dict[str, ExerciseFacts]:
    latest = ledger.latest_all(roadmap.profile)
    passed = ledger.ever_passed(roadmap.profile)
    facts = {}
    for ex in roadmap.exercises:
        available = is_available(ex.slug)
        mine = ws.exercise_dir(ex.slug)
        started = available and mine.is_dir() and content_hash(mine) != starter_hash(ex.slug)
        last = latest.get(ex.slug)
        facts[ex.slug] = ExerciseFacts(available=available, started=started,
                                       last=last.result if last else None, ever_passed=ex.slug in passed)
    return facts


def roadmap_state(ws: Workspace, roadmap: Roadmap, conn: sqlite3.Connection, *,
                  ticks: Set[tuple[str, str]] | None = None, today: dt.date | None = None) -> RoadmapState:
    """The state of everything; manual ticks default to the local board's."""
    if ticks is None:
        ticks = LocalBoard(conn).ticks()
    facts = exercise_facts(ws, roadmap, Ledger(conn))
    return compute(roadmap, facts, ticks, today or current_date())


def current_date() -> dt.date:
    """Today, unless ``SPRINT_TODAY=YYYY-MM-DD`` pins it (reproducible output in tests and demos)."""
    pinned = os.environ.get("SPRINT_TODAY")
    if pinned:
        try:
            return dt.date.fromisoformat(pinned)
        except ValueError:
            raise UsageError(f"SPRINT_TODAY={pinned!r} is not a date; use YYYY-MM-DD") from None
    return dt.date.today()
