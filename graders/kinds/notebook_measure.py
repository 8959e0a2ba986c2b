"""Measurer of kinds ``notebook`` and ``project`` — trusted; runs beside the learner worker.

The learner's notebook runs in a kernel the worker starts (graders.kinds.notebook_adapter), so
the measurer holds what the learner's code must not: the seed, the hidden inputs, the reference.

* ``notebook_time`` is taken here: the ``execute`` request sent → its reply received, plus, when
  the kernel's processes are still busy after the last cell answered (a cell that replies and goes
  on working in a thread), the time until they settle — read from outside (their CPU time).
* ``notebook_runs`` is what the kernel reports about the cells it ran: the learner's code's own
  account (a notebook can catch its own exceptions, and so hide a failure; nothing else decides
  on it).
* the probe (kind ``notebook``): the exercise's ``.meta/<probes>.py`` draws the inputs from the
  seed here (``make_inputs``); the worker receives them only when the probe cell runs, after the
  notebook; the outputs come back as data and are compared here with ``expected(inputs)``, which
  the worker never sees.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, TypedDict

from graders.harness.channel import Channel
from graders.kinds._meta import load_meta_module
from graders.kinds.notebook_adapter import ExecuteReply, ProbeReply
from graders.measurer import Worker, expect
from graders.wire import Array, Opaque

__all__ = ["NotebookJob", "NotebookReport", "compare_outputs", "run", "settled_note"]

ADAPTER = "graders.kinds.notebook_adapter"
_QUIET_CPU_S = 0.02  # CPU seconds per 0.25 s window under which the kernel counts as settled


class _NotebookJobBase(TypedDict):
    notebook: str
    cell_timeout: float
    total_timeout: float


class NotebookJob(_NotebookJobBase, total=False):
    probes_path: str  # kind notebook: the exercise's .meta/<probes>.py
    seed: int


class NotebookReport(TypedDict):
    runs: bool
    seconds: float  # the cells, as timed here (kernel start-up excluded)
    settled_s: float  # of which: kernel still busy after the last cell answered
    cells_run: int
    failure: str
    probe_problem: str
    max_abs_error: float | None
    problems: list[str]


def compare_outputs(got: Any, want: dict[str, Any]) -> tuple[float | None, list[str]]:
    """(max |got − want| over every output, problems). ``None`` when an output is missing or
    unusable. ``got``: name → :class:`~graders.wire.Array` (or a tensor), or what was returned instead."""
    import torch

    problems: list[str] = []
    worst = 0.0
    if not isinstance(got, dict):
        return None, [f"the probe produced {type(got).__name__}, not a dict of outputs"]
    for name, expected in want.items():
        out = got.get(name)
        if isinstance(out, Array):
            out = out.to_torch()
        if not isinstance(out, torch.Tensor):
            what = out.type if isinstance(out, Opaque) else (out[1:-1] if isinstance(out, str) and out.startswith("<")
                                                             else type(out).__name__)
            problems.append(f"{name}: returned {what}, not a tensor")
            continue
        if tuple(out.shape) != tuple(expected.shape):
            problems.append(f"{name}: shape {list(out.shape)}, expected {list(expected.shape)}")
            continue
        if not bool(torch.isfinite(out).all()):
            problems.append(f"{name}: contains NaN or inf")
            continue
        err = float((out.detach().double() - expected.double()).abs().max())
        if err > 1e-5:
            problems.append(f"{name}: max error {err:.2e}")
        worst = max(worst, err)
    if any("max error" not in p for p in problems):
        return None, problems
    return worst, problems


def settled_note(settled_s: float) -> str:
    """Why ``notebook_time`` is longer than the cells' replies, when it is."""
    if settled_s < 0.5:
        return ""
    return (f"including {settled_s:.1f} s the kernel kept working after its last cell had answered (work in a "
            "background thread counts)")


def _cpu_seconds(pids: list[int]) -> float:
    import psutil

    total = 0.0
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system
    return total


def _settle(worker: Worker, limit_s: float) -> float:
    """Seconds until the kernel's processes stop working (CPU time read from outside), ≤ ``limit_s``."""
    t0 = time.monotonic()
    last = _cpu_seconds(worker.other_learner_pids())
    while time.monotonic() - t0 < limit_s:
        time.sleep(0.25)
        now = _cpu_seconds(worker.other_learner_pids())
        if now - last < _QUIET_CPU_S:
            return max(0.0, time.monotonic() - t0 - 0.25)
        last = now
    return limit_s


def run(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    job = expect(args, NotebookJob, what="the notebook kind's job")
    worker.adapter(f"{ADAPTER}:start", job["notebook"], job["cell_timeout"], job["total_timeout"],
                   returns=type(None))
    executed = worker.adapter(f"{ADAPTER}:execute", returns=ExecuteReply, timeout_s=job["total_timeout"] + 30.0)
    seconds = worker.last_seconds
    settled = _settle(worker, max(0.0, job["total_timeout"] - seconds)) if executed["runs"] else 0.0
    report = NotebookReport(runs=executed["runs"], seconds=seconds + settled, settled_s=settled,
                            cells_run=executed["cells_run"], failure=executed["failure"], probe_problem="",
                            max_abs_error=None, problems=[])
    if executed["runs"] and "probes_path" in job:
        probes = load_meta_module(Path(job["probes_path"]))
        inputs = probes.make_inputs(int(job.get("seed", 0)))
        sent = {name: Array.from_torch(t) for name, t in inputs.items()}
        got = worker.adapter(f"{ADAPTER}:probe", probes.PROBE, sent, job["cell_timeout"], returns=ProbeReply)
        if got["problem"]:
            report["probe_problem"] = got["problem"]
        else:
            report["max_abs_error"], report["problems"] = compare_outputs(got["outputs"], probes.expected(inputs))
    worker.adapter(f"{ADAPTER}:stop", returns=type(None))
    channel.result(**report)
