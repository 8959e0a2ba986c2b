"""The ledger: every grading attempt, append-only, in the workspace database.

Board status is *derived* from it (``tracker.status``); nothing here decides what is Done.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from graders.contract import GradeResult
from tracker.db import transaction

__all__ = ["Attempt", "Ledger"]


@dataclass(frozen=True)
class Attempt:
    id: int
    result: GradeResult


class Ledger:
    """Attempts stored in ``conn`` (see ``tracker.db``). Safe to use from several processes."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def record(self, result: GradeResult) -> int:
        """Append one attempt; returns its id."""
        started = result.started_at.isoformat() if result.started_at else ""
        with transaction(self.conn):
            cur = self.conn.execute(
                "INSERT INTO attempts (slug, profile, status, started_at, duration_s, content_hash, commit_sha,"
                " seed, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (result.slug, result.profile, result.status, started, result.duration_s, result.content_hash,
                 result.commit, result.seed, result.model_dump_json()),
            )
        return int(cur.lastrowid or 0)

    def record_many(self, results: Iterable[GradeResult]) -> None:
        for result in results:
            self.record(result)

    def latest(self, slug: str, profile: str | None = None) -> Attempt | None:
        sql = "SELECT id, result FROM attempts WHERE slug = ?"
        args: list[object] = [slug]
        if profile:
            sql += " AND profile = ?"
            args.append(profile)
        row = self.conn.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone()
        return _attempt(row) if row else None

    # The two queries below run on every status and dashboard start. Each seeks the (slug, profile, id)
    # index once per slug instead of scanning the table: with 10,000 attempts, ~0.5 ms instead of ~30.

    def latest_all(self, profile: str | None = None) -> dict[str, Attempt]:
        """The last attempt of every slug (under ``profile`` when given)."""
        where = "AND a.profile = ?" if profile else ""
        args = [profile] if profile else []
        rows = self.conn.execute(
            "SELECT id, result FROM attempts WHERE id IN (SELECT (SELECT a.id FROM attempts AS a WHERE a.slug = s.slug"
            f" {where} ORDER BY a.id DESC LIMIT 1) FROM (SELECT DISTINCT slug FROM attempts) AS s)",
            args,
        ).fetchall()
        return {a.result.slug: a for a in map(_attempt, rows)}

    def ever_passed(self, profile: str | None = None) -> set[str]:
        """The slugs with at least one passing attempt (under ``profile`` when given)."""
        where = "AND a.profile = ?" if profile else ""
        args = [profile] if profile else []
        rows = self.conn.execute(
            "SELECT s.slug FROM (SELECT DISTINCT slug FROM attempts) AS s WHERE EXISTS (SELECT 1 FROM attempts AS a"
            f" WHERE a.slug = s.slug {where} AND a.status = 'pass')",
            args,
        )
        return {r[0] for r in rows}

    def previous(self, slug: str, before_id: int, profile: str | None = None) -> Attempt | None:
        """The attempt of ``slug`` just before ``before_id`` (for deltas)."""
        sql = "SELECT id, result FROM attempts WHERE slug = ? AND id < ?"
        args: list[object] = [slug, before_id]
        if profile:
            sql += " AND profile = ?"
            args.append(profile)
        row = self.conn.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone()
        return _attempt(row) if row else None

    def history(self, slug: str, limit: int = 50, profile: str | None = None) -> list[Attempt]:
        """Most recent last."""
        sql = "SELECT id, result FROM attempts WHERE slug = ?"
        args: list[object] = [slug]
        if profile:
            sql += " AND profile = ?"
            args.append(profile)
        rows = self.conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*args, limit]).fetchall()
        return [_attempt(r) for r in reversed(rows)]

    def hashes(self) -> dict[str, str]:
        """Content hash of the learner's files at each slug's last attempt (for ``--changed``)."""
        rows = self.conn.execute(
            "SELECT slug, content_hash FROM attempts WHERE id IN (SELECT MAX(id) FROM attempts GROUP BY slug)"
        )
        return {r[0]: r[1] for r in rows}

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM attempts").fetchone()[0])


def _attempt(row: sqlite3.Row) -> Attempt:
    return Attempt(id=int(row[0]), result=GradeResult.model_validate_json(row[1]))
