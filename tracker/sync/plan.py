"""Pure: desired state − current snapshot → an ordered list of actions.

Order matters for crash safety: labels and milestones first (items refer to them), then items are
created, then updated, then their status, comment and open/closed state. A crash between any two
actions leaves a board that a re-run's snapshot reads correctly and completes — with no action
that could duplicate anything, because creation is planned only for sprints whose item is absent.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from tracker.boards.base import Column, ItemFields, Label, Milestone, Snapshot
from tracker.sync.desired import Desired

__all__ = [
    "Action",
    "CreateItem",
    "EnsureLabel",
    "EnsureMilestone",
    "SetClosed",
    "SetStatus",
    "UpdateItem",
    "UpsertComment",
    "plan",
]


class _Action(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EnsureLabel(_Action):
    op: Literal["ensure-label"] = "ensure-label"
    label: Label

    def describe(self) -> str:
        return f"create label {self.label.name!r}"


class EnsureMilestone(_Action):
    op: Literal["ensure-milestone"] = "ensure-milestone"
    milestone: Milestone

    def describe(self) -> str:
        due = f" due {self.milestone.due_on}" if self.milestone.due_on else ""
        return f"create milestone {self.milestone.title!r}{due}"


class CreateItem(_Action):
    op: Literal["create-item"] = "create-item"
    sprint_id: str
    fields: ItemFields

    def describe(self) -> str:
        return f"create item {self.fields.title!r}"


class UpdateItem(_Action):
    op: Literal["update-item"] = "update-item"
    sprint_id: str
    fields: ItemFields
    changes: list[str]

    def describe(self) -> str:
        return f"update [{self.sprint_id}]: {', '.join(self.changes)}"


class SetStatus(_Action):
    op: Literal["set-status"] = "set-status"
    sprint_id: str
    old: Column | None
    new: Column

    def describe(self) -> str:
        return f"move [{self.sprint_id}] {self.old or '(no status)'} → {self.new}"


class UpsertComment(_Action):
    op: Literal["upsert-comment"] = "upsert-comment"
    sprint_id: str
    body: str
    exists: bool

    def describe(self) -> str:
        return f"{'update' if self.exists else 'add'} the metrics comment on [{self.sprint_id}]"


class SetClosed(_Action):
    op: Literal["set-closed"] = "set-closed"
    sprint_id: str
    closed: bool

    def describe(self) -> str:
        return f"{'close' if self.closed else 'reopen'} [{self.sprint_id}]"


Action = Annotated[
    EnsureLabel | EnsureMilestone | CreateItem | UpdateItem | SetStatus | UpsertComment | SetClosed,
    Field(discriminator="op"),
]


def _changes(current: ItemFields, desired: ItemFields) -> list[str]:
    changes = []
    if current.title != desired.title:
        changes.append("title")
    if current.body.strip() != desired.body.strip():
        ticked = sum(e.checked for e in desired.checklist) - sum(e.checked for e in current.checklist)
        changes.append("checklist" if ticked else "body")
    if sorted(current.labels) != sorted(desired.labels):
        changes.append("labels")
    if current.milestone != desired.milestone:
        changes.append("milestone")
    return changes


def plan(desired: Desired, current: Snapshot) -> list[Action]:
    actions: list[Action] = []
    actions += [EnsureLabel(label=lb) for lb in desired.labels if lb.name not in current.labels]
    actions += [EnsureMilestone(milestone=m) for m in desired.milestones if m.title not in current.milestones]
    for sid, want in desired.items.items():
        if sid not in current.items:
            actions.append(CreateItem(sprint_id=sid, fields=want.fields))
    for sid, want in desired.items.items():
        have = current.items.get(sid)
        if have is not None and (changes := _changes(have.fields, want.fields)):
            actions.append(UpdateItem(sprint_id=sid, fields=want.fields, changes=changes))
    for sid, want in desired.items.items():
        have = current.items.get(sid)
        if have is None or have.status != want.status:
            actions.append(SetStatus(sprint_id=sid, old=have.status if have else None, new=want.status))
    for sid, want in desired.items.items():
        have = current.items.get(sid)
        if want.comment is not None and (have is None or (have.comment or "").strip() != want.comment.strip()):
            actions.append(UpsertComment(sprint_id=sid, body=want.comment, exists=bool(have and have.comment)))
    for sid, want in desired.items.items():
        have = current.items.get(sid)
        if (have.closed if have else False) != want.closed:
            actions.append(SetClosed(sprint_id=sid, closed=want.closed))
    return actions
