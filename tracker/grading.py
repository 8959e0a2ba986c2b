"""Grade an exercise of a workspace: resolve it, build the context, run its kind, stamp the result.

The pipeline of one attempt::

    roadmap exercise ─► kind + Params ─► GradeContext (sandbox with the exercise's limits, seed)
        ─► Grader.grade(ctx) (measure in the sandbox, evaluate thresholds)
        ─► stamp (duration, hardware, commit, content hash) ─► caller records it in the ledger

A learner's fault is a result; a failure of *our* kind code is also turned into an ``error`` result
(so one broken grader cannot take down a run over many exercises) but it says plainly that the
grader failed and carries the traceback in the log for the bug report.

This module is where the tracker calls into graders, so it is where graders' error tree
(``graders.errors``) becomes the tracker's (:func:`graders_errors`), once — as httpx maps httpcore's.
The roadmap loader does the same for what it validates (params, thresholds): each becomes a Problem.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import secrets
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from graders.contract import GradeContext, Grader, GradeResult, Hardware, Profile
from graders.errors import GradersError, KindLoadError, ThresholdSyntaxError
from graders.paths import exercise_dir
from graders.registry import get_kind
from graders.sandbox import Limits, Sandbox
from tracker.errors import GradingError, UsageError
from tracker.roadmap.models import Exercise, Roadmap
from tracker.stopping import under_way
from tracker.workspace import Workspace, content_hash

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Sequence

    from tracker.ledger import Attempt

__all__ = ["GradeTarget", "detect_cuda", "grade", "grade_and_record", "graders_errors", "hardware", "kind_of",
           "resolve_profile"]

RequestedProfile = Literal["cpu", "gpu", "auto"]


@contextmanager
def graders_errors() -> Iterator[None]:
    """Around a call into graders: its errors become the tracker's (the one place they are mapped).

    A kind that will not load is the user's installation to fix (:class:`UsageError`, exit 2); a
    threshold that will not parse is bad input too; anything else graders raises on purpose means
    our machinery failed (:class:`GradingError`).
    """
    try:
        yield
    except KindLoadError as exc:
        raise UsageError(f"{exc}; reinstall the package that provides it") from None
    except ThresholdSyntaxError as exc:
        raise UsageError(f"{exc} — {exc.hint}" if exc.hint else str(exc)) from None
    except GradersError as exc:  # SandboxError, or anything graders adds to its tree later
        raise GradingError(str(exc)) from exc


def kind_of(exercise: Exercise) -> type[Grader]:
    """The grader kind of ``exercise``. Raises UsageError when it is not installed or will not load."""
    with graders_errors():
        kind = get_kind(exercise.kind)
    if kind is None:
        raise UsageError(f"exercise {exercise.slug!r} needs grader kind {exercise.kind!r}, which is not installed")
    return kind


@cache
def detect_cuda() -> bool:
    """True when a CUDA GPU is usable from torch. Cheap when there is no NVIDIA device at all."""
    if os.environ.get("LLM_SPRINT_FORCE_CPU"):
        return False
    has_device = any(Path("/dev").glob("nvidia[0-9]*")) or shutil.which("nvidia-smi") is not None
    if not has_device:
        return False
    try:  # torch only in a child: the tracker's process never imports it
        probe = subprocess.run([sys.executable, "-c", "import torch,sys; sys.exit(0 if torch.cuda.is_available() "
                                "else 1)"], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


def resolve_profile(requested: RequestedProfile) -> Profile:
    if requested == "auto":
        return "gpu" if detect_cuda() else "cpu"
    return requested


@cache
def hardware() -> Hardware:
    import psutil

    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    devices: list[str] = []
    if shutil.which("nvidia-smi"):
        try:
            out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10).stdout
            devices = [line.strip() for line in out.splitlines() if line.strip()]
        except (OSError, subprocess.SubprocessError):
            pass
    return Hardware(platform=platform.platform(), cpu=cpu, cores=os.cpu_count() or 0,
                    memory_bytes=psutil.virtual_memory().total, cuda_devices=devices,
                    python=platform.python_version())


@dataclass(frozen=True)
class GradeTarget:
    """What to grade: an exercise of the roadmap, and the folder holding the code to grade."""

    exercise: Exercise
    learner_dir: Path
    library_dir: Path

    @classmethod
    def for_workspace(cls, roadmap: Roadmap, slug: str, workspace_exercises: Path) -> GradeTarget:
        ex = roadmap.exercise(slug)
        if ex is None:
            known = ", ".join(e.slug for e in roadmap.exercises)
            raise UsageError(f"no exercise {slug!r} in the roadmap; exercises: {known}")
        library = exercise_dir(slug)
        if not library.is_dir():
            raise UsageError(f"exercise {slug!r} is not yet available: no grader ships with this version")
        learner = workspace_exercises / slug
        if not learner.is_dir():
            raise UsageError(f"{learner} does not exist; copy the starter from a fresh `sprint init` workspace")
        return cls(ex, learner, library)


def grade(target: GradeTarget, *, profile: Profile, seed: int | None = None, commit: str | None = None,
          cuda: bool | None = None, gpu_model: Path | None = None) -> GradeResult:
    """One attempt. Never raises for anything the learner's code does.

    ``gpu_model``: the learner's model folder for this exercise's gpu profile (``GradeContext.gpu_model``).
    """
    ex = target.exercise
    seed = secrets.randbelow(2**31) if seed is None else seed
    cuda = detect_cuda() if cuda is None else cuda
    started = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    kind = kind_of(ex)
    params = kind.Params.model_validate(ex.params)
    limits = Limits(wall_s=ex.time_budget, cpu_s=ex.cpu_time, memory_bytes=ex.memory)
    ctx = GradeContext(slug=ex.slug, params=params, thresholds=ex.thresholds_for(profile), profile=profile,
                       seed=seed, learner_dir=target.learner_dir, library_dir=target.library_dir,
                       sandbox=Sandbox(limits), cuda_available=cuda, gpu_model=gpu_model)
    try:
        result = kind().grade(ctx)
    except Exception as exc:  # our bug, not the learner's: say so, keep going with other exercises
        result = GradeResult(slug=ex.slug, kind=ex.kind, status="error", seed=seed, profile=profile,
                             message=f"the {ex.kind!r} grader itself failed ({type(exc).__name__}: {exc}); "
                                     "this is a bug in llm-sprint, please report it with the log",
                             log=traceback.format_exc(limit=12))
    return result.model_copy(update={
        "started_at": started,
        "duration_s": round(time.monotonic() - t0, 3),
        "hardware": hardware(),
        "commit": commit,
        "content_hash": content_hash(target.learner_dir),
        "seed": seed,
        "profile": profile,
    })


def grade_and_record(ws: Workspace, roadmap: Roadmap, conn: sqlite3.Connection, slugs: Sequence[str],
                     requested: RequestedProfile, *, seed: int | None = None,
                     on_start: Callable[[str], None] | None = None,
                     on_done: Callable[[GradeResult, Attempt | None], None] | None = None,
                     ) -> list[tuple[GradeResult, Attempt | None]]:
    """Grade ``slugs`` in order, record every attempt in the ledger, then sync the local board.

    Returns each result with the previous attempt of the same exercise and profile (for deltas).
    Used by ``sprint grade``/``watch``, the pytest plugin and the dashboard alike. The learner's
    model folders (``[grading.gpu_models]`` in sprint.toml, or the environment) are read here, so
    every caller passes each exercise its own.

    A stop (``tracker.stopping``) ends the attempt under way with ``RunsStopped``: it is not
    recorded, and neither are the exercises not yet graded; those already recorded stay.
    """
    from tracker.config import load_config
    from tracker.ledger import Ledger
    from tracker.sync.local import sync_local

    ledger = Ledger(conn)
    profile = resolve_profile(requested)
    gpu_models = load_config(ws.config_path).grading.gpu_models
    commit = ws.commit()
    out: list[tuple[GradeResult, Attempt | None]] = []
    for slug in slugs:
        if on_start:
            on_start(slug)
        target = GradeTarget.for_workspace(roadmap, slug, ws.root / "exercises")
        with under_way(f"grading {slug}"):
            result = grade(target, profile=profile, seed=seed, commit=commit, gpu_model=gpu_models.get(slug))
        previous = ledger.latest(slug, result.profile)
        ledger.record(result)
        out.append((result, previous))
        if on_done:
            on_done(result, previous)
    if out:
        sync_local(ws, roadmap, conn, source="grade")
    return out
