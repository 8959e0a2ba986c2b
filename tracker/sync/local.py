"""Sync the workspace's local board (the embedded default): used by init, grade and sync."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Set

from tracker.board_model import Snapshot
from tracker.boards.base import Board
from tracker.boards.local import LocalBoard
from tracker.progress import roadmap_state
from tracker.roadmap.models import Roadmap
from tracker.sync.apply import SyncReport, sync
from tracker.sync.desired import Desired, desired_state, ticks_from
from tracker.workspace import Workspace

__all__ = ["desired_builder", "sync_local"]

Ticks = Set[tuple[str, str]]


def desired_builder(ws: Workspace, roadmap: Roadmap, conn: sqlite3.Connection,
                    today: dt.date | None = None, *,
                    ticks: Callable[[Snapshot], Ticks] | None = None) -> Callable[[Snapshot], Desired]:
    """A function snapshot → desired state. Manual ticks are read from the snapshot's board, unless
    ``ticks`` says where they come from (e.g. GitHub's issues, the source of truth when configured)."""
    read_ticks = ticks or ticks_from

    def build(snapshot: Snapshot) -> Desired:
        state = roadmap_state(ws, roadmap, conn, ticks=read_ticks(snapshot), today=today)
        return desired_state(roadmap, state)

    return build


def sync_local(ws: Workspace, roadmap: Roadmap, conn: sqlite3.Connection, *, source: str = "sync",
               ticks: Ticks | None = None) -> SyncReport:
    """Sync the local board; ``ticks`` (sprint id, item text) replace its own manual ticks when given."""
    board: Board = LocalBoard(conn, source=source)
    fixed = None if ticks is None else (lambda _snapshot: ticks)
    return sync(board, desired_builder(ws, roadmap, conn, ticks=fixed))
