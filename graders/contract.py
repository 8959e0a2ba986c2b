"""The grader contract: what a grader kind declares, what it measures, what a result looks like.

A **grader kind** is a subclass of :class:`Grader` that declares

* ``kind`` — the name used in ``roadmap.yaml`` (``kind: attention``);
* ``Params`` — a pydantic model for the exercise's ``params:`` (so the roadmap is validated by the
  kind that owns it; unknown keys are rejected);
* ``metrics`` — every metric it can measure, with its dimension and the profiles it applies to;
* ``measure(ctx) -> Measurements`` — run the learner's code *through the sandbox* and measure.

:meth:`Grader.grade` turns measurements into a :class:`GradeResult` by holding each metric against
the thresholds of the active profile (``graders.evaluate``). Kinds never compare against thresholds
themselves, and never take a number from the learner: a learner's fault is recorded with
:meth:`Measurements.fault`, which makes the result ``error`` (or ``fail``) with the message given.

Results are versioned JSON (``schema_version``); readers must accept older versions.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from graders.thresholds import Dimension, Threshold

if TYPE_CHECKING:
    from graders.sandbox import Sandbox

__all__ = [
    "GPU_MODEL_ENV_PREFIX",
    "RESULT_SCHEMA_VERSION",
    "Check",
    "CheckStatus",
    "GradeContext",
    "GradeResult",
    "Grader",
    "Hardware",
    "Measurements",
    "Metric",
    "NoParams",
    "Profile",
    "Status",
    "gpu_model_env",
]

RESULT_SCHEMA_VERSION = 1

Status = Literal["pass", "fail", "error", "pending"]
CheckStatus = Status
Profile = Literal["cpu", "gpu"]
MetricDimension = Dimension | Literal["bool"]
GPU_MODEL_ENV_PREFIX = "SPRINT_GPU_MODEL_"


def gpu_model_env(slug: str) -> str:
    """The environment variable naming ``slug``'s gpu-profile model folder (``lora-finetune`` →
    ``SPRINT_GPU_MODEL_LORA_FINETUNE``); ``[grading.gpu_models]`` in sprint.toml is the other way."""
    return GPU_MODEL_ENV_PREFIX + slug.upper().replace("-", "_")


class NoParams(BaseModel):
    """Params of a kind that takes none: any key is an error."""

    # defer_build (here and below): validators are built on first use, not on import — `sprint status`
    # and the dashboard import the contract, and validate a GradeResult only when the ledger has one.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


@dataclass(frozen=True)
class Metric:
    """A number (or yes/no fact) a kind measures.

    ``profiles`` says where it is measured: a metric only in ``("gpu",)`` is skipped under the
    cpu profile and ``pending`` under the gpu profile on a machine without CUDA.
    A ``bool`` metric is a check in every profile it is measured in (it passes when true); other
    metrics become checks only where the roadmap gives them a threshold, else they are reported.
    """

    name: str
    dimension: MetricDimension
    description: str
    profiles: tuple[Profile, ...] = ("cpu", "gpu")
    higher_is_better: bool | None = None


class Check(BaseModel):
    """One verdict: a metric held against its threshold (or a yes/no fact)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: str
    status: CheckStatus
    measured: float | bool | str | None = None
    threshold: str | None = None
    display: str = ""  # the measured value in the threshold's unit, for people
    message: str = ""


class Hardware(BaseModel):
    model_config = ConfigDict(extra="allow", defer_build=True)

    platform: str = ""
    cpu: str = ""
    cores: int = 0
    memory_bytes: int = 0
    cuda_devices: list[str] = Field(default_factory=list)
    python: str = ""


class GradeResult(BaseModel):
    """The outcome of one grading attempt. Serialised as the versioned results JSON."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    schema_version: int = RESULT_SCHEMA_VERSION
    slug: str
    kind: str
    status: Status
    message: str = ""
    checks: list[Check] = Field(default_factory=list)
    metrics: dict[str, float | bool | str | None] = Field(default_factory=dict)
    seed: int = 0
    profile: Profile = "cpu"
    hardware: Hardware = Field(default_factory=Hardware)
    started_at: datetime | None = None
    duration_s: float = 0.0
    commit: str | None = None
    content_hash: str = ""
    log: str = ""  # the learner's output, truncated

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def failing(self) -> list[Check]:
        return [c for c in self.checks if c.status in ("fail", "error")]


class Measurements:
    """What :meth:`Grader.measure` hands back: values per metric, notes, and learner faults.

    A *fault* is a learner-caused problem that prevents (part of) the measurement: the check
    names it affects get the fault's status (``error`` by default) and its message.
    """

    def __init__(self) -> None:
        self.values: dict[str, float | bool | str | None] = {}
        self.notes: dict[str, str] = {}
        self.pending: dict[str, str] = {}
        self.faults: list[tuple[tuple[str, ...] | None, Status, str]] = []
        self.log: str = ""

    def set(self, name: str, value: float | bool | str | None, note: str = "") -> None:
        self.values[name] = value
        if note:
            self.notes[name] = note

    def skip(self, name: str, reason: str) -> None:
        """The metric could not be measured here for a reason that is nobody's fault (e.g. no CUDA)."""
        self.pending[name] = reason

    def fault(self, message: str, *, checks: tuple[str, ...] | None = None, status: Status = "error") -> None:
        """Record a learner fault affecting ``checks`` (all checks when None)."""
        self.faults.append((checks, status, message))

    @property
    def faulted_all(self) -> bool:
        return any(checks is None for checks, _, _ in self.faults)


@dataclass
class GradeContext:
    """Everything a kind needs to grade one exercise once.

    ``learner_dir`` is the learner's exercise folder: read it, never write to it (the sandbox
    copies it before running anything). ``library_dir`` is the exercise's folder in the installed
    exercise library, where ``.meta/`` holds hidden data and references. ``seed`` drives every
    random draw of the run and is recorded in the result. ``gpu_model`` is the learner's own model
    folder for this exercise's gpu profile (``[grading.gpu_models]`` in sprint.toml, or
    :func:`gpu_model_env`), absolute; None when none is configured. It is not checked: a kind that
    uses it says what is wrong with it.
    """

    slug: str
    params: BaseModel
    thresholds: Mapping[str, Threshold]
    profile: Profile
    seed: int
    learner_dir: Path
    library_dir: Path
    sandbox: Sandbox
    cuda_available: bool = False
    gpu_model: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def meta_dir(self) -> Path:
        return self.library_dir / ".meta"

    def missing_learner_file(self, name: str, m: Measurements) -> bool:
        """True, after recording a ``fail`` on every check of ``m``, when the learner's folder has no
        file ``name``: the one message every kind gives for it."""
        if (self.learner_dir / name).is_file():
            return False
        m.fault(f"{name} is missing from exercises/{self.slug}/", status="fail")
        return True


class Grader(abc.ABC):
    """Base class of grader kinds. Subclasses set the class attributes and implement ``measure``."""

    kind: ClassVar[str]
    Params: ClassVar[type[BaseModel]] = NoParams
    metrics: ClassVar[tuple[Metric, ...]] = ()
    version: ClassVar[str] = "1"
    # True when a verdict depends on wall-clock speed (a latency, throughput or runtime threshold):
    # such an exercise must be graded on an otherwise idle machine. `sprint dev check --untimed`
    # leaves it out, so CI can grade the others alongside the tests.
    timed: ClassVar[bool] = False

    @abc.abstractmethod
    def measure(self, ctx: GradeContext) -> Measurements:
        """Run the learner's code through ``ctx.sandbox`` and measure every metric it can."""

    def grade(self, ctx: GradeContext) -> GradeResult:
        """Measure, then hold the measurements against the thresholds of ``ctx.profile``."""
        from graders.evaluate import evaluate

        return evaluate(self, ctx, self.measure(ctx))

    @classmethod
    def metric(cls, name: str) -> Metric | None:
        return next((m for m in cls.metrics if m.name == name), None)

    @classmethod
    def meta_files(cls, params: BaseModel) -> tuple[str, ...]:
        """The files under the exercise's ``.meta/`` that grading reads, relative to it (e.g. ``cases.py``).

        Only these (and ``config.yaml``) ship in the wheel a learner installs; references, cheats and
        authoring scripts do not. A kind that reads another ``.meta/`` file must name it here
        (tests/test_packaging.py holds the built wheel to this list).
        """
        return ()
