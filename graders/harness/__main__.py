"""Entry of the sandboxed child: ``python -I -m graders.harness`` (see graders/harness/__init__)."""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
from typing import Any

from graders.faults import LearnerFault, fault_of_exception
from graders.harness.channel import Channel
from graders.privileges import make_undumpable


def main() -> int:
    # Before the key is read: from here on, no other process of this user without CAP_SYS_PTRACE
    # can read this one's memory or re-open its descriptors (graders.privileges).
    make_undumpable()
    key = bytes.fromhex(sys.stdin.readline().strip())
    payload = json.loads(sys.stdin.readline())
    # The learner's code gets an empty stdin: nothing of ours is left to read there.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    channel = Channel(int(payload["result_fd"]), key)
    del key
    workdir = os.path.realpath(payload["workdir"])
    if payload.get("learner", True):
        # Only learner processes import from the learner's folder: a trusted process (a grader's
        # client) must not pick up, say, a learner file named ollama.py.
        sys.path.insert(0, workdir)
    module_name, _, func_name = payload["entry"].partition(":")
    try:
        entry = getattr(importlib.import_module(module_name), func_name)
    except Exception:  # our own bug or broken install: say so plainly
        channel.fault("the grader's child code failed to load: " + traceback.format_exc(limit=3), status="error",
                      detail="internal")
        return 0
    extra: list[Any] = []
    try:
        if payload.get("link_fd") is not None:
            from graders.measurer import Worker

            extra.append(Worker.connect(int(payload["link_fd"]), timeout_s=float(payload.get("wall_s", 120.0)),
                                        run_root=os.getppid()))  # the supervisor: the run's processes are below it
        entry(payload.get("args", {}), channel, *extra)
        if extra and extra[0].stopped:  # stopped after its last request: the result it sent is void
            from graders.measurer import STOPPED

            raise LearnerFault(STOPPED)
    except LearnerFault as exc:  # a fault the entry point (or the worker link) decided on
        channel.fault(exc.message, status=exc.status, detail=exc.detail)
    except BaseException as exc:  # the learner's exception is data: report it and end normally
        fault = fault_of_exception(exc, workdir)
        if fault.detail.startswith("Traceback (your code") or isinstance(exc, (NotImplementedError, SystemExit)):
            channel.fault(fault.message, status=fault.status, detail=fault.detail)
        else:  # nothing of the learner's in the traceback: ours (or a library's) — keep the whole story
            channel.fault(f"{type(exc).__name__}: {exc}", detail=traceback.format_exc(limit=6))
    else:
        channel.send("done")
    sys.stdout.flush()
    sys.stderr.flush()
    return 0


if __name__ == "__main__":
    # os._exit: skip interpreter teardown, so atexit hooks or lingering threads of the learner's
    # code cannot change the outcome after we reported it.
    code = main()
    os._exit(code)
