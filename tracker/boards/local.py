"""The local board: the embedded default, in the workspace database (``tracker.db``).

Works with no account and no network. Every change is also appended to ``board_events`` so the
board keeps its history (what moved, when, from what to what, and why).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

from tracker.board_model import (
    ChecklistEntry,
    Column,
    Item,
    ItemFields,
    Label,
    Milestone,
    Release,
    Snapshot,
)
from tracker.db import transaction

__all__ = ["BoardEvent", "LocalBoard"]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class BoardEvent(tuple[int, str, str, str, str | None, str | None, str]):
    """(id, sprint_id, at, field, old, new, source) — a row of the board's history."""


class LocalBoard:
    name = "local"

    def __init__(self, conn: sqlite3.Connection, *, source: str = "") -> None:
        self.conn = conn
        self.source = source  # recorded with each event, e.g. "sync" or "grade"

    # -- reading ---------------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        items = {}
        for row in self.conn.execute("SELECT * FROM board_items"):
            fields = ItemFields(
                title=row["title"],
                body=row["body"],
                checklist=[ChecklistEntry(**c) for c in json.loads(row["checklist"])],
                labels=json.loads(row["labels"]),
                milestone=row["milestone"],
            )
            items[row["sprint_id"]] = Item(sprint_id=row["sprint_id"], key=row["sprint_id"], fields=fields,
                                           status=row["status"], closed=bool(row["closed"]), comment=row["comment"])
        labels = {r["name"]: Label(name=r["name"], color=r["color"], description=r["description"])
                  for r in self.conn.execute("SELECT * FROM board_labels")}
        milestones = {r["title"]: Milestone(title=r["title"], due_on=dt.date.fromisoformat(r["due_on"])
                                            if r["due_on"] else None)
                      for r in self.conn.execute("SELECT * FROM board_milestones")}
        releases = {r["tag"]: Release(tag=r["tag"], name=r["name"], notes=r["notes"], sha=r["sha"])
                    for r in self.conn.execute("SELECT * FROM board_releases")}
        return Snapshot(items=items, labels=labels, milestones=milestones, releases=releases)

    def history(self, sprint_id: str | None = None, limit: int = 100) -> list[BoardEvent]:
        sql = "SELECT id, sprint_id, at, field, old, new, source FROM board_events"
        args: list[object] = []
        if sprint_id:
            sql += " WHERE sprint_id = ?"
            args.append(sprint_id)
        rows = self.conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*args, limit]).fetchall()
        return [BoardEvent(tuple(r)) for r in reversed(rows)]

    def ticks(self) -> set[tuple[str, str]]:
        """(sprint id, item text) of every ticked manual checklist item."""
        out = set()
        for row in self.conn.execute("SELECT sprint_id, checklist FROM board_items"):
            for entry in json.loads(row["checklist"]):
                if entry.get("manual") and entry.get("checked"):
                    out.add((row["sprint_id"], entry["text"]))
        return out

    # -- writing ---------------------------------------------------------------------------------

    def _event(self, sprint_id: str, field: str, old: object, new: object) -> None:
        def text(v: object) -> str | None:
            return None if v is None else v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)

        self.conn.execute("INSERT INTO board_events (sprint_id, at, field, old, new, source) VALUES (?,?,?,?,?,?)",
                          (sprint_id, _now(), field, text(old), text(new), self.source))

    def create_item(self, sprint_id: str, fields: ItemFields) -> Item:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO board_items (sprint_id, title, status, checklist, labels, milestone, body, updated_at)"
                " VALUES (?, ?, 'To Learn', ?, ?, ?, ?, ?) ON CONFLICT (sprint_id) DO NOTHING",
                (sprint_id, fields.title, _checklist_json(fields.checklist), json.dumps(fields.labels),
                 fields.milestone, fields.body, _now()),
            )
            self._event(sprint_id, "created", None, fields.title)
        return Item(sprint_id=sprint_id, key=sprint_id, fields=fields, status="To Learn")

    def update_item(self, item: Item, fields: ItemFields) -> Item:
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE board_items SET title=?, checklist=?, labels=?, milestone=?, body=?, updated_at=?"
                " WHERE sprint_id=?",
                (fields.title, _checklist_json(fields.checklist), json.dumps(fields.labels), fields.milestone,
                 fields.body, _now(), item.sprint_id),
            )
            old = {e.text: e.checked for e in item.fields.checklist}
            for entry in fields.checklist:
                if old.get(entry.text) is not None and old[entry.text] != entry.checked:
                    self._event(item.sprint_id, "checklist", f"{'x' if old[entry.text] else ' '} {entry.text}",
                                f"{'x' if entry.checked else ' '} {entry.text}")
            if item.fields.title != fields.title:
                self._event(item.sprint_id, "title", item.fields.title, fields.title)
        return item.model_copy(update={"fields": fields})

    def set_status(self, item: Item, status: Column) -> None:
        with transaction(self.conn):
            row = self.conn.execute("SELECT status FROM board_items WHERE sprint_id=?", (item.sprint_id,)).fetchone()
            if row is None or row["status"] == status:
                return
            self.conn.execute("UPDATE board_items SET status=?, updated_at=? WHERE sprint_id=?",
                              (status, _now(), item.sprint_id))
            self._event(item.sprint_id, "status", row["status"], status)

    def set_closed(self, item: Item, closed: bool) -> None:
        with transaction(self.conn):
            self.conn.execute("UPDATE board_items SET closed=?, updated_at=? WHERE sprint_id=?",
                              (int(closed), _now(), item.sprint_id))
            self._event(item.sprint_id, "closed" if closed else "reopened", None, None)

    def upsert_comment(self, item: Item, body: str) -> None:
        with transaction(self.conn):
            self.conn.execute("UPDATE board_items SET comment=?, updated_at=? WHERE sprint_id=?",
                              (body, _now(), item.sprint_id))
            self._event(item.sprint_id, "comment", None, None)

    def tick(self, sprint_id: str, text: str, checked: bool = True) -> bool:
        """Tick (or untick) a manual checklist item by its text. Returns False if no such item."""
        with transaction(self.conn):
            row = self.conn.execute("SELECT checklist FROM board_items WHERE sprint_id=?", (sprint_id,)).fetchone()
            if row is None:
                return False
            entries = json.loads(row["checklist"])
            found = False
            for entry in entries:
                if entry["text"] == text and entry.get("manual"):
                    found = True
                    if entry["checked"] != checked:
                        entry["checked"] = checked
                        self._event(sprint_id, "checklist", f"{'x' if not checked else ' '} {text}",
                                    f"{'x' if checked else ' '} {text}")
            if found:
                self.conn.execute("UPDATE board_items SET checklist=?, updated_at=? WHERE sprint_id=?",
                                  (json.dumps(entries, ensure_ascii=False), _now(), sprint_id))
            return found

    def ensure_label(self, label: Label) -> None:
        with transaction(self.conn):
            self.conn.execute("INSERT INTO board_labels (name, color, description) VALUES (?,?,?)"
                              " ON CONFLICT (name) DO NOTHING", (label.name, label.color, label.description))

    def ensure_milestone(self, milestone: Milestone) -> None:
        with transaction(self.conn):
            self.conn.execute("INSERT INTO board_milestones (title, due_on) VALUES (?, ?) ON CONFLICT (title)"
                              " DO UPDATE SET due_on = excluded.due_on",
                              (milestone.title, milestone.due_on.isoformat() if milestone.due_on else None))

    def ensure_release(self, release: Release) -> None:
        with transaction(self.conn):
            self.conn.execute("INSERT INTO board_releases (tag, name, notes, sha, created_at) VALUES (?,?,?,?,?)"
                              " ON CONFLICT (tag) DO NOTHING",
                              (release.tag, release.name, release.notes, release.sha, _now()))


def _checklist_json(entries: list[ChecklistEntry]) -> str:
    return json.dumps([e.model_dump() for e in entries], ensure_ascii=False)
