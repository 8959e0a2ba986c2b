"""Pure: roadmap + computed status → the board as it should be (items, labels, milestones)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from tracker.board_model import ChecklistEntry, Column, ItemFields, Label, Milestone, Snapshot
from tracker.markers import marker, metrics_marker
from tracker.roadmap.models import Roadmap, Sprint
from tracker.status import RoadmapState, SprintState
from tracker.templates import render

__all__ = ["IDENTITY_LABEL", "Desired", "DesiredItem", "desired_state", "quarter_due", "ticks_from"]

IDENTITY_LABEL = Label(name="llm-sprint", color="5319e7", description="A sprint of the llm-sprint roadmap")
_QUARTER_COLOURS = ["0e8a16", "1d76db", "fbca04", "d93f0b", "5319e7", "006b75", "b60205", "c5def5", "bfdadc"]
WEEKS_PER_QUARTER = 13


class DesiredItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sprint_id: str
    fields: ItemFields
    status: Column
    closed: bool
    comment: str | None = None  # set only when Done


class Desired(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    items: dict[str, DesiredItem] = Field(default_factory=dict)
    labels: list[Label] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)


def quarter_due(roadmap: Roadmap, index: int) -> dt.date:
    """Due date of the ``index``-th quarter (0-based): 13 weeks a quarter from the start date."""
    return roadmap.start_date + dt.timedelta(weeks=WEEKS_PER_QUARTER * (index + 1))


def _title(sprint: Sprint) -> str:
    return f"[{sprint.id}] {sprint.title}"


def _fields(roadmap: Roadmap, sprint: Sprint, st: SprintState, group: str, release: str, labels: list[str],
            milestone: str | None) -> ItemFields:
    checklist = [ChecklistEntry(text=c.text, checked=c.checked, manual=c.manual) for c in st.checklist]
    targets = [t for t in roadmap.targets if set(t.exercises) & set(sprint.exercises)]
    body = render("issue_body.md.j2", marker=marker(sprint.id), sprint=sprint, group=group, release=release,
                  exercises=st.exercises, checklist=st.checklist, targets=targets)
    return ItemFields(title=_title(sprint), body=body, checklist=checklist, labels=labels, milestone=milestone)


def desired_state(roadmap: Roadmap, state: RoadmapState) -> Desired:
    items: dict[str, DesiredItem] = {}
    labels = [IDENTITY_LABEL]
    milestones: list[Milestone] = []
    groups: list[tuple[str, str, str, list[Sprint], int | None]] = [
        (q.id, f"{q.id} — {q.title}", q.release, q.sprints, i) for i, q in enumerate(roadmap.quarters)
    ]
    groups += [(f"track {t.id}", f"Track {t.id} — {t.title}", "", t.sprints, None) for t in roadmap.tracks]
    for n, (gid, heading, release, sprints, q_index) in enumerate(groups):
        if not sprints:
            continue  # a group with no sprint needs no label nor milestone (a label no issue carries costs a list)
        label = Label(name=gid, color=_QUARTER_COLOURS[n % len(_QUARTER_COLOURS)], description=heading)
        labels.append(label)
        milestone = None
        if q_index is not None:
            milestone = f"{heading} ({release})"
            milestones.append(Milestone(title=milestone, due_on=quarter_due(roadmap, q_index),
                                        description=roadmap.quarters[q_index].goal))
        for sprint in sprints:
            st = state.sprint(sprint.id)
            assert st is not None
            fields = _fields(roadmap, sprint, st, heading, release, [IDENTITY_LABEL.name, gid], milestone)
            comment = None
            if st.column == "Done":
                results = [e.last for e in st.exercises if e.last is not None]
                comment = render("metrics_comment.md.j2", marker=metrics_marker(sprint.id), sprint_id=sprint.id,
                                 results=results) if results else None
            items[sprint.id] = DesiredItem(sprint_id=sprint.id, fields=fields, status=st.column,
                                           closed=st.column == "Done", comment=comment)
    return Desired(items=items, labels=labels, milestones=milestones)


def ticks_from(snapshot: Snapshot) -> set[tuple[str, str]]:
    """Manual checklist items ticked on a board: (sprint id, item text)."""
    return {(sid, e.text) for sid, item in snapshot.items.items() for e in item.fields.checklist
            if e.manual and e.checked}
