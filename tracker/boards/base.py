"""The board contract (SPEC §8): what every board backend — local SQLite, GitHub, test doubles — offers.

A board holds one *item* per sprint, found again by its sprint id (on GitHub: a hidden marker
``<!-- llm-sprint:sprint=3.1 -->`` in the issue body plus a label). The sync (``tracker.sync``)
reads a :class:`Snapshot`, plans the difference to the desired state, and calls the methods below;
backends do no planning of their own. Every method is idempotent in effect, or documented not to be.

A board may offer more than :class:`Board` (:class:`ProjectBoard`; GitHub does): a Projects (v2)
board whose state enters the plan, a switch saying whether the board has a status column at all,
and ``flush()`` for the writes it queued during a sync round. The data these methods take and
return is ``tracker.board_model``; the hidden markers are ``tracker.markers``.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from tracker.board_model import Column, Item, ItemFields, Label, Milestone, ProjectState, Release, Snapshot

__all__ = ["Board", "ProjectBoard"]


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


@runtime_checkable
class ProjectBoard(Protocol):
    """Optional extras of a board with a separate project (status) board, e.g. GitHub Projects v2."""

    @property
    def has_status(self) -> bool:
        """False when the board keeps no status at all (GitHub issues only)."""
        ...

    def project_state(self) -> ProjectState | None:
        """The project board as the last snapshot saw it; None when there is none to manage."""
        ...

    def ensure_project(self, title: str) -> None:
        ...

    def link_project(self) -> None:
        ...

    def set_status_options(self) -> None:
        ...

    def flush(self) -> None:
        """Send the writes queued during this round."""
        ...
