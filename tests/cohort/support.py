"""Learners for cohort tests and the cohort benchmark: records in every state, seeded into the fake GitHub.

A learner's ``progress.json`` is built the way the learner workflow builds it — grading results (made up
here, shaped like the real kinds': every threshold metric and every checklist-bound check) go through
:func:`tracker.status.compute` and :func:`tracker.progress_record.build_record` — and committed to the
learner's repository in the fake, beside the sprint issues the sync would have made and the releases
``sprint release`` would have cut.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from graders.contract import Check, GradeResult
from graders.thresholds import Threshold
from tests.fakes.github.server import FakeGitHub
from tests.helpers import FIXED_TODAY, REPO
from tracker.progress import is_available
from tracker.progress_record import ProgressRecord, build_record, render_record
from tracker.roadmap.loader import load_roadmap
from tracker.roadmap.models import Roadmap
from tracker.status import ExerciseFacts, compute

ROADMAP_PATH = REPO / "roadmap.yaml"
MENTOR = "mentor"
UTC = dt.UTC


def roadmap() -> Roadmap:
    return load_roadmap(ROADMAP_PATH)


def _value(th: Threshold, passing: bool, jitter: float) -> float:
    """A measured value on the right (or wrong) side of ``th``; ``jitter`` moves it a little."""
    op, bound = th.op, th.value
    scale = abs(bound) if bound else 1.0
    if op in (">=", ">"):
        value = bound + scale * jitter if passing else bound - scale * (0.2 + jitter)
        return min(value, 1.0) if bound <= 1.0 and passing else value  # accuracy, R², recall: at most 1
    if op in ("<=", "<"):
        return bound - scale * jitter if passing else bound + scale * (0.5 + jitter)
    return bound


def result(rm: Roadmap, slug: str, *, passing: bool, at: dt.datetime, jitter: float = 0.0, seed: int = 1,
           commit: str = "0" * 40) -> GradeResult:
    """A grading result of ``slug`` shaped like its kind's: a numeric check per threshold, a yes/no check per
    other checklist-bound metric; all pass, or the first check fails (``passing=False``)."""
    ex = rm.exercise(slug)
    assert ex is not None, slug
    checks: list[Check] = []
    for metric, th in ex.thresholds_for(rm.profile).items():
        value = _value(th, True, jitter)
        checks.append(Check(name=metric, status="pass", measured=value, threshold=th.text, display=th.format(value)))
    bound = {c.metric for _, s in rm.sprints() for c in s.checklist if c.slug == slug and c.metric}
    for metric in sorted(bound - {c.name for c in checks}):
        checks.append(Check(name=metric, status="pass", measured=True, display="yes"))
    if not passing:
        first = checks[0]
        th = ex.thresholds_for(rm.profile).get(first.name)
        if th is not None:
            value = _value(th, False, jitter)
            checks[0] = first.model_copy(update={"status": "fail", "measured": value, "display": th.format(value)})
        else:
            checks[0] = first.model_copy(update={"status": "fail", "measured": False, "display": "no"})
    status = "pass" if passing else "fail"
    message = "" if passing else f"{checks[0].name} {checks[0].display} (needs {checks[0].threshold or 'yes'})"
    return GradeResult(slug=slug, kind=ex.kind, status=status, message=message, checks=checks,
                       metrics={c.name: c.measured for c in checks}, seed=seed, profile=rm.profile, started_at=at,
                       duration_s=1.5, commit=commit)


@dataclass
class Learner:
    """A learner's story: when they started, and their attempts (slug, passed?, when, jitter) in order."""

    start: dt.date
    attempts: list[tuple[str, bool, dt.datetime, float]] = field(default_factory=list)
    ticks: set[tuple[str, str]] = field(default_factory=set)

    def record(self, rm: Roadmap, today: dt.date = FIXED_TODAY) -> ProgressRecord:
        mine = rm.model_copy(update={"start_date": self.start})
        last: dict[str, GradeResult] = {}
        passed: set[str] = set()
        for slug, ok, at, jitter in self.attempts:
            last[slug] = result(rm, slug, passing=ok, at=at, jitter=jitter)
            if ok:
                passed.add(slug)
        facts = {ex.slug: ExerciseFacts(available=is_available(ex.slug), started=ex.slug in last,
                                        last=last.get(ex.slug), ever_passed=ex.slug in passed)
                 for ex in rm.exercises}
        state = compute(mine, facts, self.ticks, today)
        return build_record(mine, state, ever_passed=passed, generated_by="llm-sprint test")


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), UTC)


# ---- the states a cohort test needs ---------------------------------------------------------------


def new_learner(today: dt.date = FIXED_TODAY) -> Learner:
    """Week 2 (started ten days ago), nothing graded yet."""
    return Learner(start=today - dt.timedelta(days=10))


def mid_quarter(today: dt.date = FIXED_TODAY, jitter: float = 0.02) -> Learner:
    """Week 7: P0 and P1 passed, P2 failing."""
    return Learner(start=today - dt.timedelta(weeks=6, days=3), attempts=[
        ("csv-to-json", True, _at(today - dt.timedelta(days=30)), jitter),
        ("linear-regression", True, _at(today - dt.timedelta(days=20)), jitter),
        ("project-setup", False, _at(today - dt.timedelta(days=2)), jitter),
    ])


def finished_quarter(today: dt.date = FIXED_TODAY, jitter: float = 0.01) -> Learner:
    """Week 13: Q1 done (P0, P1, P2 pass) — P2 passed this week."""
    return Learner(start=today - dt.timedelta(weeks=12, days=3), attempts=[
        ("csv-to-json", True, _at(today - dt.timedelta(days=60)), jitter),
        ("linear-regression", True, _at(today - dt.timedelta(days=40)), jitter),
        ("project-setup", False, _at(today - dt.timedelta(days=10)), jitter),
        ("project-setup", True, _at(today - dt.timedelta(days=1)), jitter),
    ])


def regressed(today: dt.date = FIXED_TODAY) -> Learner:
    """Week 5: csv-to-json passed, then failed this week."""
    return Learner(start=today - dt.timedelta(weeks=4, days=3), attempts=[
        ("csv-to-json", True, _at(today - dt.timedelta(days=20)), 0.0),
        ("csv-to-json", False, _at(today - dt.timedelta(days=1)), 0.0),
    ])


def newer_format_text(rm: Roadmap) -> str:
    data = json.loads(render_record(new_learner().record(rm)))
    data["version"] = 2
    data["generator"] = "llm-sprint 9.0.0"
    return json.dumps(data)


# ---- seeding ---------------------------------------------------------------------------------------


def seed_learner(fake: FakeGitHub, full_name: str, *, progress: str | None, rm: Roadmap | None = None,
                 record: ProgressRecord | None = None, private: bool = False, archived: bool = False,
                 collaborators: Iterable[str] = (MENTOR,), releases: Iterable[str] = (),
                 owner_type: str = "User") -> None:
    """A learner repository: progress.json (text), the sprint issues of ``record`` (closed when Done), releases."""
    repo = fake.seed_repo(full_name, private=private, owner_type=owner_type)  # type: ignore[arg-type]
    with fake.state.lock:
        repo.archived = archived
        repo.collaborators.update(collaborators)
        if progress is not None:
            fake.state.set_file(repo, "progress.json", progress, "sprint: progress section [skip ci]")
        if record is not None and rm is not None:
            titles = {s.id: s.title for _, s in rm.sprints()}
            for s in record.sprints:
                if s.id in titles:
                    fake.state.add_issue(repo, repo.owner, f"[{s.id}] {titles[s.id]}",
                                         f"<!-- llm-sprint:sprint={s.id} -->", labels=("llm-sprint", s.group),
                                         closed=s.status == "Done")
        for tag in releases:
            fake.state.add_release(repo, repo.owner, tag)


def seed_cohort(fake: FakeGitHub, rm: Roadmap, prefix: str = "") -> dict[str, str]:
    """The cohort of the "every state" test: repository → the state it is in."""
    p = prefix
    states = {
        f"{p}ann/llm-sprint": "new",
        f"{p}ben/llm-sprint": "mid-quarter",
        f"{p}cat/llm-sprint": "finished quarter with a release",
        f"{p}dan/llm-sprint": "regressed",
        f"{p}eve/llm-sprint": "missing file",
        f"{p}fay/llm-sprint": "private without access",
        f"{p}gus/llm-sprint": "archived",
        f"{p}hal/llm-sprint": "newer schema",
        f"{p}ivy/llm-sprint": "private with access",
        f"{p}joe/llm-sprint": "missing repository",
    }
    stories = {"new": new_learner(), "mid-quarter": mid_quarter(), "regressed": regressed(),
               "finished quarter with a release": finished_quarter(), "archived": mid_quarter(),
               "private with access": mid_quarter(jitter=0.5)}
    for repo, state in states.items():
        if state == "missing repository":
            continue
        story = stories.get(state)
        record = story.record(rm) if story else None
        text = render_record(record) if record else None
        if state == "newer schema":
            text = newer_format_text(rm)
        seed_learner(fake, repo, progress=text, rm=rm, record=record, private=state.startswith("private"),
                     archived=state == "archived", releases=("v0.1",) if state.startswith("finished") else (),
                     collaborators=() if state == "private without access" else (MENTOR,))
    return states
