"""The workspace database: migrations, refusing newer schemas, and two writers losing nothing."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from graders.contract import GradeResult
from tracker.board_model import ItemFields
from tracker.boards.local import LocalBoard
from tracker.db import SCHEMA_VERSION, connect
from tracker.errors import LedgerError
from tracker.ledger import Ledger


def test_new_database_is_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    conn = connect(tmp_path / "s.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(LedgerError, match="newer llm-sprint"):
        connect(path)


def _writer(path: str, who: int, n: int) -> None:
    conn = connect(Path(path))
    ledger = Ledger(conn)
    board = LocalBoard(conn, source=f"writer{who}")
    for i in range(n):
        ledger.record(GradeResult(slug=f"ex-{who}", kind="function", status="pass" if i % 2 else "fail", seed=i))
        board.create_item(f"{who}.{i}", ItemFields(title=f"sprint {who}.{i}", body=""))
        board.set_status(board.snapshot().items[f"{who}.{i}"], "In Progress")
    conn.close()


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    connect(Path(path)).close()
    n = 120
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, who, n)) for who in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    conn = connect(Path(path))
    assert Ledger(conn).count() == 2 * n
    items = LocalBoard(conn).snapshot().items
    assert len(items) == 2 * n and {i.status for i in items.values()} == {"In Progress"}
    events = conn.execute("SELECT COUNT(*) FROM board_events").fetchone()[0]
    assert events == 2 * n * 2  # one "created" and one "status" event per item
