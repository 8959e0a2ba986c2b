"""Child side of kind ``notebook``: run the learner's notebook, then probe what it defined.

Runs in the sandbox. The exercise's ``.meta/<probes>.py`` (trusted library code, loaded by path)
provides::

    make_inputs(seed) -> dict[str, torch.Tensor]   # hidden inputs, drawn from the run's seed
    PROBE: str                                     # code run as one more cell in the learner's kernel:
                                                   # reads .grader/inputs.pt, writes .grader/outputs.pt
    expected(inputs) -> dict[str, torch.Tensor]    # the reference outputs, computed here

The outputs are loaded with ``torch.load(weights_only=True)`` (tensors only, nothing executes)
and compared here, in our process, with the reference: the learner's kernel produces outputs but
never sees the reference nor computes the error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from graders.harness.channel import Channel
from graders.kinds._meta import load_meta_module
from graders.kinds._notebook import NotebookRun, NotebookUnreadable

__all__ = ["compare_outputs", "run"]

INPUTS = ".grader/inputs.pt"
OUTPUTS = ".grader/outputs.pt"


def compare_outputs(got: Any, want: dict[str, Any]) -> tuple[float | None, list[str]]:
    """(max |got − want| over every output, problems). ``None`` when an output is missing or unusable."""
    import torch

    problems: list[str] = []
    worst = 0.0
    if not isinstance(got, dict):
        return None, [f"the probe produced {type(got).__name__}, not a dict of outputs"]
    for name, expected in want.items():
        out = got.get(name)
        if not isinstance(out, torch.Tensor):
            what = out[1:-1] if isinstance(out, str) and out.startswith("<") else type(out).__name__
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


def run(args: dict[str, Any], channel: Channel) -> None:
    import torch

    workdir = Path(os.getcwd())
    probes = load_meta_module(Path(args["probes_path"]))
    inputs = probes.make_inputs(int(args["seed"]))
    (workdir / ".grader").mkdir(exist_ok=True)
    torch.save(inputs, workdir / INPUTS)
    result: dict[str, Any] = {"runs": False}
    try:
        with NotebookRun(workdir / args["notebook"], cwd=workdir, cell_timeout=float(args["cell_timeout"]),
                         total_timeout=float(args["total_timeout"])) as nb:
            ok = nb.execute()
            result.update(runs=ok, seconds=nb.seconds, cells_run=nb.cells_run,
                          failure=nb.failure.describe() if nb.failure else "")
            if ok:
                probe_ok, _, failure = nb.run_probe(probes.PROBE, timeout=float(args["cell_timeout"]))
                if not probe_ok:
                    result["probe_problem"] = failure.describe() if failure else "the probe failed"
    except NotebookUnreadable as exc:
        channel.fault(str(exc), status="fail")
        return
    if result["runs"] and not result.get("probe_problem"):
        try:
            got = torch.load(workdir / OUTPUTS, weights_only=True)
        except Exception as exc:  # a missing or tampered file is the learner's doing
            result["probe_problem"] = f"the probe's outputs could not be read ({type(exc).__name__}: {exc})"
        else:
            err, problems = compare_outputs(got, probes.expected(inputs))
            result.update(max_abs_error=err, problems=problems)
    channel.result(**result)
