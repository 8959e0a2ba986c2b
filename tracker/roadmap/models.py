"""The roadmap as typed data (SPEC §4). Pure: no I/O, no grader imports.

``roadmap → quarters → sprints → checklist items / exercise slugs``; exercises, 12-week targets and
year-2 tracks sit at the top level and are referenced by id. Every model forbids unknown keys;
cross-references (ids, slugs, prerequisites, grader kinds) are checked by the loader, which knows
where each value sits in the file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from graders.errors import ThresholdSyntaxError
from graders.thresholds import Threshold, parse_threshold

__all__ = [
    "ChecklistItem",
    "Exercise",
    "Profile",
    "Quarter",
    "Resource",
    "Roadmap",
    "Sprint",
    "Target",
    "Task",
    "Track",
    "WeekRange",
]

Profile = Literal["cpu", "gpu"]
SprintId = Annotated[str, Field(pattern=r"^(P\d+|\d+\.\d+)$")]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h)?\s*$")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)\s*$")
_SIZE_FACTORS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}
_TIME_FACTORS = {"ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0}


def _to_threshold(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return value
    try:
        return parse_threshold(str(value))
    except ThresholdSyntaxError as exc:
        raise ValueError(f"{exc} — {exc.hint}" if exc.hint else str(exc)) from None


ThresholdField = Annotated[Threshold, BeforeValidator(_to_threshold)]


class _Model(BaseModel):
    # defer_build: the validators are built on first validation. A start answered by the roadmap cache
    # (tracker.roadmap.cache) constructs the validated models and never builds them (~30 ms).
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


class Resource(_Model):
    """A study resource. ``url`` is empty where the seed names a resource without a link."""

    title: str = Field(min_length=1)
    url: str = Field(default="", pattern=r"^(https?://\S+)?$")


class ChecklistItem(_Model):
    """A line of "what must work". Bound to an exercise (``check: slug``), to one check of it
    (``check: slug/metric``), or ticked by hand (``manual: true``)."""

    text: str = Field(min_length=1)
    check: str | None = None
    manual: bool = False

    @model_validator(mode="after")
    def _bound_or_manual(self) -> ChecklistItem:
        if self.manual == (self.check is not None):
            raise ValueError("a checklist item needs exactly one of `check: <slug>[/<metric>]` or `manual: true`")
        return self

    @property
    def slug(self) -> str | None:
        return self.check.split("/", 1)[0] if self.check else None

    @property
    def metric(self) -> str | None:
        if self.check and "/" in self.check:
            return self.check.split("/", 1)[1]
        return None


class Task(_Model):
    """The seed's practical task. ``number`` keeps the seed's numbering (task 7, 8, …)."""

    number: int | None = None
    text: str = Field(min_length=1)


class Sprint(_Model):
    id: SprintId
    title: str = Field(min_length=1)
    weeks: int = Field(default=2, ge=1, le=12)
    resources: list[Resource] = Field(default_factory=list)
    studies: list[str] = Field(default_factory=list)
    outcome: str = ""
    task: Task | None = None
    checklist: list[ChecklistItem] = Field(min_length=1)
    exercises: list[Slug] = Field(default_factory=list)


class Quarter(_Model):
    id: Annotated[str, Field(pattern=r"^Q[1-9]$")]
    title: str = Field(min_length=1)
    months: str = ""
    goal: str = ""
    release: Annotated[str, Field(pattern=r"^v\d+\.\d+$")]
    sprints: list[Sprint] = Field(min_length=1)


def _duration(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and (m := _DURATION.match(value)):
        return float(m.group(1)) * _TIME_FACTORS[m.group(2) or "s"]
    raise ValueError(f"{value!r} is not a duration; write e.g. 90 s, 2 min or 500 ms")


def _size(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and (m := _SIZE.match(value)):
        return int(float(m.group(1)) * _SIZE_FACTORS[m.group(2)])
    raise ValueError(f"{value!r} is not a size; write e.g. 512 MB or 4 GB")


class Exercise(_Model):
    """An exercise: the learner's folder ``exercises/<slug>/`` graded by the kind ``kind``.

    ``params`` is validated by the kind's own ``Params`` model (in the loader). ``thresholds``
    maps a profile to ``{metric: threshold}``; the gpu profile inherits the cpu thresholds it does
    not override. ``time_budget`` is the wall-clock limit of one grading run.
    """

    slug: Slug
    title: str = Field(min_length=1)
    kind: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    params: dict[str, Any] = Field(default_factory=dict)
    thresholds: dict[Profile, dict[str, ThresholdField]] = Field(default_factory=dict)
    prerequisites: list[Slug] = Field(default_factory=list)
    time_budget: float = 120.0
    cpu_time: float | None = None
    memory: int = 4 * 10**9
    hint: str = ""

    @field_validator("time_budget", "cpu_time", mode="before")
    @classmethod
    def _parse_duration(cls, value: Any) -> Any:
        return None if value is None else _duration(value)

    @field_validator("memory", mode="before")
    @classmethod
    def _parse_size(cls, value: Any) -> Any:
        return _size(value)

    def thresholds_for(self, profile: Profile) -> dict[str, Threshold]:
        merged = dict(self.thresholds.get("cpu", {}))
        if profile == "gpu":
            merged.update(self.thresholds.get("gpu", {}))
        return merged


class WeekRange(_Model):
    start: int = Field(ge=1, alias="from")
    end: int = Field(ge=1, alias="to")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    @model_validator(mode="after")
    def _ordered(self) -> WeekRange:
        if self.end < self.start:
            raise ValueError(f"week range {self.start}–{self.end} ends before it starts")
        return self

    def __str__(self) -> str:
        return f"{self.start}–{self.end}"


class Target(_Model):
    """A row of the 12-week competency table: weeks, goal, the metric and its threshold."""

    id: Annotated[str, Field(pattern=r"^W\d+(-\d+)?$")]
    weeks: WeekRange
    goal: str = Field(min_length=1)
    result: str = Field(min_length=1)
    metric: str = ""
    threshold: ThresholdField | None = None
    check: str | None = None  # "<slug>/<metric>" that measures this target, when one exists
    exercises: list[Slug] = Field(default_factory=list)


class Track(_Model):
    """A year-2 specialisation. Its sprints have manual checklists until graders exist."""

    id: Annotated[str, Field(pattern=r"^[A-Z]$")]
    title: str = Field(min_length=1)
    resources: list[Resource] = Field(default_factory=list)
    depth: str = ""
    project: str = ""
    optional: bool = True
    sprints: list[Sprint] = Field(default_factory=list)


class Roadmap(_Model):
    version: Literal[1] = 1
    title: str = Field(min_length=1)
    description: str = ""
    start_date: dt.date
    profile: Profile = "cpu"
    quarters: list[Quarter] = Field(min_length=1)
    exercises: list[Exercise] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    tracks: list[Track] = Field(default_factory=list)

    def sprints(self) -> Iterator[tuple[Quarter, Sprint]]:
        for quarter in self.quarters:
            for sprint in quarter.sprints:
                yield quarter, sprint

    def sprint(self, sprint_id: str) -> Sprint | None:
        return next((s for _, s in self.sprints() if s.id == sprint_id), None)

    def quarter_of(self, sprint_id: str) -> Quarter | None:
        return next((q for q, s in self.sprints() if s.id == sprint_id), None)

    def exercise(self, slug: str) -> Exercise | None:
        return next((e for e in self.exercises if e.slug == slug), None)

    def sprint_of_exercise(self, slug: str) -> Sprint | None:
        return next((s for _, s in self.sprints() if slug in s.exercises), None)

    def week_of(self, day: dt.date) -> int:
        """1-based week number of ``day`` counted from ``start_date`` (0 or less: not started)."""
        delta = (day - self.start_date).days
        return delta // 7 + 1 if delta >= 0 else 0
