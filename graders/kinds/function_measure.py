"""Measurer of kind ``function`` — trusted; runs beside the learner worker (see graders.measurer).

It draws the hidden cases from the seed with the exercise's ``.meta/<cases>.py``, writes each case's
files into the run folder just before that case's call (so no case can be read ahead), calls the
learner's function in the worker, reads the files it wrote and compares them here with the
generator's ``compare``. The learner's process never sees the seed or an expected value, and every
number is computed here — ``runtime`` is the timed case's call as this process sees it (arguments
sent → reply received). Light on purpose (no pydantic): ``Case`` lives here so that a generator
importing it does not slow every run down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from graders.faults import LearnerRaised
from graders.harness.channel import Channel
from graders.kinds._meta import load_meta_module
from graders.measurer import Worker, expect

__all__ = ["Case", "FunctionJob", "FunctionReport", "measure"]


@dataclass
class Case:
    """One hidden case. ``files`` are written into the run folder before the call; ``args`` may
    name them by relative path; ``outputs`` are files the call must produce, read back after."""

    name: str
    args: list[Any]
    expected: Any = None
    files: dict[str, str | bytes] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    timed: bool = False  # counts toward the ``runtime`` metric


class FunctionJob(TypedDict):
    """What the parent (graders.kinds.function) sends the measurer."""

    module: str
    function: str
    cases_path: str  # the exercise's .meta/<cases>.py in the library
    seed: int


class FunctionReport(TypedDict):
    """What the measurer sends back on the result channel."""

    cases: int
    correct: int
    problems: list[str]
    runtime: float | None  # the slowest timed case; None when no timed case answered
    runtime_problem: str  # why a timed case has no time ("" when all answered)


def _resolve(arg: Any, folder: Path) -> Any:
    """``{"path": "x.csv"}`` in a case's args becomes the absolute path of that file in the run."""
    if isinstance(arg, dict) and set(arg) == {"path"}:
        return str(folder / arg["path"])
    return arg


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def measure(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    job = expect(args, FunctionJob, what="the function kind's job")
    meta = load_meta_module(Path(job["cases_path"]))
    cases = meta.generate(job["seed"])
    fn = f"{job['module']}:{job['function']}"
    worker.load(fn)  # import time is not the first case's
    hidden = Path.cwd() / ".cases"
    correct, problems, runtime, runtime_problem = 0, [], None, ""
    for case in cases:
        folder = hidden / case.name
        for rel, content in case.files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="")
        folder.mkdir(parents=True, exist_ok=True)
        try:
            returned = worker.call(fn, *[_resolve(a, folder) for a in case.args])
        except LearnerRaised as exc:
            if not exc.wrong_answer:
                raise
            problems.append(f"{case.name}: {exc.summary}")  # one failing case is a wrong answer
            if case.timed:
                runtime_problem = f"not measured: {case.name} raised {exc.summary}"
            continue
        if case.timed:
            runtime = max(runtime or 0.0, worker.last_seconds)
        diff = meta.compare(case, returned, {rel: _read(folder / rel) for rel in case.outputs})
        if diff is None:
            correct += 1
        else:
            problems.append(f"{case.name}: {diff}")
    channel.result(**FunctionReport(cases=len(cases), correct=correct, problems=problems,
                                    runtime=None if runtime_problem else runtime, runtime_problem=runtime_problem))
