"""The sprints' issues: listed in one conditional request, created at once, edited in one PATCH each.

* **Reading.** The repository's issues are listed ``state=all``, 100 a page, *conditionally*: when
  nothing changed GitHub answers 304 (free) and the cached page is used. An issue is a sprint's when
  its body carries the identity marker; of several for one sprint the oldest is kept (nothing is
  ever deleted) and the learner is warned.
* **Creating** an issue is sent at once and never repeated blindly: an unknown outcome raises
  ``TransientBoardError`` and the sync reads the board again.
* **Editing** is queued: every change to one issue in a sync round (title, body, labels,
  milestone, open/closed, the reference to its metrics comment) becomes one PATCH in :meth:`flush`.
* **The metrics comment** is found by the reference (id + digest) kept in the body, so comments are
  never listed — except to find that comment again by its marker when the reference is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tracker.board_model import ItemFields
from tracker.boards.github.issues import IssueRecord, parse_issue
from tracker.boards.github.milestones import Milestones
from tracker.boards.github.transport import Transport
from tracker.errors import BoardError
from tracker.markers import CommentRef, comment_digest, with_comment_ref

__all__ = ["IssueItems"]


@dataclass
class _Pending:
    """Edits to one issue, sent as one PATCH by ``flush``."""

    record: IssueRecord
    fields: ItemFields | None = None
    closed: bool | None = None
    ref: CommentRef | None = None
    ref_changed: bool = False


class IssueItems:
    """The roadmap's issues in one repository (OWNER/NAME), by sprint id."""

    def __init__(self, t: Transport, repo: str, milestones: Milestones, warn: Callable[[str], None]) -> None:
        self.t = t
        self.repo = repo
        self.milestones = milestones
        self.warn = warn
        self.records: dict[str, IssueRecord] = {}  # by sprint id
        self.duplicates: dict[str, list[int]] = {}  # sprint id → its issues' numbers, the kept one first
        self._pending: dict[int, _Pending] = {}  # by issue number

    @property
    def _path(self) -> str:
        return f"/repos/{self.repo}/issues"

    def fetch(self) -> list[Any]:
        """Every issue of the repository (REST JSON; pull requests included), oldest first."""
        return self.t.get_pages(self._path, {"state": "all", "per_page": 100, "sort": "created", "direction": "asc"},
                                what=f"listing the issues of {self.repo}")

    def discard(self) -> None:
        """Drop the queued edits (a new snapshot starts a new round)."""
        self._pending.clear()

    def read(self, entries: list[Any]) -> None:
        """Know the sprints' issues among ``entries`` (:meth:`fetch`)."""
        records: dict[str, IssueRecord] = {}
        duplicates: dict[str, list[int]] = {}
        for entry in entries:
            record = parse_issue(entry) if isinstance(entry, dict) else None
            if record is None:
                continue
            if record.sprint_id in records:  # keep the oldest; never delete anything
                duplicates.setdefault(record.sprint_id, [records[record.sprint_id].number]).append(record.number)
                continue
            records[record.sprint_id] = record
        self.duplicates = duplicates
        for sid, nums in duplicates.items():
            self.warn(f"sprint {sid} has several issues ({', '.join(f'#{n}' for n in nums)}); "
                      f"#{nums[0]} is kept, close the others by hand")
        self.records = records

    def create(self, sprint_id: str, fields: ItemFields) -> IssueRecord:
        body: dict[str, Any] = {"title": fields.title, "body": fields.body, "labels": fields.labels}
        number = self.milestones.number(fields.milestone)
        if number is not None:
            body["milestone"] = number
        r = self.t.rest("POST", self._path, body=body, what=f"creating the issue of [{sprint_id}]")
        rec = parse_issue(r.data) if isinstance(r.data, dict) else None
        if rec is None:
            raise BoardError(f"creating the issue of [{sprint_id}]: unexpected answer")
        self.records[sprint_id] = rec
        return rec

    def edit(self, sprint_id: str, *, fields: ItemFields | None = None, closed: bool | None = None) -> None:
        """Queue new ``fields`` and/or the open/closed state of the sprint's issue (sent by :meth:`flush`)."""
        pending = self._pending_for(sprint_id)
        if fields is not None:
            pending.fields = fields
        if closed is not None:
            pending.closed = closed

    def upsert_comment(self, sprint_id: str, body: str) -> None:
        """Edit the sprint's metrics comment, or add it; the body's reference to it is queued."""
        pending = self._pending_for(sprint_id)
        rec = pending.record
        comment_id = rec.comment_ref.id if rec.comment_ref else None
        if comment_id is not None:
            r = self.t.rest("PATCH", f"{self._path}/comments/{comment_id}", body={"body": body}, expect=(404,),
                            what=f"editing the metrics comment of [{sprint_id}]")
            if r.status == 404:
                comment_id = None  # deleted by hand: look for another, else write a new one
        if comment_id is None and rec.comments > 0:
            comment_id = self._find_comment(rec, body)
        if comment_id is None:
            r = self.t.rest("POST", f"{self._path}/{rec.number}/comments", body={"body": body},
                            what=f"adding the metrics comment to [{sprint_id}]")
            comment_id = int(r.data["id"])
        pending.ref = CommentRef(comment_id, comment_digest(body))
        pending.ref_changed = pending.ref != rec.comment_ref

    def flush(self) -> None:
        """Send the queued edits: one PATCH per issue. The queue is empty afterwards, whatever happens."""
        try:
            for number, p in sorted(self._pending.items()):
                body: dict[str, Any] = {}
                fields = p.fields
                if fields is not None:
                    body["title"] = fields.title
                    body["labels"] = fields.labels
                    body["milestone"] = self.milestones.number(fields.milestone)  # None clears it
                if fields is not None or p.ref_changed:
                    body["body"] = with_comment_ref(fields.body if fields is not None else p.record.body, p.ref)
                if p.closed is not None:
                    body["state"] = "closed" if p.closed else "open"
                    if p.closed:
                        body["state_reason"] = "completed"
                if not body:
                    continue
                self.t.rest("PATCH", f"{self._path}/{number}", body=body,
                            what=f"updating the issue of [{p.record.sprint_id}]")
        finally:
            self._pending.clear()

    def _pending_for(self, sprint_id: str) -> _Pending:
        rec = self.records.get(sprint_id)
        if rec is None:
            raise BoardError(f"no issue known for [{sprint_id}]")
        return self._pending.setdefault(rec.number, _Pending(rec, ref=rec.comment_ref))

    def _find_comment(self, rec: IssueRecord, body: str) -> int | None:
        """The metrics comment found by its marker (after a crash lost its reference); edited if stale."""
        first_line = body.split("\n", 1)[0].strip()
        for raw in self.t.get_pages(f"{self._path}/{rec.number}/comments", {"per_page": 100},
                                    what=f"looking for the metrics comment of [{rec.sprint_id}]"):
            text = str(raw.get("body") or "")
            if text.strip().startswith(first_line):
                if comment_digest(text) != comment_digest(body):
                    self.t.rest("PATCH", f"{self._path}/comments/{raw['id']}", body={"body": body},
                                what=f"editing the metrics comment of [{rec.sprint_id}]")
                return int(raw["id"])
        return None
