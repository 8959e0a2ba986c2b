"""Helper of test_ledger_crash.py: a grade that pauses after its n-th database write, to be killed there.

``python -m tests.tracker.ledger_crash_child WORKSPACE`` imports everything once, then for each
number ``n`` read on stdin forks a child that runs :func:`tracker.grading.grade_and_record` for
csv-to-json — the real recording and board sync, with a fixed result in place of the sandbox run
(the runs themselves are killed in test_stop_signals.py) — and, right after its ``n``-th write
statement, prints ``paused N <statement>`` and sleeps until it is killed. ``n = 0`` never pauses:
the child prints each write as ``write <statement>``, then ``done``. The parent prints
``child PID`` and, once the child is gone, ``exit STATUS``. The parent is single-threaded, so
forking it is safe; no database connection is open in it.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import tracker.grading as grading
import tracker.sync.local  # noqa: F401  (imported by grade_and_record: load it before forking)
from graders.contract import Check, GradeResult, Hardware
from tracker.db import connect
from tracker.roadmap.loader import load_roadmap
from tracker.workspace import Workspace

RESULT = GradeResult(
    slug="csv-to-json", kind="function", status="pass", seed=7, profile="cpu",
    checks=[Check(name="accuracy", status="pass", measured=1.0, threshold=">= 100 %", display="100 %"),
            Check(name="runtime", status="pass", measured=0.25, threshold="<= 10 s", display="0.25 s")],
    started_at=dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC), duration_s=1.5,
    hardware=Hardware(platform="test", cores=2), content_hash="sha256:" + "0" * 64)


def _canned_grade(target: grading.GradeTarget, **_: Any) -> GradeResult:
    return RESULT


class PausingConnection:
    """Forwards to a connection; after its ``pause_after``-th write statement, says so and waits to die."""

    def __init__(self, conn: sqlite3.Connection, pause_after: int) -> None:
        self._conn = conn
        self._pause_after = pause_after
        self.writes = 0

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        cursor = self._conn.execute(sql, params)
        if sql.split(None, 1)[0].upper() not in ("SELECT", "PRAGMA"):
            self.writes += 1
            what = " ".join(sql.split()[:3])
            if self.writes == self._pause_after:
                print(f"paused {self.writes} {what}", flush=True)
                time.sleep(3600)
            elif not self._pause_after:
                print(f"write {what}", flush=True)
        return cursor

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def main(workspace: str) -> None:
    ws = Workspace(Path(workspace))
    roadmap = load_roadmap(ws.roadmap_path)
    grading.grade = _canned_grade  # type: ignore[assignment]
    for line in sys.stdin:
        pause_after = int(line)
        pid = os.fork()
        if pid == 0:
            try:
                conn = PausingConnection(connect(ws.db_path), pause_after)
                grading.grade_and_record(ws, roadmap, conn, ["csv-to-json"], "cpu")  # type: ignore[arg-type]
                print("done", flush=True)
            finally:
                os._exit(0)
        print(f"child {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"exit {status}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
