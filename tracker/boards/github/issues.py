"""Pure: GitHub issues (REST JSON) ↔ board items — identity, checklist, comment reference.

An issue belongs to the roadmap when its body carries ``<!-- llm-sprint:sprint=<id> -->``. Its
checklist ("What must work") is read back from the body, so boxes the learner ticks on GitHub are
seen by the next sync (and are the source of truth for manual items). The reference to the
metrics comment (``tracker.markers``) is kept in the body but reported separately.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from tracker.board_model import ChecklistEntry, ItemFields, Label, Milestone
from tracker.markers import CommentRef, normalize_text, parse_comment_ref, strip_comment_ref

__all__ = ["IssueRecord", "parse_checklist", "parse_issue", "sprint_of"]

_IDENTITY = re.compile(r"<!--\s*llm-sprint:sprint=([^\s>]+)\s*-->")
_BOX = re.compile(r"^\s*[-*]\s+\[(?P<mark>[ xX])\]\s+(?P<text>.*?)\s*$")
_MANUAL = " _(tick by hand)_"
_SECTION = "### what must work"


def sprint_of(body: str | None) -> str | None:
    m = _IDENTITY.search(body or "")
    return m.group(1) if m else None


def parse_checklist(body: str) -> list[ChecklistEntry]:
    """The ``- [ ]`` / ``- [x]`` lines of the "What must work" section (the whole body if it has none)."""
    lines = normalize_text(body).split("\n")
    starts = [i for i, line in enumerate(lines) if line.strip().lower() == _SECTION]
    if starts:
        lines = lines[starts[0] + 1:]
        end = next((i for i, line in enumerate(lines) if line.startswith(("#", "<sub>"))), len(lines))
        lines = lines[:end]
    out = []
    for line in lines:
        m = _BOX.match(line)
        if m is None:
            continue
        text = m.group("text")
        manual = text.endswith(_MANUAL.strip()) or text.endswith(_MANUAL)
        if manual:
            text = text[: -len(_MANUAL.strip())].rstrip()
        out.append(ChecklistEntry(text=text, checked=m.group("mark") != " ", manual=manual))
    return out


@dataclass
class IssueRecord:
    """What the board remembers about one roadmap issue between calls."""

    sprint_id: str
    number: int
    node_id: str
    url: str
    title: str
    body: str  # without the comment reference
    labels: list[str]
    milestone: str | None
    closed: bool
    comments: int
    comment_ref: CommentRef | None

    def fields(self) -> ItemFields:
        return ItemFields(title=self.title, body=self.body, checklist=parse_checklist(self.body), labels=self.labels,
                          milestone=self.milestone)


def parse_issue(raw: dict[str, Any]) -> IssueRecord | None:
    """A roadmap issue from the REST JSON, or None (pull request, or no identity marker)."""
    if "pull_request" in raw:
        return None
    body = str(raw.get("body") or "").replace("\r\n", "\n")
    sprint_id = sprint_of(body)
    if sprint_id is None:
        return None
    milestone = raw.get("milestone") or None
    return IssueRecord(
        sprint_id=sprint_id,
        number=int(raw["number"]),
        node_id=str(raw.get("node_id") or ""),
        url=str(raw.get("html_url") or ""),
        title=str(raw.get("title") or ""),
        body=strip_comment_ref(body),
        labels=[str(lb["name"]) for lb in raw.get("labels") or [] if isinstance(lb, dict) and "name" in lb],
        milestone=str(milestone["title"]) if isinstance(milestone, dict) else None,
        closed=raw.get("state") == "closed",
        comments=int(raw.get("comments") or 0),
        comment_ref=parse_comment_ref(body),
    )


def parse_label(raw: dict[str, Any]) -> Label:
    return Label(name=str(raw["name"]), color=str(raw.get("color") or "ededed"),
                 description=str(raw.get("description") or ""))


def parse_milestone(raw: dict[str, Any]) -> tuple[int, Milestone]:
    due = raw.get("due_on")
    due_on = dt.datetime.fromisoformat(str(due).replace("Z", "+00:00")).date() if due else None
    return int(raw["number"]), Milestone(title=str(raw["title"]), due_on=due_on,
                                         description=str(raw.get("description") or ""))
