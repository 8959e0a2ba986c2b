"""Pure: roadmap + last results + workspace facts + manual ticks → the state of every sprint and target.

The status model (SPEC §5):

* **To Learn** — nothing started;
* **In Progress** — the learner's files differ from the starter, an attempt was recorded, or a
  manual item is ticked;
* **Done** — every exercise of the sprint passes under the required profile and every manual item
  is ticked. A Done sprint whose exercise fails on a later grade goes back to In Progress, and the
  failing metric is named (:attr:`SprintState.note`).

An exercise whose folder is not in the library yet is "not yet available": its checklist items
become manual (tick them yourself) rather than blocking the sprint forever.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from typing import Literal

from graders.contract import GradeResult
from tracker.board_model import COLUMNS, Column
from tracker.roadmap.models import ChecklistItem, Roadmap, Sprint, Target

__all__ = [
    "COLUMNS",
    "CheckState",
    "Column",
    "ExerciseFacts",
    "ExerciseState",
    "QuarterState",
    "RoadmapState",
    "SprintState",
    "TargetState",
    "compute",
]

TargetStatus = Literal["upcoming", "on track", "behind", "met"]


@dataclass(frozen=True)
class ExerciseFacts:
    """What the workspace and the ledger say about one exercise (gathered by the caller)."""

    available: bool
    started: bool = False  # learner files differ from the starter
    last: GradeResult | None = None  # last attempt under the required profile
    ever_passed: bool = False


@dataclass(frozen=True)
class CheckState:
    text: str
    checked: bool
    manual: bool
    bound_to: str | None = None  # "slug" or "slug/metric"
    detail: str = ""  # e.g. "measured 0.97, needs >= 0.99" or "grader not yet available"


@dataclass(frozen=True)
class ExerciseState:
    slug: str
    title: str
    available: bool
    started: bool
    last: GradeResult | None
    regression: str | None = None

    @property
    def passed(self) -> bool:
        return self.last is not None and self.last.status == "pass"

    @property
    def label(self) -> str:
        if not self.available:
            return "not yet available"
        if self.last is None:
            return "started" if self.started else "not started"
        return self.last.status


@dataclass(frozen=True)
class SprintState:
    id: str
    title: str
    quarter: str  # quarter id, or "track A"
    column: Column
    checklist: list[CheckState]
    exercises: list[ExerciseState]
    note: str = ""

    @property
    def progress(self) -> tuple[int, int]:
        return sum(c.checked for c in self.checklist), len(self.checklist)


@dataclass(frozen=True)
class QuarterState:
    id: str
    title: str
    release: str
    sprints: list[SprintState]

    @property
    def done(self) -> bool:
        return all(s.column == "Done" for s in self.sprints)


@dataclass(frozen=True)
class TargetState:
    id: str
    weeks: tuple[int, int]
    goal: str
    result: str
    metric: str
    threshold: str | None
    exercises: list[str]
    status: TargetStatus
    measured: str = ""
    # The threshold the measured check was graded against, when it is not the target's own: a profile's
    # threshold (extractive-qa's cpu F1 >= 45 % under the seed's 80 %), e.g. "cpu >= 45 %".
    graded_threshold: str = ""


@dataclass(frozen=True)
class RoadmapState:
    title: str
    profile: str
    today: dt.date
    week: int
    quarters: list[QuarterState]
    tracks: list[QuarterState]
    targets: list[TargetState]
    exercises: dict[str, ExerciseState] = field(default_factory=dict)

    def sprints(self) -> list[SprintState]:
        return [s for q in (*self.quarters, *self.tracks) for s in q.sprints]

    def sprint(self, sprint_id: str) -> SprintState | None:
        return next((s for s in self.sprints() if s.id == sprint_id), None)


def _regression(last: GradeResult) -> str:
    bad = last.failing()
    if not bad:
        return f"{last.slug}: {last.status} — {last.message}"
    c = bad[0]
    if c.threshold and c.display:
        return f"{last.slug}: {c.name} {c.display} (needs {c.threshold})"
    return f"{last.slug}: {c.name} — {c.message or c.status}"


def _exercise_state(roadmap: Roadmap, slug: str, facts: ExerciseFacts) -> ExerciseState:
    ex = roadmap.exercise(slug)
    title = ex.title if ex else slug
    regression = None
    if facts.last is not None and facts.last.status in ("fail", "error") and facts.ever_passed:
        regression = _regression(facts.last)
    return ExerciseState(slug, title, facts.available, facts.started, facts.last, regression)


def _item_state(item: ChecklistItem, exercises: Mapping[str, ExerciseState], ticked: bool) -> CheckState:
    if item.manual:
        return CheckState(item.text, ticked, manual=True)
    assert item.slug is not None
    ex = exercises.get(item.slug)
    if ex is None or not ex.available:
        return CheckState(item.text, ticked, manual=True, bound_to=item.check,
                          detail="grader not yet available: tick it yourself when it works")
    if ex.last is None:
        return CheckState(item.text, False, manual=False, bound_to=item.check, detail="not graded yet")
    if item.metric is None:
        return CheckState(item.text, ex.passed, manual=False, bound_to=item.check,
                          detail="" if ex.passed else ex.last.message)
    check = ex.last.check(item.metric)
    if check is None:
        return CheckState(item.text, False, manual=False, bound_to=item.check,
                          detail=f"{item.metric} was not checked in the last attempt")
    detail = check.message
    if check.threshold and check.display:
        detail = f"{check.display} (needs {check.threshold})"
    return CheckState(item.text, check.status == "pass", manual=False, bound_to=item.check, detail=detail)


def _sprint_state(roadmap: Roadmap, sprint: Sprint, group: str, exercises: Mapping[str, ExerciseState],
                  ticks: Set[tuple[str, str]]) -> SprintState:
    mine = [exercises[s] for s in sprint.exercises if s in exercises]
    checklist = [_item_state(i, exercises, (sprint.id, i.text) in ticks) for i in sprint.checklist]
    available = [e for e in mine if e.available]
    all_pass = all(e.passed for e in available)
    manual_done = all(c.checked for c in checklist if c.manual)
    started = any(e.started or e.last is not None for e in mine) or any(c.checked for c in checklist)
    regressions = [e.regression for e in mine if e.regression]
    if all_pass and manual_done and (available or checklist):
        column: Column = "Done"
    elif started:
        column = "In Progress"
    else:
        column = "To Learn"
    note = "regressed: " + "; ".join(regressions) if regressions else ""
    return SprintState(sprint.id, sprint.title, group, column, checklist, mine, note)


def _target_state(target: Target, exercises: Mapping[str, ExerciseState], week: int) -> TargetState:
    linked = [exercises[s] for s in target.exercises if s in exercises]
    met = bool(linked) and all(e.passed for e in linked)
    measured = graded = ""
    if target.check:
        slug, _, metric = target.check.partition("/")
        ex = exercises.get(slug)
        last = ex.last if ex else None
        chk = last.check(metric) if last else None
        if last and chk:
            measured = chk.display or str(chk.measured)
            if chk.threshold and target.threshold and _spaceless(chk.threshold) != _spaceless(target.threshold.text):
                graded = f"{last.profile} {chk.threshold}"
    if met:
        status: TargetStatus = "met"
    elif week > target.weeks.end:
        status = "behind"
    elif week >= target.weeks.start:
        status = "on track"
    else:
        status = "upcoming"
    threshold = target.threshold.text if target.threshold else None
    return TargetState(target.id, (target.weeks.start, target.weeks.end), target.goal, target.result, target.metric,
                       threshold, list(target.exercises), status, measured, graded)


def _spaceless(text: str) -> str:
    return "".join(text.split())


def compute(roadmap: Roadmap, facts: Mapping[str, ExerciseFacts], ticks: Set[tuple[str, str]],
            today: dt.date) -> RoadmapState:
    """The whole picture. ``ticks`` holds (sprint id, item text) of manually ticked items."""
    exercises = {ex.slug: _exercise_state(roadmap, ex.slug, facts.get(ex.slug, ExerciseFacts(available=False)))
                 for ex in roadmap.exercises}
    quarters = [
        QuarterState(q.id, q.title, q.release, [_sprint_state(roadmap, s, q.id, exercises, ticks) for s in q.sprints])
        for q in roadmap.quarters
    ]
    tracks = [
        QuarterState(f"track {t.id}", t.title, "", [_sprint_state(roadmap, s, f"track {t.id}", exercises, ticks)
                                                    for s in t.sprints])
        for t in roadmap.tracks
    ]
    week = roadmap.week_of(today)
    targets = [_target_state(t, exercises, week) for t in roadmap.targets]
    return RoadmapState(roadmap.title, roadmap.profile, today, week, quarters, tracks, targets, exercises)
