"""A kill -9 at any point of a grade's recording leaves a workspace database that reopens whole.

``ledger_crash_child`` runs the real recording of a grade (ledger insert, then the local board's
sync) and pauses after its n-th write statement; the test kills it there with SIGKILL — for every
n — then reopens the database: it passes SQLite's integrity check, holds the attempt exactly when
the kill came after the attempt's COMMIT (never a partial row), and the next sync brings the board
to the very state an uninterrupted grade leaves. (A kill during the sandbox run itself is in
tests/tracker/cli/test_stop_signals.py.)
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import FIXED_TODAY, REPO
from tests.tracker.ledger_crash_child import RESULT
from tracker.boards.local import LocalBoard
from tracker.db import connect
from tracker.ledger import Ledger
from tracker.roadmap.loader import load_roadmap
from tracker.sync.local import sync_local
from tracker.workspace import Workspace

Board = dict[str, tuple[object, ...]]


def board(ws: Workspace) -> Board:
    conn = connect(ws.db_path)
    try:
        items = LocalBoard(conn).snapshot().items
        return {sid: (i.status, i.closed, i.comment, i.fields.model_dump_json()) for sid, i in items.items()}
    finally:
        conn.close()


def restore(ws: Workspace, pristine: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(str(ws.db_path) + suffix).unlink(missing_ok=True)
    shutil.copy(pristine, ws.db_path)


def test_a_kill_9_after_any_write_of_a_grade_leaves_the_ledger_whole(workspace: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPRINT_TODAY", FIXED_TODAY.isoformat())  # the helper's syncs and ours see the same day
    monkeypatch.setenv("SPRINT_PROFILE", "cpu")
    ws = Workspace(workspace)
    roadmap = load_roadmap(ws.roadmap_path)
    conn = connect(ws.db_path)
    sync_local(ws, roadmap, conn, source="init")
    conn.close()  # the last connection checkpoints the WAL: the file alone is the database
    pristine = tmp_path / "pristine.db"
    shutil.copy(ws.db_path, pristine)
    before = board(ws)
    helper = subprocess.Popen([sys.executable, "-m", "tests.tracker.ledger_crash_child", str(workspace)],
                              cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert helper.stdin and helper.stdout
    child: int | None = None  # the helper's child while it runs: killed on the way out, whatever happens

    def grade_killed_after(n: int) -> list[str]:
        """One grade, killed with SIGKILL right after its n-th write (never when n is 0); its lines."""
        nonlocal child
        assert helper.stdin and helper.stdout
        helper.stdin.write(f"{n}\n")
        helper.stdin.flush()
        lines: list[str] = []
        killed = False
        while not (line := helper.stdout.readline().strip()).startswith("exit "):
            assert line, f"the helper died: {lines}"
            lines.append(line)
            if line.startswith("child "):
                child = int(line.split()[1])
            if child and not killed and any(x.startswith("paused ") for x in lines):
                os.kill(child, signal.SIGKILL)
                killed = True
        child = None
        assert killed == (n > 0) and (int(line.split()[1]) != 0) == killed, (line, lines)
        return lines

    try:
        lines = grade_killed_after(0)
        assert lines[-1] == "done", lines
        writes = [line.removeprefix("write ") for line in lines if line.startswith("write ")]
        after = board(ws)
        assert after != before, "the grade must move the board, or the syncs below prove nothing"
        inserted = writes.index("INSERT INTO attempts")
        committed = inserted + writes[inserted:].index("COMMIT") + 1  # after this write (1-based) it is in
        assert len(writes) >= 6, writes
        for n in range(1, len(writes) + 1):
            restore(ws, pristine)
            assert f"paused {n} {writes[n - 1]}" in grade_killed_after(n)
            where = f"killed after write #{n} ({writes[n - 1]})"
            conn = connect(ws.db_path)
            try:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", where
                ledger = Ledger(conn)
                assert ledger.count() == (1 if n >= committed else 0), where
                if n >= committed:
                    latest = ledger.latest("csv-to-json")
                    assert latest is not None and latest.result == RESULT, where
                sync_local(ws, roadmap, conn, source="sync")  # what the next grade or sync does
            finally:
                conn.close()
            assert board(ws) == (after if n >= committed else before), where
    finally:
        if child is not None:
            os.kill(child, signal.SIGKILL)
        helper.stdin.close()
        helper.wait(timeout=30)
        helper.stdout.close()
