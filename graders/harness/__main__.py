"""Entry of the sandboxed child: ``python -I -m graders.harness`` (see graders/harness/__init__)."""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback

from graders.harness.channel import Channel, learner_traceback


def main() -> int:
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
    try:
        entry(payload.get("args", {}), channel)
    except NotImplementedError as exc:
        # The starters raise this: an unfinished exercise fails, it does not "error".
        channel.fault(f"not implemented yet: {exc}" if str(exc) else "not implemented yet", status="fail",
                      detail=learner_traceback(exc, workdir))
    except SystemExit as exc:
        channel.fault(
            f"your code called sys.exit({exc.code!r}) before grading finished; "
            "return from your function instead of exiting",
            detail=learner_traceback(exc, workdir),
        )
    except BaseException as exc:  # the learner's exception is data: report it and end normally
        tb = learner_traceback(exc, workdir)
        internal = not tb.startswith("Traceback (your code")
        message = f"your code raised {type(exc).__name__}: {exc}" if not internal else (
            f"{type(exc).__name__}: {exc}")
        channel.fault(message, detail=tb if not internal else traceback.format_exc(limit=6))
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
