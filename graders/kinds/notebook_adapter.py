"""Adapter of kinds ``notebook`` and ``project`` — trusted grader code that runs *in the learner worker*.

It runs the learner's notebook with nbclient in a fresh ``python3`` kernel
(:class:`graders.kinds._notebook.NotebookRun`); the kernel is a child of the worker, so it is a
learner process of the run with the run's limits. Asked, it runs the exercise's probe cell in that
kernel: the inputs the measurer sends are written as a ``graders.wire`` frame (``.grader/inputs.frame``)
for the probe to read, and the outputs it writes (``.grader/outputs.frame``) are read back — decoded
safely, nothing executes — and returned as data. The measurer compares them; nothing here computes
an error, and nothing here is secret.

What the kernel says about itself (a cell's status) is the learner's code's own report; the
measurer times the notebook from outside.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypedDict

from graders import wire
from graders.faults import LearnerFault

__all__ = ["INPUTS", "OUTPUTS", "ExecuteReply", "ProbeReply", "execute", "probe", "start", "stop"]

INPUTS = ".grader/inputs.frame"
OUTPUTS = ".grader/outputs.frame"
_MAX_OUTPUTS = 64 * 1024 * 1024
_state: dict[str, Any] = {}


class ExecuteReply(TypedDict):
    runs: bool
    cells_run: int
    failure: str  # the first cell that raised or ran out of time ("" when every cell ran)


class ProbeReply(TypedDict):
    problem: str  # why the probe gave no outputs ("" when it did)
    outputs: dict[str, Any]  # name → Array, or an Opaque for what is not a tensor


def start(notebook: str, cell_timeout: float, total_timeout: float) -> None:
    """Start a fresh kernel in the run folder, for the notebook ``notebook`` there (not timed)."""
    from graders.kinds._notebook import NotebookRun, NotebookUnreadable

    workdir = Path(os.getcwd())
    run = NotebookRun(workdir / notebook, cwd=workdir, cell_timeout=cell_timeout, total_timeout=total_timeout)
    try:
        run.__enter__()
    except NotebookUnreadable as exc:
        raise LearnerFault(str(exc), status="fail") from None
    _state["run"] = run


def execute() -> ExecuteReply:
    """Run every code cell in order; stop at the first that raises or runs out of time."""
    run = _state["run"]
    ok = run.execute()
    return ExecuteReply(runs=ok, cells_run=run.cells_run, failure=run.failure.describe() if run.failure else "")


def probe(code: str, inputs: dict[str, Any], timeout: float) -> ProbeReply:
    """Write ``inputs`` for the probe, run ``code`` as one more cell, read back what it wrote."""
    workdir = Path(os.getcwd())
    (workdir / ".grader").mkdir(exist_ok=True)
    out = workdir / OUTPUTS
    out.unlink(missing_ok=True)
    (workdir / INPUTS).write_bytes(wire.encode({"inputs": inputs}))
    ok, _, failure = _state["run"].run_probe(code, timeout=timeout)
    if not ok:
        return ProbeReply(problem=failure.describe() if failure else "the probe failed", outputs={})
    try:
        data = out.read_bytes()
        if len(data) > _MAX_OUTPUTS:
            raise wire.TooLarge(f"{len(data)} bytes")
        message = wire.decode(data, max_bytes=_MAX_OUTPUTS)
    except (OSError, wire.WireError) as exc:  # a missing or tampered file is the learner's doing
        return ProbeReply(problem=f"the probe's outputs could not be read ({type(exc).__name__}: {exc})", outputs={})
    outputs = message.get("outputs")
    if not isinstance(outputs, dict):
        return ProbeReply(problem="the probe's outputs are not a table of named outputs", outputs={})
    return ProbeReply(problem="", outputs=outputs)


def stop() -> None:
    """Shut the kernel down."""
    run = _state.pop("run", None)
    if run is not None:
        run.__exit__(None, None, None)
