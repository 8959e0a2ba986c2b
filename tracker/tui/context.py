"""What the dashboard knows about its workspace, and the calls it makes into the tracker.

No business logic lives here either: status comes from :mod:`tracker.progress`, history from
:mod:`tracker.ledger`, grading from :func:`tracker.grading.grade_and_record`, the board diff from
:mod:`tracker.sync`. This module only wires them to one workspace and keeps the SQLite
connections straight: the UI thread reads through :attr:`DashContext.conn`; every worker thread
opens its own connection with :meth:`DashContext.worker_conn`. The board to sync is chosen in one
place, :func:`configured_sync`.
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
from tracker.progress import current_date, roadmap_state
from tracker.roadmap.cache import load_cached
from tracker.roadmap.models import Resource, Roadmap
from tracker.status import RoadmapState, SprintState
from tracker.workspace import Workspace

if TYPE_CHECKING:
    from graders.contract import GradeResult
    from tracker.ledger import Attempt
    from tracker.sync.github import GitHubTarget
    from tracker.sync.plan import Action

__all__ = ["DashContext", "SyncOutcome", "board_name", "configured_sync"]

HISTORY_LIMIT = 30


@dataclass(frozen=True)
class SyncOutcome:
    """A sync of the configured board: planned (dry run) or applied actions, and warnings."""

    board: str
    actions: list[Action]
    warnings: list[str] = field(default_factory=list)


def board_name(config: Config) -> str:
    return f"GitHub {config.github.repo}" if config.github.repo else "local"


def configured_sync(ws: Workspace, roadmap: Roadmap, config: Config, conn: sqlite3.Connection, *, dry_run: bool,
                    today: dt.date | None = None) -> SyncOutcome:
    """Plan (``dry_run``) or apply the sync of the board the workspace is configured for.

    The one place the dashboard decides *which* board, the way ``sprint sync`` does: GitHub when
    ``sprint.toml`` (or ``GITHUB_REPOSITORY``) names a repository — issues and the project, then the
    local mirror — else the local board.
    """
    target = _github_target(config)
    if target is None:
        from tracker.boards.local import LocalBoard
        from tracker.sync.apply import sync
        from tracker.sync.local import desired_builder
        from tracker.sync.plan import plan

        board = LocalBoard(conn, source="dash")
        desired = desired_builder(ws, roadmap, conn, today)
        if dry_run:
            snapshot = board.snapshot()
            return SyncOutcome("local", plan(desired(snapshot), snapshot))
        return SyncOutcome("local", sync(board, desired).applied)
    from tracker.sync.github import sync_github

    warnings: list[str] = []
    result = sync_github(ws, roadmap, conn, target, dry_run=dry_run, today=today, warn=warnings.append)
    return SyncOutcome(f"GitHub {target.repo}", result.actions, [*warnings, *result.warnings])


def _github_target(config: Config) -> GitHubTarget | None:
    if not config.github.repo:
        return None
    try:
        from tracker.sync.github import github_target
    except ImportError:  # an llm-sprint without the GitHub board: the local board only
        return None
    return github_target(config)


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
        roadmap = load_cached(ws.roadmap_path, ws.state_dir)
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
        return self.today or current_date()  # honours SPRINT_TODAY, as the CLI does

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

    @property
    def board_name(self) -> str:
        return board_name(self.config)

    def sync(self, *, dry_run: bool) -> SyncOutcome:
        """Plan or apply the sync of the configured board (in a worker thread: GitHub is slow)."""
        with self.worker_conn() as conn:
            return configured_sync(self.ws, self.roadmap, self.config, conn, dry_run=dry_run, today=self.today)
