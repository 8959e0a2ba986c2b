"""The workspace database: one SQLite file under ``.sprint/`` holding the local board and the ledger.

* WAL mode, so readers never block the writer and a crash loses at most the open transaction;
* every write goes through :func:`transaction` (``BEGIN IMMEDIATE``) with a generous busy timeout,
  so two processes writing at once queue up instead of failing or losing rows;
* the schema version lives in ``PRAGMA user_version``; :data:`MIGRATIONS` upgrade it step by step,
  and a database from a newer llm-sprint is refused rather than damaged.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from tracker.errors import LedgerError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "connect", "transaction"]

# Append only: migration N takes a database from version N-1 to N. Never edit a released step.
# Statements are split on ";" — keep semicolons out of comments.
MIGRATIONS: list[str] = [
    # 1: the local board and the ledger of grading attempts.
    """
    CREATE TABLE board_items (
        sprint_id   TEXT PRIMARY KEY,
        title       TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('To Learn', 'In Progress', 'Done')),
        checklist   TEXT NOT NULL DEFAULT '[]',   -- JSON list of {"text", "checked", "manual"}
        labels      TEXT NOT NULL DEFAULT '[]',   -- JSON list of label names
        milestone   TEXT,
        body        TEXT NOT NULL DEFAULT '',
        comment     TEXT,                         -- the metrics comment, once Done
        closed      INTEGER NOT NULL DEFAULT 0,
        updated_at  TEXT NOT NULL
    );
    CREATE TABLE board_events (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        sprint_id   TEXT NOT NULL,
        at          TEXT NOT NULL,
        field       TEXT NOT NULL,
        old         TEXT,
        new         TEXT,
        source      TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX board_events_sprint ON board_events (sprint_id, id);
    CREATE TABLE board_labels (
        name        TEXT PRIMARY KEY,
        color       TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE board_milestones (
        title       TEXT PRIMARY KEY,
        due_on      TEXT
    );
    CREATE TABLE board_releases (
        tag         TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        notes       TEXT NOT NULL,
        sha         TEXT,
        created_at  TEXT NOT NULL
    );
    CREATE TABLE attempts (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        slug         TEXT NOT NULL,
        profile      TEXT NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'error', 'pending')),
        started_at   TEXT NOT NULL,
        duration_s   REAL NOT NULL,
        content_hash TEXT NOT NULL,
        commit_sha   TEXT,
        seed         INTEGER NOT NULL,
        result       TEXT NOT NULL                -- the versioned results JSON
    );
    CREATE INDEX attempts_slug ON attempts (slug, profile, id);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def connect(path: Path, *, timeout_s: float = 30.0) -> sqlite3.Connection:
    """Open (creating and migrating if needed) the database at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, timeout=timeout_s, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA busy_timeout={int(timeout_s * 1000)}")
        _migrate(conn, path)
    except sqlite3.DatabaseError as exc:
        raise LedgerError(f"{path}: cannot open the workspace database ({exc}); "
                          "move it aside to start a fresh board and ledger") from exc
    return conn


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the write lock up front (no upgrade deadlocks)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise LedgerError(f"{path} was written by a newer llm-sprint (schema {version}, this one knows "
                          f"{SCHEMA_VERSION}); upgrade llm-sprint")
    if version == SCHEMA_VERSION:
        return
    with transaction(conn):
        # Re-read under the lock: another process may have migrated meanwhile.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for step in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[step].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version={step + 1}")
