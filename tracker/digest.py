"""Pure: a week of progress in a few lines — what passed, what regressed, what is behind, what comes next.

One core for both readers:

* the learner (``sprint digest``, and the workflow's weekly job that posts it on the pinned "Weekly
  review" issue): the state at the start of the week against the state at its end, both computed from
  the ledger;
* the mentor (``sprint cohort --digest``): for every learner, the last look before the week against
  the current one — or, when no earlier look exists, the week's own timestamps (what was graded this
  week and passed, what was graded this week and regressed; no metric deltas then, and it says so).

States are :class:`~tracker.status.RoadmapState`; markdown comes from ``templates/weekly_review.md.j2``
and ``templates/cohort_digest.md.j2``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from graders.contract import GradeResult
from graders.thresholds import format_value
from tracker.roadmap.models import Roadmap
from tracker.status import ExerciseState, RoadmapState
from tracker.templates import render

__all__ = [
    "REVIEW_MARKER",
    "CohortDigest",
    "LearnerDigest",
    "MetricDelta",
    "Week",
    "learner_digest",
    "render_cohort_digest",
    "render_learner_digest",
    "review_marker",
    "week_window",
]

REVIEW_MARKER = "<!-- llm-sprint:weekly-review week={week} -->"
NEXT_SPRINTS = 2


def review_marker(week: int) -> str:
    """The first line of the weekly review comment of ``week`` (how a re-run finds it to edit it)."""
    return REVIEW_MARKER.format(week=week)


@dataclass(frozen=True)
class Week:
    """Week ``number`` of a plan: ``start`` (inclusive) to ``end`` (exclusive), days."""

    number: int
    start: dt.date
    end: dt.date

    @property
    def first_moment(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), dt.UTC)

    @property
    def last_moment(self) -> dt.datetime:
        return dt.datetime.combine(self.end, dt.time(), dt.UTC)

    def holds(self, moment: dt.datetime | None) -> bool:
        if moment is None:
            return False
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return self.first_moment <= moment < self.last_moment


def week_window(start_date: dt.date, number: int) -> Week:
    """Week ``number`` (1-based) of a plan that starts on ``start_date``."""
    begin = start_date + dt.timedelta(weeks=number - 1)
    return Week(number, begin, begin + dt.timedelta(weeks=1))


@dataclass(frozen=True)
class MetricDelta:
    slug: str
    metric: str
    before: float
    after: float
    before_text: str
    after_text: str
    better: bool | None  # None: the threshold does not say which way is better

    @property
    def arrow(self) -> str:
        return "▲" if self.after > self.before else "▼"

    @property
    def verdict(self) -> str:
        return "" if self.better is None else ("better" if self.better else "worse")


@dataclass
class LearnerDigest:
    week: Week
    who: str
    baseline: Literal["previous", "timestamps"]
    passed: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    regressed: list[str] = field(default_factory=list)
    behind: list[str] = field(default_factory=list)
    weeks_behind: int = 0
    upcoming: list[str] = field(default_factory=list)
    deltas: list[MetricDelta] = field(default_factory=list)
    done_count: int = 0
    total: int = 0

    @property
    def quiet(self) -> bool:
        return not (self.passed or self.done or self.regressed or self.deltas)


def _summary(result: GradeResult) -> str:
    shown = [f"{c.name} {c.display or c.measured}" for c in result.checks if c.threshold and c.status == "pass"][:2]
    return f" ({', '.join(shown)})" if shown else ""


def _numeric(result: GradeResult | None) -> dict[str, tuple[float, str]]:
    out: dict[str, tuple[float, str]] = {}
    for c in result.checks if result else []:
        if isinstance(c.measured, int | float) and not isinstance(c.measured, bool):
            out[c.name] = (float(c.measured), c.display)
    return out


def _delta(roadmap: Roadmap, slug: str, metric: str, before: tuple[float, str], after: tuple[float, str]) \
        -> MetricDelta:
    ex = roadmap.exercise(slug)
    th = ex.thresholds_for(roadmap.profile).get(metric) if ex else None
    better: bool | None = None
    if th is not None and th.op in (">=", ">"):
        better = after[0] > before[0]
    elif th is not None and th.op in ("<=", "<"):
        better = after[0] < before[0]

    def show(value: tuple[float, str]) -> str:
        if th is not None:
            return th.format(value[0])
        return value[1] or format_value(value[0])

    return MetricDelta(slug, metric, before[0], after[0], show(before), show(after), better)


def learner_digest(roadmap: Roadmap, after: RoadmapState, week: Week, *, before: RoadmapState | None,
                   who: str = "") -> LearnerDigest:
    """The week of one learner. ``before``: the state when the week began (None: not known, use timestamps)."""
    d = LearnerDigest(week=week, who=who, baseline="previous" if before is not None else "timestamps")
    old = before.exercises if before is not None else {}

    def changed_this_week(e: ExerciseState) -> bool:
        return e.last is not None and week.holds(e.last.started_at)

    for slug, e in after.exercises.items():
        was = old.get(slug)
        newly_passed = (was is None or not was.passed) if before is not None else changed_this_week(e)
        if e.passed and e.last is not None and newly_passed:
            d.passed.append(f"`{slug}`{_summary(e.last)}")
        newly_regressed = (was is None or not was.regression) if before is not None else changed_this_week(e)
        if e.regression and newly_regressed:
            d.regressed.append(e.regression)
        if before is not None and was is not None and e.last is not None and was.last is not None \
                and e.last is not was.last:
            new_values, old_values = _numeric(e.last), _numeric(was.last)
            for metric, value in new_values.items():
                if metric in old_values and old_values[metric][0] != value[0]:
                    d.deltas.append(_delta(roadmap, slug, metric, old_values[metric], value))
    old_sprints = {s.id: s.column for s in before.sprints()} if before is not None else {}
    for s in after.sprints():
        if s.column != "Done":
            continue
        if before is not None:
            if old_sprints.get(s.id) != "Done":
                d.done.append(f"{s.id} {s.title}")
        elif any(changed_this_week(e) for e in s.exercises) and all(e.passed for e in s.exercises if e.available):
            d.done.append(f"{s.id} {s.title}")
    for t in after.targets:
        if t.status == "behind":
            late = max(0, after.week - t.weeks[1])
            d.weeks_behind = max(d.weeks_behind, late)
            d.behind.append(f"{t.id} due by week {t.weeks[1]} ({late} week(s) late)")
    pending = [s for q in after.quarters for s in q.sprints if s.column != "Done"]
    for s in pending[:NEXT_SPRINTS]:
        done, total = s.progress
        d.upcoming.append(f"sprint {s.id} {s.title} — {done}/{total} checklist items")
    for t in after.targets:
        if t.status in ("upcoming", "on track") and t.weeks[0] <= after.week + 1 and t.weeks[1] >= after.week:
            d.upcoming.append(f"target {t.id} (weeks {t.weeks[0]}–{t.weeks[1]}): {t.goal.rstrip('.')}")
    sprints = after.sprints()
    d.done_count, d.total = sum(s.column == "Done" for s in sprints), len(sprints)
    return d


def render_learner_digest(d: LearnerDigest, title: str) -> str:
    """The learner's weekly review (markdown; its first line is the comment's hidden marker)."""
    return render("weekly_review.md.j2", marker=review_marker(d.week.number), title=title, d=d).strip() + "\n"


@dataclass
class CohortDigest:
    title: str
    week: Week | None
    today: dt.date
    learners: Sequence[LearnerDigest]
    unread: list[str] = field(default_factory=list)  # "repo: why"
    next_targets: list[str] = field(default_factory=list)
    common_next: str = ""
    since: str = ""  # the baseline look, e.g. "2026-11-16 09:12 UTC"; "" when timestamps were used


def cohort_next(roadmap: Roadmap, learners: Sequence[LearnerDigest]) -> tuple[list[str], str]:
    """Targets whose window opens by next week (by the cohort's week), and the sprint most learners are on."""
    nexts = Counter(d.upcoming[0].split(" — ")[0] for d in learners if d.upcoming and
                    d.upcoming[0].startswith("sprint "))
    common = ""
    if nexts:
        name, count = nexts.most_common(1)[0]
        common = f"{name} ({count} of {len(learners)} learners are on it)"
    weeks = [d.week.number for d in learners]
    now = max(set(weeks), key=weeks.count) if weeks else 0
    targets = [f"{t.id} (weeks {t.weeks.start}–{t.weeks.end}): {t.goal.rstrip('.')}" for t in roadmap.targets
               if t.weeks.start <= now + 1 <= t.weeks.end or t.weeks.start == now + 1]
    return targets, common


def render_cohort_digest(c: CohortDigest) -> str:
    """The mentor's weekly review of the whole cohort (markdown)."""
    behind = sorted((d for d in c.learners if d.weeks_behind > 0), key=lambda d: (-d.weeks_behind, d.who.lower()))
    return render("cohort_digest.md.j2", c=c, behind=behind).strip() + "\n"
