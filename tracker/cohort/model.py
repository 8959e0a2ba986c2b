"""Pure: the repositories a read saw → the cohort as a mentor sees it.

For each repository, either a **learner** (its ``progress.json`` read) or one **line** saying why not
(missing, hidden from the token, archived, no ``progress.json`` yet, a newer format …). A learner's
state is recomputed with :func:`tracker.status.compute` under the *cohort's* roadmap from the facts
the record carries (each exercise's last result, ticked manual items) — the same rules the learner's
own board follows, so a mentor who tightened the plan sees it applied to everyone, and a learner on
another version of the roadmap is still placed on the same table (with a note).

Weeks count from the cohort's ``start`` when the file sets one, else from each learner's own start.
"Behind the plan" is the 12-week targets': a target not met after its last week is behind by the
weeks since. Metric distributions take each exercise's last measured value per learner (under the
cohort's profile) and summarize them (:mod:`tracker.cohort.stats`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from graders.contract import Check, GradeResult
from graders.thresholds import Threshold, format_value
from tracker.cohort.queries import IssueRef, RepoSnapshot
from tracker.cohort.stats import Summary, summarize
from tracker.errors import RecordFormatError
from tracker.progress_record import ExerciseRecord, ProgressRecord, curriculum_hash, parse_record
from tracker.roadmap.models import Roadmap
from tracker.status import ExerciseFacts, RoadmapState, compute

__all__ = [
    "CohortView",
    "Distribution",
    "LearnerView",
    "LineKind",
    "RepoLine",
    "TargetView",
    "build_view",
    "learner_state",
]

LineKind = Literal["private", "missing", "forbidden", "error", "archived", "no-progress", "newer-format",
                   "unreadable", "too-large"]
Cell = Literal["Done", "In Progress", "To Learn", "regressed", "absent"]

HIDDEN = ("not found, or private and hidden from this token — check the name; a private repository needs a "
          "token with access to it (README: For mentors)")
NO_PROGRESS = ("no progress.json on the default branch yet — it appears after the learner workflow's next run "
               "(`sprint release` writes it); an older llm-sprint does not write it: upgrade")


@dataclass(frozen=True)
class RepoLine:
    """One clear line about a repository that is not (or not only) a row of the table."""

    repo: str
    kind: LineKind
    message: str

    def to_json(self) -> dict[str, str]:
        return {"repo": self.repo, "kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class TargetView:
    id: str
    weeks: tuple[int, int]
    goal: str
    status: str  # upcoming / on track / behind / met
    weeks_behind: int = 0


@dataclass
class LearnerView:
    repo: str
    name: str
    url: str
    private: bool
    start: dt.date
    week: int
    record: ProgressRecord
    state: RoadmapState  # recomputed under the cohort's roadmap
    cells: dict[str, Cell]
    targets: list[TargetView]
    releases: list[str]
    issues: dict[str, IssueRef]
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.name or self.repo

    @property
    def done(self) -> int:
        return sum(c == "Done" for c in self.cells.values())

    @property
    def behind(self) -> list[TargetView]:
        return sorted((t for t in self.targets if t.status == "behind"), key=lambda t: (-t.weeks_behind, t.id))

    @property
    def weeks_behind(self) -> int:
        return max((t.weeks_behind for t in self.behind), default=0)

    @property
    def regressions(self) -> list[str]:
        return [e.regression for e in self.state.exercises.values() if e.regression]

    def to_json(self, sprint_ids: list[str]) -> dict[str, Any]:
        exercises: dict[str, Any] = {}
        for slug, e in self.state.exercises.items():
            if e.last is None:
                continue
            exercises[slug] = {
                "status": e.last.status, "at": e.last.started_at.isoformat() if e.last.started_at else None,
                "seed": e.last.seed, "commit": e.last.commit, "regression": e.regression,
                "checks": {c.name: {"status": c.status, "measured": c.measured, "display": c.display,
                                    "threshold": c.threshold} for c in e.last.checks},
            }
        return {
            "repo": self.repo, "name": self.name, "url": self.url, "private": self.private,
            "start": self.start.isoformat(), "week": self.week,
            "done": self.done, "total": len(sprint_ids),
            "sprints": {sid: self.cells.get(sid, "absent") for sid in sprint_ids},
            "weeks_behind": self.weeks_behind,
            "behind": [{"id": t.id, "weeks": list(t.weeks), "weeks_behind": t.weeks_behind, "goal": t.goal}
                       for t in self.behind],
            "targets": {t.id: t.status for t in self.targets},
            "regressions": self.regressions, "releases": self.releases,
            "issues": {sid: {"number": i.number, "state": i.state, "url": i.url} for sid, i in self.issues.items()},
            "notes": self.notes,
            "updated_at": self.record.updated_at.isoformat() if self.record.updated_at else None,
            "roadmap_hash": self.record.roadmap.hash,
            "exercises": exercises,
        }


@dataclass(frozen=True)
class Distribution:
    slug: str
    metric: str
    threshold: str | None
    better: Literal["higher", "lower"] | None
    summary: Summary
    values: tuple[tuple[str, float], ...]
    fmt: Threshold | None = None

    def show(self, value: float) -> str:
        return self.fmt.format(value) if self.fmt is not None else format_value(value)

    def to_json(self) -> dict[str, Any]:
        s = self.summary
        return {
            "exercise": self.slug, "metric": self.metric, "threshold": self.threshold, "better": self.better,
            "n": s.n, "median": s.median, "q1": s.q1, "q3": s.q3, "min": s.low, "max": s.high,
            "display": {"median": self.show(s.median), "q1": self.show(s.q1), "q3": self.show(s.q3),
                        "min": self.show(s.low), "max": self.show(s.high)},
            "outliers": [{"who": o.who, "value": o.value, "display": self.show(o.value), "side": o.side,
                          "worse": self.worse(o.side)} for o in s.outliers],
            "values": {who: v for who, v in self.values},
        }

    def worse(self, side: str) -> bool | None:
        if self.better is None:
            return None
        return (side == "low") == (self.better == "higher")


@dataclass
class CohortView:
    title: str
    today: dt.date
    week: int | None  # the cohort's week when the file sets a start
    roadmap: Roadmap
    sprint_ids: list[str]
    learners: list[LearnerView]
    lines: list[RepoLine]
    distributions: list[Distribution]

    def learner(self, repo: str) -> LearnerView | None:
        return next((lv for lv in self.learners if lv.repo.lower() == repo.lower()), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "cohort": self.title, "today": self.today.isoformat(), "week": self.week,
            "roadmap": {"title": self.roadmap.title, "hash": curriculum_hash(self.roadmap),
                        "profile": self.roadmap.profile},
            "sprints": [{"id": s.id, "title": s.title, "quarter": q.id} for q, s in self.roadmap.sprints()],
            "learners": [lv.to_json(self.sprint_ids) for lv in self.learners],
            "behind": [{"repo": lv.repo, "name": lv.name, "weeks_behind": lv.weeks_behind,
                        "targets": [t.id for t in lv.behind]}
                       for lv in sorted(self.learners, key=lambda lv: (-lv.weeks_behind, lv.label.lower()))
                       if lv.weeks_behind > 0],
            "distributions": [d.to_json() for d in self.distributions],
            "repositories": [line.to_json() for line in self.lines],
        }

    def csv_rows(self) -> list[list[str]]:
        """A spreadsheet: one row per repository (learners first), a column per sprint."""
        head = ["repo", "name", "state", "week", "done", "total", "weeks_behind", "behind", *self.sprint_ids, "note"]
        rows = [head]
        for lv in self.learners:
            rows.append([lv.repo, lv.name, "ok", str(lv.week), str(lv.done), str(len(self.sprint_ids)),
                         str(lv.weeks_behind), " ".join(t.id for t in lv.behind),
                         *[lv.cells.get(sid, "absent") for sid in self.sprint_ids], "; ".join(lv.notes)])
        for line in self.lines:
            if self.learner(line.repo) is None:
                rows.append([line.repo, "", line.kind, "", "", "", "", "", *["" for _ in self.sprint_ids],
                             line.message])
        return rows


# ---- a learner, under the cohort's roadmap ---------------------------------------------------------


def _result(e: ExerciseRecord, kind: str) -> GradeResult | None:
    last = e.last
    if last is None:
        return None
    checks = []
    for c in last.checks:
        try:
            checks.append(Check(name=c.name, status=c.status, measured=c.measured,
                                threshold=c.threshold, display=c.display))
        except ValidationError:
            continue  # a check status this llm-sprint does not know: leave it out
    profile = last.profile if last.profile in ("cpu", "gpu") else "cpu"
    return GradeResult(slug=e.slug, kind=kind, status=last.status, message=last.message, checks=checks,
                       metrics=dict(last.metrics), seed=last.seed, profile=profile,
                       started_at=last.at, duration_s=last.duration_s, commit=last.commit)


def learner_state(roadmap: Roadmap, record: ProgressRecord, today: dt.date, start: dt.date) -> RoadmapState:
    """The learner's state under ``roadmap`` (its start moved to ``start``) from the record's facts."""
    mine = roadmap.model_copy(update={"start_date": start})
    facts: dict[str, ExerciseFacts] = {}
    for e in record.exercises:
        ex = roadmap.exercise(e.slug)
        facts[e.slug] = ExerciseFacts(available=e.available, started=e.started,
                                      last=_result(e, ex.kind if ex else "unknown"), ever_passed=e.ever_passed)
    ticks = {(s.id, c.text) for s in record.sprints for c in s.checklist if c.manual and c.checked}
    return compute(mine, facts, ticks, today)


def _cells(state: RoadmapState) -> dict[str, Cell]:
    out: dict[str, Cell] = {}
    for s in state.sprints():
        out[s.id] = "regressed" if s.note.startswith("regressed") and s.column != "Done" else s.column
    return out


def _learner(roadmap: Roadmap, snap: RepoSnapshot, record: ProgressRecord, name: str, today: dt.date,
             start: dt.date | None, cohort_hash: str, memo: Memo, key: tuple[str, dt.date, dt.date | None]) \
        -> LearnerView:
    begin = start or record.roadmap.start_date
    parsed, error, state = memo[key]
    if state is None:
        state = learner_state(roadmap, record, today, begin)
        memo[key] = (parsed, error, state)
    targets = [TargetView(t.id, t.weeks, t.goal, t.status, max(0, state.week - t.weeks[1]) if t.status == "behind"
                          else 0) for t in state.targets]
    releases = [r.tag for r in snap.releases if not r.draft]
    issues = {i.sprint: i for i in sorted(snap.issues, key=lambda i: i.number, reverse=True) if i.sprint}
    notes = []
    if record.roadmap.hash != cohort_hash:
        notes.append(f"follows another version of the roadmap ({record.roadmap.title!r}): its results are placed "
                     "on the cohort's")
    for q in state.quarters:
        if q.done and q.release and q.release not in releases:
            notes.append(f"{q.id} is done but {q.release} is not released on GitHub yet")
    known = {s.id for s in record.sprints}
    cells = _cells(state)
    for sid in cells:
        if sid not in known:
            cells[sid] = "absent"
    return LearnerView(repo=snap.repo, name=name, url=snap.url, private=snap.private, start=begin, week=state.week,
                       record=record, state=state, cells=cells, targets=targets, releases=releases, issues=issues,
                       notes=notes)


def _summary_of_record(record: ProgressRecord) -> str:
    planned = {sid for q in record.quarters for sid in q.sprints}
    done = sum(s.status == "Done" for s in record.sprints if s.id in planned)
    return f"{done}/{len(planned)} sprints done at week {record.week}"


Memo = dict[tuple[str, dt.date, dt.date | None], tuple[ProgressRecord | None, RecordFormatError | None, Any]]


def build_view(roadmap: Roadmap, snapshots: Iterable[RepoSnapshot], *, title: str, today: dt.date,
               start: dt.date | None = None, names: Mapping[str, str] | None = None,
               order: Iterable[str] = (), memo: Memo | None = None) -> CohortView:
    """The cohort: learners (listed ``order`` first, then by name) and a line per repository not read.

    ``memo`` (shared between calls) keeps parsed records and computed states by (record text, day, start):
    two views of looks where most learners did not change compute each learner once."""
    memo = {} if memo is None else memo
    names = names or {}
    cohort_hash = curriculum_hash(roadmap)
    learners: list[LearnerView] = []
    lines: list[RepoLine] = []
    for snap in snapshots:
        if snap.status == "missing":
            lines.append(RepoLine(snap.repo, "missing", HIDDEN))
            continue
        if snap.status == "forbidden":
            lines.append(RepoLine(snap.repo, "forbidden", f"this token may not read it ({snap.message}): "
                                  "authorize the token for the organization, or use one with access"))
            continue
        if snap.status != "ok":
            lines.append(RepoLine(snap.repo, "error", snap.message))
            continue
        if snap.progress_truncated:
            lines.append(RepoLine(snap.repo, "too-large", "progress.json is larger than GitHub returns in a query; "
                                  "it was not read"))
            continue
        record: ProgressRecord | None = None
        key = (snap.progress_text or "", today, start)
        if snap.progress_text is None:
            kind: LineKind | None = "no-progress"
            message = NO_PROGRESS
        else:
            if key not in memo:
                try:
                    memo[key] = (parse_record(snap.progress_text), None, None)
                except RecordFormatError as exc:
                    memo[key] = (None, exc, None)
            record, error, _ = memo[key]
            kind, message = None, ""
            if error is not None:
                kind, message = ("newer-format" if error.newer else "unreadable"), str(error)
        if snap.archived:
            where = f" (its progress.json: {_summary_of_record(record)})" if record is not None else ""
            lines.append(RepoLine(snap.repo, "archived", "archived on GitHub: left out of the table and the "
                                  f"statistics{where}"))
            continue
        if kind is not None:
            lines.append(RepoLine(snap.repo, kind, message))
            continue
        assert record is not None
        if snap.private:
            lines.append(RepoLine(snap.repo, "private", "private: read with your token — keep this output within "
                                  "the cohort"))
        learners.append(_learner(roadmap, snap, record, names.get(snap.key, ""), today, start, cohort_hash,
                                 memo, key))
    rank = {repo.lower(): i for i, repo in enumerate(order)}
    learners.sort(key=lambda lv: (rank.get(lv.repo.lower(), len(rank)), lv.label.lower()))
    lines.sort(key=lambda line: (rank.get(line.repo.lower(), len(rank)), line.repo.lower()))
    week = roadmap.model_copy(update={"start_date": start}).week_of(today) if start else None
    sprint_ids = [s.id for _, s in roadmap.sprints()]
    return CohortView(title=title, today=today, week=week, roadmap=roadmap, sprint_ids=sprint_ids,
                      learners=learners, lines=lines, distributions=distributions(roadmap, learners))


def distributions(roadmap: Roadmap, learners: list[LearnerView]) -> list[Distribution]:
    """Each exercise's numeric checks across the learners' last results under the roadmap's profile."""
    out = []
    for ex in roadmap.exercises:
        thresholds = ex.thresholds_for(roadmap.profile)
        values: dict[str, list[tuple[str, float]]] = {}
        for lv in learners:
            e = lv.state.exercises.get(ex.slug)
            if e is None or e.last is None or e.last.profile != roadmap.profile:
                continue
            for c in e.last.checks:
                if isinstance(c.measured, bool) or not isinstance(c.measured, int | float):
                    continue
                values.setdefault(c.name, []).append((lv.label, float(c.measured)))
        for metric, vals in values.items():
            summary = summarize(vals)
            if summary is None:
                continue
            th = thresholds.get(metric)
            better: Literal["higher", "lower"] | None = None
            if th is not None and th.op in (">=", ">"):
                better = "higher"
            elif th is not None and th.op in ("<=", "<"):
                better = "lower"
            out.append(Distribution(ex.slug, metric, th.text if th else None, better, summary, tuple(vals), th))
    return out
