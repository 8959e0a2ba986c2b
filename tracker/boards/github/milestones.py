"""The repository's milestones: their numbers by title, learned as cheaply as GitHub allows.

An issue refers to its milestone by number, the roadmap by title. The numbers come from the
issues the snapshot lists (each carries its milestone), from the answer when one is created, and
— only when a title is still unknown — from listing the milestones once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tracker.board_model import Milestone
from tracker.boards.github.issues import parse_milestone
from tracker.boards.github.transport import Transport
from tracker.errors import BoardError

__all__ = ["Milestones"]


class Milestones:
    """Milestone numbers of one repository (OWNER/NAME), by title."""

    def __init__(self, t: Transport, repo: str) -> None:
        self.t = t
        self.repo = repo
        self.numbers: dict[str, int] = {}

    def read(self, entries: Iterable[Any]) -> dict[str, Milestone]:
        """The milestones the listed issues (REST JSON) carry, by title; their numbers are remembered."""
        milestones: dict[str, Milestone] = {}
        numbers: dict[str, int] = {}
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("milestone"), dict):
                number, ms = parse_milestone(entry["milestone"])
                milestones.setdefault(ms.title, ms)
                numbers.setdefault(ms.title, number)
        self.numbers.update(numbers)  # what the issues say now wins over what was learned before
        return milestones

    def ensure(self, milestone: Milestone) -> None:
        """Create ``milestone`` unless it exists; either way, learn its number."""
        body: dict[str, Any] = {"title": milestone.title, "description": milestone.description}
        if milestone.due_on:
            body["due_on"] = f"{milestone.due_on.isoformat()}T00:00:00Z"
        r = self.t.rest("POST", f"/repos/{self.repo}/milestones", body=body, expect=(422,),
                        what=f"creating milestone {milestone.title!r}")
        if r.status == 201 and isinstance(r.data, dict):
            self.numbers[milestone.title] = int(r.data["number"])
            return
        self._load()  # it exists already: learn its number
        if milestone.title not in self.numbers:
            raise BoardError(self.t.redact(f"milestone {milestone.title!r} could not be created nor found"))

    def number(self, title: str | None) -> int | None:
        """The number of the milestone ``title`` (None for None); a BoardError when the repository has none."""
        if title is None:
            return None
        if title not in self.numbers:
            self._load()
        if title not in self.numbers:
            raise BoardError(f"milestone {title!r} does not exist in {self.repo}")
        return self.numbers[title]

    def _load(self) -> None:
        for raw in self.t.get_pages(f"/repos/{self.repo}/milestones", {"state": "all", "per_page": 100},
                                    what=f"listing the milestones of {self.repo}"):
            number, ms = parse_milestone(raw)
            self.numbers[ms.title] = number
