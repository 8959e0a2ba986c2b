"""The board contract (SPEC §8): what every board backend — local SQLite, GitHub, test doubles — offers.

A board holds one *item* per sprint, found again by its sprint id (on GitHub: a hidden marker
``<!-- llm-sprint:sprint=3.1 -->`` in the issue body plus a label). The sync (``tracker.sync``)
reads a :class:`Snapshot`, plans the difference to the desired state, and calls the methods below;
backends do no planning of their own. Every method is idempotent in effect, or documented not to be.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "COLUMNS",
    "Board",
    "ChecklistEntry",
    "Column",
    "Item",
    "ItemFields",
    "Label",
    "Milestone",
    "Release",
    "Snapshot",
    "marker",
]

Column = Literal["To Learn", "In Progress", "Done"]
COLUMNS: tuple[Column, ...] = ("To Learn", "In Progress", "Done")


def marker(sprint_id: str) -> str:
    """The hidden identity marker of a sprint's item."""
    return f"<!-- llm-sprint:sprint={sprint_id} -->"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChecklistEntry(_Frozen):
    text: str
    checked: bool
    manual: bool = False


class Label(_Frozen):
    name: str
    color: str = "ededed"  # six hex digits, no '#', as GitHub wants
    description: str = ""


class Milestone(_Frozen):
    title: str
    due_on: dt.date | None = None
    description: str = ""


class Release(_Frozen):
    tag: str
    name: str
    notes: str
    sha: str | None = None


class ItemFields(_Frozen):
    """The content of an item that the sync sets (identity aside)."""

    title: str
    body: str
    checklist: list[ChecklistEntry] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)
    milestone: str | None = None


class Item(_Frozen):
    """A sprint's item as it currently is on a board."""

    sprint_id: str
    key: str  # the backend's handle: an issue number, or the sprint id on the local board
    fields: ItemFields
    status: Column | None = None  # None: not on the project board / no status yet
    closed: bool = False
    comment: str | None = None  # the metrics comment, if one exists
    url: str | None = None


class Snapshot(_Frozen):
    """Everything the sync needs to know about a board's current state."""

    items: dict[str, Item] = Field(default_factory=dict)  # by sprint id
    labels: dict[str, Label] = Field(default_factory=dict)
    milestones: dict[str, Milestone] = Field(default_factory=dict)
    releases: dict[str, Release] = Field(default_factory=dict)  # by tag


@runtime_checkable
class Board(Protocol):
    """A Kanban board of sprints."""

    name: str

    def snapshot(self) -> Snapshot:
        """Read the current state (as cheaply as the backend allows)."""
        ...

    def create_item(self, sprint_id: str, fields: ItemFields) -> Item:
        """Create the sprint's item. Not idempotent on its own: callers reconcile first."""
        ...

    def update_item(self, item: Item, fields: ItemFields) -> Item:
        ...

    def set_status(self, item: Item, status: Column) -> None:
        ...

    def set_closed(self, item: Item, closed: bool) -> None:
        ...

    def upsert_comment(self, item: Item, body: str) -> None:
        """Create the metrics comment, or edit the one found by its marker. Never a second one."""
        ...

    def ensure_label(self, label: Label) -> None:
        ...

    def ensure_milestone(self, milestone: Milestone) -> None:
        ...

    def ensure_release(self, release: Release) -> None:
        """Tag ``release.tag`` (annotated) and publish the release; a no-op if it exists."""
        ...
