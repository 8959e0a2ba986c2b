"""Pure: what a board holds, whatever the backend — the columns, an item and its fields, labels,
milestones, releases, a snapshot of it all, and the state of a Projects (v2) board.

The domain below both the board backends (``tracker.boards``) and the sync (``tracker.sync``), and
the column type of the status model (``tracker.status``): all three import it, it imports none of
them. The hidden markers that identify items and comments are ``tracker.markers``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "COLUMNS",
    "ChecklistEntry",
    "Column",
    "Item",
    "ItemFields",
    "Label",
    "Milestone",
    "ProjectState",
    "Release",
    "Snapshot",
]

Column = Literal["To Learn", "In Progress", "Done"]
COLUMNS: tuple[Column, ...] = ("To Learn", "In Progress", "Done")


class _Frozen(BaseModel):
    # defer_build: validators are built on first use; `sprint status` imports these and never builds them
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


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


class ProjectState(_Frozen):
    """What a sync needs to know about a Projects (v2) board (pure data, read with the snapshot)."""

    title: str  # the project's title, or the title it will be created with
    exists: bool
    linked: bool = True  # linked to the repository
    options_ready: bool = True  # the Status field offers every column (or a mapping onto its options)
    has_items: bool = False  # the options may only be replaced while the project holds no item
