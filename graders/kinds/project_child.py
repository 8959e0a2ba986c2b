"""Child side of kind ``project``: execute the learner's notebook in a fresh kernel (nbclient).

Runs in the sandbox; the kernel is its child, with the run folder as working directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from graders.harness.channel import Channel
from graders.kinds._notebook import NotebookRun, NotebookUnreadable

__all__ = ["run"]


def run(args: dict[str, Any], channel: Channel) -> None:
    workdir = Path(os.getcwd())
    try:
        with NotebookRun(workdir / args["notebook"], cwd=workdir, cell_timeout=float(args["cell_timeout"]),
                         total_timeout=float(args["total_timeout"])) as nb:
            ok = nb.execute()
    except NotebookUnreadable as exc:
        channel.fault(str(exc), status="fail")
        return
    channel.result(runs=ok, seconds=nb.seconds, cells_run=nb.cells_run,
                   failure=nb.failure.describe() if nb.failure else "")
