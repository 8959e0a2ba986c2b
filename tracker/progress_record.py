"""``progress.json``: the machine-readable progress record every learner repository carries.

Written beside the README progress section and ``progress.svg`` by ``sprint release`` (which the
learner workflow runs on every push), read by ``sprint cohort`` on a mentor's side. The schema is
documented in ``docs/progress-json.md``; this module is its reference implementation.

* :func:`build_record` — pure: the status model (:class:`~tracker.status.RoadmapState`) → a
  :class:`ProgressRecord`. Nothing time-of-day dependent goes in (no "generated at"), so an
  unchanged ledger gives a byte-identical file and the workflow commits nothing.
* :func:`render_record` / :func:`parse_record` — the file's text, both ways. ``parse_record``
  refuses a record from a **newer** format version with :class:`~tracker.errors.RecordFormatError`
  (``newer=True``) saying to upgrade, and any unreadable record with a message naming the field.
* :func:`write_record` — the one effect: write the file if its text changed.

Versioning: ``version`` is bumped only for changes an older reader would misread (a field removed,
renamed, or its meaning changed). Fields may be *added* within a version; readers ignore keys they
do not know.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graders.contract import GradeResult
from tracker._version import __version__
from tracker.errors import RecordFormatError
from tracker.roadmap.models import Roadmap
from tracker.status import Column, ExerciseState, RoadmapState, SprintState

__all__ = [
    "FILE_NAME",
    "FORMAT",
    "VERSION",
    "CheckRecord",
    "ExerciseRecord",
    "ProgressRecord",
    "ResultRecord",
    "SprintRecord",
    "TargetRecord",
    "build_record",
    "curriculum_hash",
    "parse_record",
    "render_record",
    "write_record",
]

FILE_NAME = "progress.json"
FORMAT: Final = "llm-sprint/progress"
VERSION = 1
MESSAGE_LIMIT = 300  # a result's message is for a glance; the full text stays in the ledger

TargetStatus = Literal["upcoming", "on track", "behind", "met"]


class _Record(BaseModel):
    # Unknown keys are ignored: a newer llm-sprint may add fields within the same version.
    model_config = ConfigDict(extra="ignore", frozen=True)


class RoadmapRef(_Record):
    title: str
    hash: str  # curriculum_hash(): everything but the start date
    start_date: dt.date
    profile: str


class CheckRecord(_Record):
    name: str
    status: str
    measured: float | bool | str | None = None
    threshold: str | None = None
    display: str = ""


class ResultRecord(_Record):
    """The last grading attempt of an exercise under the required profile."""

    status: Literal["pass", "fail", "error", "pending"]
    at: dt.datetime | None = None
    seed: int = 0
    commit: str | None = None
    profile: str = "cpu"
    duration_s: float = 0.0
    message: str = ""
    checks: list[CheckRecord] = Field(default_factory=list)
    metrics: dict[str, float | bool | str | None] = Field(default_factory=dict)

    def check(self, name: str) -> CheckRecord | None:
        return next((c for c in self.checks if c.name == name), None)


class ExerciseRecord(_Record):
    slug: str
    title: str
    sprint: str | None = None
    available: bool = True
    started: bool = False
    state: str  # "not started", "started", "pass", "fail", "error", "pending", "not yet available"
    ever_passed: bool = False
    regression: str | None = None
    last: ResultRecord | None = None

    @property
    def passed(self) -> bool:
        return self.last is not None and self.last.status == "pass"


class ChecklistRecord(_Record):
    text: str
    checked: bool
    manual: bool = False
    check: str | None = None


class SprintRecord(_Record):
    id: str
    title: str
    group: str  # quarter id, or "track A"
    status: Column
    done: int = 0
    total: int = 0
    note: str = ""
    checklist: list[ChecklistRecord] = Field(default_factory=list)
    exercises: list[str] = Field(default_factory=list)


class QuarterRecord(_Record):
    id: str
    title: str
    release: str = ""
    done: bool = False
    sprints: list[str] = Field(default_factory=list)


class TargetRecord(_Record):
    id: str
    weeks: tuple[int, int]
    goal: str = ""
    metric: str = ""
    threshold: str | None = None
    status: TargetStatus
    measured: str = ""
    exercises: list[str] = Field(default_factory=list)


class ProgressRecord(_Record):
    """One learner's progress (format ``llm-sprint/progress``, version :data:`VERSION`)."""

    format: Literal["llm-sprint/progress"] = FORMAT
    version: int = VERSION
    generator: str = ""
    roadmap: RoadmapRef
    week: int
    updated_at: dt.datetime | None = None  # the newest attempt the record reflects
    quarters: list[QuarterRecord] = Field(default_factory=list)
    tracks: list[QuarterRecord] = Field(default_factory=list)
    sprints: list[SprintRecord] = Field(default_factory=list)
    exercises: list[ExerciseRecord] = Field(default_factory=list)
    targets: list[TargetRecord] = Field(default_factory=list)

    def sprint(self, sprint_id: str) -> SprintRecord | None:
        return next((s for s in self.sprints if s.id == sprint_id), None)

    def exercise(self, slug: str) -> ExerciseRecord | None:
        return next((e for e in self.exercises if e.slug == slug), None)


# ---- building (pure) ----------------------------------------------------------------------------


def curriculum_hash(roadmap: Roadmap) -> str:
    """sha256 of the curriculum as canonical JSON, *without* the start date (each learner has their own).

    Two learners following the same roadmap file have the same hash; a mentor who changed a threshold
    or a sprint has another.
    """
    data = roadmap.model_dump(mode="json", exclude={"start_date"})
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def generator() -> str:
    return f"llm-sprint {__version__}"


def _result(r: GradeResult) -> ResultRecord:
    message = r.message.strip().splitlines()[0] if r.message.strip() else ""
    if len(message) > MESSAGE_LIMIT:
        message = message[: MESSAGE_LIMIT - 1] + "…"
    return ResultRecord(
        status=r.status, at=r.started_at, seed=r.seed, commit=r.commit, profile=r.profile,
        duration_s=round(r.duration_s, 3), message=message,
        checks=[CheckRecord(name=c.name, status=c.status, measured=c.measured, threshold=c.threshold,
                            display=c.display) for c in r.checks],
        metrics=dict(r.metrics),
    )


def _exercise(e: ExerciseState, sprint: str | None, ever_passed: bool) -> ExerciseRecord:
    return ExerciseRecord(slug=e.slug, title=e.title, sprint=sprint, available=e.available, started=e.started,
                          state=e.label, ever_passed=ever_passed, regression=e.regression,
                          last=_result(e.last) if e.last is not None else None)


def _sprint(s: SprintState) -> SprintRecord:
    done, total = s.progress
    return SprintRecord(id=s.id, title=s.title, group=s.quarter, status=s.column, done=done, total=total, note=s.note,
                        checklist=[ChecklistRecord(text=c.text, checked=c.checked, manual=c.manual, check=c.bound_to)
                                   for c in s.checklist],
                        exercises=[e.slug for e in s.exercises])


def build_record(roadmap: Roadmap, state: RoadmapState, *, ever_passed: set[str] | frozenset[str] = frozenset(),
                 generated_by: str | None = None) -> ProgressRecord:
    """The record of ``state`` (computed from ``roadmap``). Pure.

    ``ever_passed`` names the exercises that passed at least once (the ledger knows; the state only
    shows it through a regression note). Exercises appear in the roadmap's order.
    """
    sprint_of = {slug: s.id for _, s in roadmap.sprints() for slug in s.exercises}
    for track in roadmap.tracks:
        for s in track.sprints:
            for slug in s.exercises:
                sprint_of.setdefault(slug, s.id)
    exercises = [_exercise(e, sprint_of.get(slug), slug in ever_passed or e.regression is not None or e.passed)
                 for slug, e in state.exercises.items()]
    stamps = [e.last.at for e in exercises if e.last is not None and e.last.at is not None]
    return ProgressRecord(
        generator=generated_by if generated_by is not None else generator(),
        roadmap=RoadmapRef(title=roadmap.title, hash=curriculum_hash(roadmap), start_date=roadmap.start_date,
                           profile=roadmap.profile),
        week=state.week,
        updated_at=max(stamps) if stamps else None,
        quarters=[QuarterRecord(id=q.id, title=q.title, release=q.release, done=q.done,
                                sprints=[s.id for s in q.sprints]) for q in state.quarters],
        tracks=[QuarterRecord(id=t.id, title=t.title, done=t.done, sprints=[s.id for s in t.sprints])
                for t in state.tracks],
        sprints=[_sprint(s) for s in state.sprints()],
        exercises=exercises,
        targets=[TargetRecord(id=t.id, weeks=t.weeks, goal=t.goal, metric=t.metric, threshold=t.threshold,
                              status=t.status, measured=t.measured, exercises=list(t.exercises))
                 for t in state.targets],
    )


# ---- the file's text ----------------------------------------------------------------------------


def render_record(record: ProgressRecord) -> str:
    """Stable text: same record, same bytes (keys in schema order, two-space indent, final newline)."""
    return json.dumps(record.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def parse_record(text: str | bytes, source: str = FILE_NAME) -> ProgressRecord:
    """Read a record; :class:`RecordFormatError` (``newer=True`` for a newer format) when it cannot be."""
    try:  # the usual case, parsed and validated in one pass (pydantic-core); anything odd takes the long way
        record = ProgressRecord.model_validate_json(text)
    except ValidationError:
        pass
    else:
        if 1 <= record.version <= VERSION:
            return record
    try:
        raw: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordFormatError(f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") \
            from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise RecordFormatError(f"{source}: not readable as JSON text ({exc})") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise RecordFormatError(f"{source}: not an llm-sprint progress record (its \"format\" is not {FORMAT!r})")
    found = raw.get("version")
    if isinstance(found, bool) or not isinstance(found, int) or found < 1:
        raise RecordFormatError(f"{source}: \"version\" must be a whole number ≥ 1, found {found!r}")
    if found > VERSION:
        raise RecordFormatError(
            f"{source} is progress format version {found}, written by a newer llm-sprint "
            f"({raw.get('generator') or 'unknown version'}); this one reads up to version {VERSION}: "
            "upgrade llm-sprint (pip install -U llm-sprint)", newer=True)
    try:
        return ProgressRecord.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors()[:3]:
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            problems.append(f"{where}: {err['msg']}")
        more = f" (+{exc.error_count() - 3} more)" if exc.error_count() > 3 else ""
        raise RecordFormatError(f"{source}: " + "; ".join(problems) + more) from None


def write_record(path: Path, record: ProgressRecord, *, dry_run: bool = False) -> str:
    """Write ``path`` when its text changes: ``"updated"``, ``"unchanged"`` or (dry run) ``"would be updated"``."""
    text = render_record(record)
    old = path.read_text(encoding="utf-8") if path.is_file() else None
    if old == text:
        return "unchanged"
    if dry_run:
        return "would be updated"
    path.write_text(text, encoding="utf-8")
    return "updated"
