"""The learner's state at a past moment, from the ledger — what ``sprint digest`` compares.

The ledger is append-only and every attempt is stamped (``started_at``), so the last attempt of each
exercise before a moment, and whether it had passed by then, are facts. Two things are not kept over
time and are taken as they are now: whether the learner's files differ from the starter, and the
manual ticks (both only move a sprint between To Learn and In Progress, or finish a manual item).
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from graders.contract import GradeResult
from tracker.boards.local import LocalBoard
from tracker.digest import LearnerDigest as Digest
from tracker.digest import Week, learner_digest, week_window
from tracker.ledger import Ledger
from tracker.progress import exercise_facts
from tracker.roadmap.models import Roadmap
from tracker.status import ExerciseFacts, RoadmapState, compute
from tracker.workspace import Workspace

__all__ = ["state_at", "week_digest"]

HISTORY = 100_000  # attempts per exercise looked at: the whole ledger, in practice


def _stamp(result: GradeResult) -> dt.datetime:
    at = result.started_at or dt.datetime.min.replace(tzinfo=dt.UTC)
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def state_at(ws: Workspace, roadmap: Roadmap, conn: sqlite3.Connection, moment: dt.datetime | None, day: dt.date,
             ticks: set[tuple[str, str]] | None = None) -> RoadmapState:
    """The state as of ``moment`` (attempts started before it; None: every attempt), judged on ``day``."""
    ledger = Ledger(conn)
    now = exercise_facts(ws, roadmap, ledger)
    facts: dict[str, ExerciseFacts] = {}
    for slug, current in now.items():
        attempts = [a.result for a in ledger.history(slug, limit=HISTORY, profile=roadmap.profile)
                    if moment is None or _stamp(a.result) < moment]
        last = attempts[-1] if attempts else None
        facts[slug] = ExerciseFacts(available=current.available, started=current.started, last=last,
                                    ever_passed=any(r.status == "pass" for r in attempts))
    if ticks is None:
        ticks = LocalBoard(conn).ticks()
    return compute(roadmap, facts, ticks, day)


def week_digest(ws: Workspace, roadmap: Roadmap, conn: sqlite3.Connection, *, today: dt.date,
                week: int | None = None) -> Digest:
    """The digest of week ``week`` (default: the current one): the state when it began against the state when
    it ended — for the current week, the state now (every attempt recorded so far)."""
    current = max(1, roadmap.week_of(today))
    number = week if week is not None else current
    window: Week = week_window(roadmap.start_date, number)
    ticks = LocalBoard(conn).ticks()
    before = state_at(ws, roadmap, conn, window.first_moment, window.start - dt.timedelta(days=1), ticks)
    if number >= current:
        after = state_at(ws, roadmap, conn, None, today, ticks)
    else:
        after = state_at(ws, roadmap, conn, window.last_moment, window.end - dt.timedelta(days=1), ticks)
    return learner_digest(roadmap, after, window, before=before)
