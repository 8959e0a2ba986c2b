"""Sync the workspace's local board (the embedded default): used by init, grade and sync."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable

from tracker.boards.base import Board, Snapshot
from tracker.boards.local import LocalBoard
from tracker.progress import roadmap_state
from tracker.roadmap.models import Roadmap
from tracker.sync.apply import SyncReport, sync
from tracker.sync.desired import Desired, desired_state, ticks_from
from tracker.workspace import Workspace

__all__ = ["desired_builder", "sync_local"]


def desired_builder(ws: Workspace, roadmap: Roadmap, conn: sqlite3.Connection,
                    today: dt.date | None = None) -> Callable[[Snapshot], Desired]:
    """A function snapshot → desired state; manual ticks are read from the snapshot's board."""

    def build(snapshot: Snapshot) -> Desired:
        state = roadmap_state(ws, roadmap, conn, ticks=ticks_from(snapshot), today=today)
        return desired_state(roadmap, state)

    return build


def sync_local(ws: Workspace, roadmap: Roadmap, conn: sqlite3.Connection, *, source: str = "sync") -> SyncReport:
    board: Board = LocalBoard(conn, source=source)
    return sync(board, desired_builder(ws, roadmap, conn))
