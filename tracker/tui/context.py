"""What the dashboard knows about its workspace, and the calls it makes into the tracker.

No business logic lives here either: status comes from :mod:`tracker.progress`, history from
:mod:`tracker.ledger`, grading from :func:`tracker.grading.grade_and_record`, the board diff from
:mod:`tracker.sync`. This module only wires them to one workspace and keeps the SQLite
connections straight: the UI thread reads through :attr:`DashContext.conn`; every worker thread
opens its own connection with :meth:`DashContext.worker_conn`.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from tracker.config import Config, load_config
from tracker.db import connect
from tracker.ledger import Ledger
from tracker.progress import roadmap_state
from tracker.roadmap.loader import load_roadmap
from tracker.roadmap.models import Resource, Roadmap
from tracker.status import RoadmapState, SprintState
from tracker.workspace import Workspace

if TYPE_CHECKING:
    from graders.contract import GradeResult
    from tracker.boards.base import Board, Snapshot
    from tracker.ledger import Attempt
    from tracker.sync.apply import SyncReport
    from tracker.sync.desired import Desired
    from tracker.sync.plan import Action

__all__ = ["BoardPlan", "DashContext", "configured_board"]

HISTORY_LIMIT = 30


@dataclass(frozen=True)
class BoardPlan:
    """The sync plan of the configured board: what ``apply`` would change."""

    board: str
    actions: list[Action]


def configured_board(ws: Workspace, roadmap: Roadmap, config: Config, conn: sqlite3.Connection,
                     today: dt.date | None = None) -> tuple[Board, Callable[[Snapshot], Desired]]:
    """The board the workspace syncs to, with its desired-state builder.

    The one place the dashboard decides *which* board: today the local board (``tracker.sync``
    has no function yet that picks GitHub from ``sprint.toml``). When it grows one, call it here.
    """
    from tracker.boards.local import LocalBoard
    from tracker.sync.local import desired_builder

    return LocalBoard(conn, source="dash"), desired_builder(ws, roadmap, conn, today)


@dataclass
class DashContext:
    """An opened workspace as the dashboard sees it. ``today`` fixes the date (tests, demos)."""

    ws: Workspace
    roadmap: Roadmap
    config: Config
    conn: sqlite3.Connection
    today: dt.date | None = None
    _history: dict[str, list[GradeResult]] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, workspace: Path | None = None, *, today: dt.date | None = None) -> DashContext:
        ws = Workspace.find(workspace)
        roadmap = load_roadmap(ws.roadmap_path)
        return cls(ws, roadmap, load_config(ws.config_path), connect(ws.db_path), today)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def worker_conn(self) -> Iterator[sqlite3.Connection]:
        """A connection of its own for a worker thread, closed afterwards."""
        conn = connect(self.ws.db_path)
        try:
            yield conn
        finally:
            conn.close()

    # -- reading (UI thread) ----------------------------------------------------------------------

    def date(self) -> dt.date:
        return self.today or dt.date.today()

    def state(self) -> RoadmapState:
        self._history.clear()
        return roadmap_state(self.ws, self.roadmap, self.conn, today=self.date())

    def history(self, slug: str) -> list[GradeResult]:
        """The last attempts of ``slug`` under the roadmap's required profile, oldest first."""
        if slug not in self._history:
            attempts = Ledger(self.conn).history(slug, limit=HISTORY_LIMIT, profile=self.roadmap.profile)
            self._history[slug] = [a.result for a in attempts]
        return self._history[slug]

    def resources(self, sprint_id: str) -> list[Resource]:
        sprint = self.roadmap.sprint(sprint_id)
        if sprint is not None:
            return list(sprint.resources)
        for track in self.roadmap.tracks:
            for s in track.sprints:
                if s.id == sprint_id:
                    return list(s.resources) or list(track.resources)
        return []

    def outcome(self, sprint_id: str) -> str:
        sprint = self.roadmap.sprint(sprint_id) or next(
            (s for t in self.roadmap.tracks for s in t.sprints if s.id == sprint_id), None)
        return sprint.outcome if sprint else ""

    @property
    def repo(self) -> str | None:
        return self.config.github.repo

    def issue_url(self, sprint_id: str) -> str | None:
        """A link to the sprint's issue when a GitHub repository is configured: a search for its
        title prefix ``[id]`` until the board records real issue URLs."""
        if not self.repo:
            return None
        query = quote(f'is:issue "[{sprint_id}]"', safe="[]")
        return f"https://github.com/{self.repo}/issues?q={query}"

    def gradable(self, sprint: SprintState) -> tuple[list[str], list[str]]:
        """(exercises of ``sprint`` that can be graded here, those that cannot, with reasons)."""
        ok: list[str] = []
        skipped: list[str] = []
        for ex in sprint.exercises:
            if not ex.available:
                skipped.append(f"{ex.slug}: not yet available")
            elif not self.ws.exercise_dir(ex.slug).is_dir():
                skipped.append(f"{ex.slug}: no exercises/{ex.slug} folder in the workspace")
            else:
                ok.append(ex.slug)
        return ok, skipped

    # -- effects (worker threads) -----------------------------------------------------------------

    def grade(self, slugs: Sequence[str], *, on_start: Callable[[str], None],
              on_done: Callable[[GradeResult, Attempt | None], None]) -> None:
        """Grade through the same sandbox and ledger as ``sprint grade`` (then the local board syncs)."""
        from tracker.grading import grade_and_record

        with self.worker_conn() as conn:
            grade_and_record(self.ws, self.roadmap, conn, slugs, self.config.grading.profile,
                             on_start=on_start, on_done=on_done)

    def sync_plan(self) -> BoardPlan:
        from tracker.sync.plan import plan

        with self.worker_conn() as conn:
            board, desired = configured_board(self.ws, self.roadmap, self.config, conn, self.today)
            snapshot = board.snapshot()
            return BoardPlan(board.name, plan(desired(snapshot), snapshot))

    def sync_apply(self) -> SyncReport:
        from tracker.sync.apply import sync

        with self.worker_conn() as conn:
            board, desired = configured_board(self.ws, self.roadmap, self.config, conn, self.today)
            return sync(board, desired)
