"""Pure: desired state − current snapshot → an ordered list of actions.

Order matters for crash safety: labels and milestones first (items refer to them), then the project
board (created, linked to the repository, its Status options set — all *before* any item is added,
because replacing options later gives them new ids and orphans every card), then items are created,
then updated, then their status, comment and open/closed state. A crash between any two actions
leaves a board that a re-run's snapshot reads correctly and completes — with no action that could
duplicate anything, because creation is planned only for what the snapshot shows absent, and every
other action is idempotent in effect.

Inputs besides desired and snapshot (both optional, for boards that have them):

* ``project`` — the state of a Projects (v2) board (:class:`~tracker.board_model.ProjectState`),
  ``None`` when there is none to manage;
* ``statuses`` — ``False`` when the board has no status column at all (GitHub issues only): no
  status is planned.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from tracker.board_model import COLUMNS, Column, ItemFields, Label, Milestone, ProjectState, Snapshot
from tracker.markers import comment_matches, normalize_text
from tracker.sync.desired import Desired

__all__ = [
    "Action",
    "CreateItem",
    "EnsureLabel",
    "EnsureMilestone",
    "EnsureProject",
    "LinkProject",
    "SetClosed",
    "SetStatus",
    "SetStatusOptions",
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


class EnsureProject(_Action):
    op: Literal["ensure-project"] = "ensure-project"
    title: str

    def describe(self) -> str:
        return f"create project {self.title!r} and link it to the repository"


class LinkProject(_Action):
    op: Literal["link-project"] = "link-project"
    title: str

    def describe(self) -> str:
        return f"link project {self.title!r} to the repository"


class SetStatusOptions(_Action):
    op: Literal["set-status-options"] = "set-status-options"
    options: list[Column] = Field(default_factory=lambda: list(COLUMNS))

    def describe(self) -> str:
        return f"set the project's Status options to {' / '.join(self.options)} (before any item is added)"


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
    EnsureLabel
    | EnsureMilestone
    | EnsureProject
    | LinkProject
    | SetStatusOptions
    | CreateItem
    | UpdateItem
    | SetStatus
    | UpsertComment
    | SetClosed,
    Field(discriminator="op"),
]


def _changes(current: ItemFields, desired: ItemFields, managed: set[str]) -> list[str]:
    changes = []
    if current.title != desired.title:
        changes.append("title")
    if normalize_text(current.body) != normalize_text(desired.body):
        ticked = sum(e.checked for e in desired.checklist) - sum(e.checked for e in current.checklist)
        changes.append("checklist" if ticked else "body")
    if sorted(n for n in current.labels if n in managed) != sorted(desired.labels):
        changes.append("labels")
    if current.milestone != desired.milestone:
        changes.append("milestone")
    return changes


def plan(desired: Desired, current: Snapshot, *, project: ProjectState | None = None,
         statuses: bool = True) -> list[Action]:
    actions: list[Action] = []
    actions += [EnsureLabel(label=lb) for lb in desired.labels if lb.name not in current.labels]
    actions += [EnsureMilestone(milestone=m) for m in desired.milestones if m.title not in current.milestones]
    if project is not None:
        if not project.exists:
            actions += [EnsureProject(title=project.title), SetStatusOptions()]
        else:
            if not project.linked:
                actions.append(LinkProject(title=project.title))
            if not project.options_ready and not project.has_items:
                actions.append(SetStatusOptions())
        # options that cannot be set (the project already holds items) leave the status unmanaged
        statuses = statuses and (not project.exists or project.options_ready or not project.has_items)
    for sid, want in desired.items.items():
        if sid not in current.items:
            actions.append(CreateItem(sprint_id=sid, fields=want.fields))
    managed = {lb.name for lb in desired.labels}
    for sid, want in desired.items.items():
        have = current.items.get(sid)
        if have is not None and (changes := _changes(have.fields, want.fields, managed)):
            foreign = [n for n in have.fields.labels if n not in managed]  # labels the learner added stay
            fields = want.fields.model_copy(update={"labels": [*want.fields.labels, *foreign]}) if foreign \
                else want.fields
            actions.append(UpdateItem(sprint_id=sid, fields=fields, changes=changes))
    if statuses:
        for sid, want in desired.items.items():
            have = current.items.get(sid)
            if have is None or have.status != want.status:
                actions.append(SetStatus(sprint_id=sid, old=have.status if have else None, new=want.status))
    for sid, want in desired.items.items():
        have = current.items.get(sid)
        if want.comment is not None and not comment_matches(have.comment if have else None, want.comment):
            actions.append(UpsertComment(sprint_id=sid, body=want.comment, exists=bool(have and have.comment)))
    for sid, want in desired.items.items():
        have = current.items.get(sid)
        if (have.closed if have else False) != want.closed:
            actions.append(SetClosed(sprint_id=sid, closed=want.closed))
    return actions
