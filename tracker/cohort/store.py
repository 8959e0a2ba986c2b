"""The mentor's local memory of earlier looks at a cohort: ``.sprint/cohort.db`` beside the cohort file.

SQLite (WAL, ``BEGIN IMMEDIATE`` writes, ``user_version`` migrations — the workspace database's rules,
in a file of its own: a mentor needs no learner workspace).

* a **look** is one ``sprint cohort`` read: when, cold or warm, how many requests, and — while it is
  being read — its ``plan`` (listing cursors, repositories still to read in full), saved after every
  page, so a read stopped by GitHub (a 502 that did not go away, a rate limit past our wait) resumes
  where it stopped instead of reading again what it has;
* an **entry** is one repository in one look: its stamp (see :mod:`tracker.cohort.queries`) and the
  digest of its snapshot; snapshots are stored once per content (``blobs``), so a look where nothing
  changed costs a thousand small rows, not a thousand copies of each ``progress.json``.

Only the newest :data:`KEEP_LOOKS` finished looks of a cohort are kept (and any a weekly digest may
still compare with: those of the last :data:`KEEP_DAYS` days).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.cohort.queries import RepoSnapshot, snapshot_from_json
from tracker.errors import LedgerError

__all__ = ["Look", "Store"]

KEEP_LOOKS = 20
KEEP_DAYS = 60
RESUME_WITHIN = dt.timedelta(hours=6)

MIGRATIONS = [
    """
    CREATE TABLE looks (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        cohort      TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        day         TEXT NOT NULL,                -- the date the look is "as of" (SPRINT_TODAY may pin it)
        mode        TEXT NOT NULL CHECK (mode IN ('cold', 'warm')),
        plan        TEXT NOT NULL DEFAULT '{}',
        requests    INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX looks_cohort ON looks (cohort, id);
    CREATE TABLE blobs (
        digest TEXT PRIMARY KEY,
        data   TEXT NOT NULL
    );
    CREATE TABLE entries (
        look_id INTEGER NOT NULL REFERENCES looks (id) ON DELETE CASCADE,
        repo    TEXT NOT NULL,
        seq     INTEGER NOT NULL,
        stamp   TEXT NOT NULL,
        blob    TEXT NOT NULL REFERENCES blobs (digest),
        PRIMARY KEY (look_id, repo)
    );
    """,
]


@dataclass
class Look:
    id: int
    cohort: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    day: dt.date
    mode: str
    plan: dict[str, Any] = field(default_factory=dict)
    requests: int = 0

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _look(row: sqlite3.Row) -> Look:
    return Look(id=int(row["id"]), cohort=str(row["cohort"]), started_at=dt.datetime.fromisoformat(row["started_at"]),
                finished_at=dt.datetime.fromisoformat(row["finished_at"]) if row["finished_at"] else None,
                day=dt.date.fromisoformat(row["day"]), mode=str(row["mode"]), plan=json.loads(row["plan"] or "{}"),
                requests=int(row["requests"]))


class Store:
    """Looks of one or more cohorts in one SQLite file."""

    def __init__(self, path: Path, *, clock: Any = _now) -> None:
        self.path = path
        self.clock = clock
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")  # WAL: a crash loses at most the last page read
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA busy_timeout=30000")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{path}: cannot open the cohort cache ({exc}); delete it to start afresh "
                              "(the next read is a full one)") from None
        except OSError as exc:
            raise LedgerError(f"{path}: cannot create the cohort cache ({exc})") from None

    def close(self) -> None:
        self.conn.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise LedgerError(f"{self.path} was written by a newer llm-sprint (cache schema {version}); "
                              "upgrade llm-sprint, or delete the file to start afresh")
        if version == len(MIGRATIONS):
            return
        with self._tx():
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for step in range(version, len(MIGRATIONS)):
                for statement in MIGRATIONS[step].split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version={step + 1}")

    # ---- looks -----------------------------------------------------------------------------------

    def begin(self, cohort: str, mode: str, plan: dict[str, Any], day: dt.date) -> Look:
        started = self.clock()
        with self._tx():
            cur = self.conn.execute("INSERT INTO looks (cohort, started_at, day, mode, plan) VALUES (?, ?, ?, ?, ?)",
                                    (cohort, started.isoformat(), day.isoformat(), mode, json.dumps(plan)))
        return Look(int(cur.lastrowid or 0), cohort, started, None, day, mode, plan)

    def resumable(self, cohort: str) -> Look | None:
        """The newest look of ``cohort`` if it was stopped half-way recently (else None)."""
        row = self.conn.execute("SELECT * FROM looks WHERE cohort = ? ORDER BY id DESC LIMIT 1", (cohort,)).fetchone()
        if row is None or row["finished_at"]:
            return None
        look = _look(row)
        return look if self.clock() - look.started_at <= RESUME_WITHIN else None

    def last_finished(self, cohort: str, *, before: dt.date | None = None,
                      excluding: int | None = None) -> Look | None:
        """The newest finished look (as of a day before ``before``, when given)."""
        sql = "SELECT * FROM looks WHERE cohort = ? AND finished_at IS NOT NULL"
        args: list[Any] = [cohort]
        if before is not None:
            sql += " AND day < ?"
            args.append(before.isoformat())
        if excluding is not None:
            sql += " AND id != ?"
            args.append(excluding)
        row = self.conn.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone()
        return _look(row) if row else None

    def looks(self, cohort: str) -> list[Look]:
        rows = self.conn.execute("SELECT * FROM looks WHERE cohort = ? ORDER BY id", (cohort,)).fetchall()
        return [_look(r) for r in rows]

    def save_plan(self, look: Look, requests: int) -> None:
        look.requests = requests
        with self._tx():
            self.conn.execute("UPDATE looks SET plan = ?, requests = ? WHERE id = ?",
                              (json.dumps(look.plan), requests, look.id))

    def finish(self, look: Look, requests: int) -> None:
        look.finished_at = self.clock()
        look.requests = requests
        with self._tx():
            self.conn.execute("UPDATE looks SET finished_at = ?, plan = '{}', requests = ? WHERE id = ?",
                              (look.finished_at.isoformat(), requests, look.id))
        self._prune(look.cohort)

    def _prune(self, cohort: str) -> None:
        rows = self.conn.execute("SELECT id, finished_at FROM looks WHERE cohort = ? AND finished_at IS NOT NULL "
                                 "ORDER BY id DESC", (cohort,)).fetchall()
        horizon = (self.clock() - dt.timedelta(days=KEEP_DAYS)).isoformat()
        drop = [int(r["id"]) for i, r in enumerate(rows) if i >= KEEP_LOOKS and r["finished_at"] < horizon]
        stale = self.conn.execute("SELECT id FROM looks WHERE cohort = ? AND finished_at IS NULL AND id < ?",
                                  (cohort, rows[0]["id"] if rows else 0)).fetchall()
        drop += [int(r["id"]) for r in stale]
        if not drop:
            return
        with self._tx():
            self.conn.executemany("DELETE FROM entries WHERE look_id = ?", [(i,) for i in drop])
            self.conn.executemany("DELETE FROM looks WHERE id = ?", [(i,) for i in drop])
            self.conn.execute("DELETE FROM blobs WHERE digest NOT IN (SELECT DISTINCT blob FROM entries)")

    # ---- entries ---------------------------------------------------------------------------------

    def put(self, look: Look, snapshots: Iterable[RepoSnapshot], *, reuse: dict[str, str] | None = None) -> None:
        """Add repositories to ``look`` in one transaction: their snapshots, or (``reuse``: repo → blob
        digest) a blob an earlier look already stored."""
        rows: list[tuple[Any, ...]] = []
        blobs: list[tuple[str, str]] = []
        with self._tx():
            seq = int(self.conn.execute("SELECT COALESCE(MAX(seq), -1) FROM entries WHERE look_id = ?",
                                        (look.id,)).fetchone()[0])
            for snap in snapshots:
                seq += 1
                digest = (reuse or {}).get(snap.key)
                if digest is None:
                    data = json.dumps(snap.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                    digest = hashlib.sha256(data.encode()).hexdigest()
                    blobs.append((digest, data))
                rows.append((look.id, snap.key, seq, snap.stamp, digest))
            self.conn.executemany("INSERT OR IGNORE INTO blobs (digest, data) VALUES (?, ?)", blobs)
            self.conn.executemany("INSERT OR IGNORE INTO entries (look_id, repo, seq, stamp, blob) "
                                  "VALUES (?, ?, ?, ?, ?)", rows)

    def stamps(self, look_id: int) -> dict[str, tuple[str, str]]:
        """repo (lower-cased) → (stamp, blob digest) of every entry of a look."""
        rows = self.conn.execute("SELECT repo, stamp, blob FROM entries WHERE look_id = ?", (look_id,)).fetchall()
        return {str(r["repo"]): (str(r["stamp"]), str(r["blob"])) for r in rows}

    def snapshots(self, look_id: int, memo: dict[str, RepoSnapshot] | None = None) -> list[RepoSnapshot]:
        """Every repository of a look, in the order it was read. ``memo`` (blob digest → snapshot, shared
        between calls) decodes a blob once when two looks share it — most of them, between two looks."""
        memo = {} if memo is None else memo
        out = []
        for row in self.conn.execute("SELECT blob FROM entries WHERE look_id = ? ORDER BY seq", (look_id,)).fetchall():
            digest = str(row["blob"])
            if digest not in memo:
                data = self.conn.execute("SELECT data FROM blobs WHERE digest = ?", (digest,)).fetchone()["data"]
                memo[digest] = snapshot_from_json(json.loads(data))
            out.append(memo[digest])
        return out
