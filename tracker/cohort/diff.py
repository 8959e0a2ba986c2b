"""Pure: what changed in a cohort between two looks.

Compares two :class:`~tracker.cohort.model.CohortView` (the previous look's rebuilt as of its own
date) repository by repository: learners who joined or left, repositories that became unreadable or
readable again, sprint cells that moved, exercises whose last result changed status, targets that
fell behind or were met, releases published. The order is the table's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tracker.cohort.model import CohortView, LearnerView

__all__ = ["Change", "changes"]

ChangeKind = Literal["joined", "left", "unreadable", "readable", "sprint", "exercise", "target", "release", "line"]


@dataclass(frozen=True)
class Change:
    repo: str
    who: str
    kind: ChangeKind
    text: str

    def to_json(self) -> dict[str, str]:
        return {"repo": self.repo, "who": self.who, "kind": self.kind, "text": self.text}


def _learner_changes(old: LearnerView, new: LearnerView) -> list[Change]:
    out = []
    who = new.label
    for sid, cell in new.cells.items():
        before = old.cells.get(sid, "absent")
        if before != cell:
            out.append(Change(new.repo, who, "sprint", f"{sid}: {before} → {cell}"))
    for slug, e in new.state.exercises.items():
        was = old.state.exercises.get(slug)
        old_status = was.last.status if was is not None and was.last is not None else None
        new_status = e.last.status if e.last is not None else None
        if old_status != new_status and new_status is not None:
            tail = f" — {e.regression}" if e.regression and new_status != "pass" else ""
            out.append(Change(new.repo, who, "exercise", f"{slug}: {old_status or 'not graded'} → {new_status}{tail}"))
    old_targets = {t.id: t.status for t in old.targets}
    for t in new.targets:
        if old_targets.get(t.id) != t.status and t.status in ("behind", "met"):
            text = f"{t.id} met" if t.status == "met" else f"{t.id} is behind ({t.weeks_behind} week(s) past week " \
                                                           f"{t.weeks[1]})"
            out.append(Change(new.repo, who, "target", text))
    for tag in new.releases:
        if tag not in old.releases:
            out.append(Change(new.repo, who, "release", f"released {tag}"))
    return out


def changes(previous: CohortView | None, current: CohortView) -> list[Change]:
    """Everything that changed from ``previous`` to ``current`` (empty when there is no previous look)."""
    if previous is None:
        return []
    out: list[Change] = []
    old_lines = {line.repo.lower(): line for line in previous.lines}
    new_lines = {line.repo.lower(): line for line in current.lines}
    for lv in current.learners:
        key = lv.repo.lower()
        before = previous.learner(lv.repo)
        if before is not None:
            out += _learner_changes(before, lv)
        elif key in old_lines and old_lines[key].kind != "private":
            out.append(Change(lv.repo, lv.label, "readable", f"readable again (was: {old_lines[key].message})"))
        else:
            out.append(Change(lv.repo, lv.label, "joined", f"joined: {lv.done}/{len(current.sprint_ids)} sprints "
                                                           f"done, week {lv.week}"))
    for key, line in new_lines.items():
        if line.kind == "private":
            continue
        old = old_lines.get(key)
        if previous.learner(line.repo) is not None:
            out.append(Change(line.repo, line.repo, "unreadable", f"no longer read: {line.message}"))
        elif old is None:
            out.append(Change(line.repo, line.repo, "line", line.message))
        elif old.kind != line.kind:
            out.append(Change(line.repo, line.repo, "line", f"now: {line.message}"))
    seen = {lv.repo.lower() for lv in current.learners} | set(new_lines)
    for lv in previous.learners:
        if lv.repo.lower() not in seen:
            out.append(Change(lv.repo, lv.label, "left", "no longer in the cohort"))
    return out
