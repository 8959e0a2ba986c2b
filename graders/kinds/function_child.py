"""Child side of kind ``function``: import the learner's module, call the function on each case.

Runs in the sandbox, next to the learner's code; standard library only.
"""

from __future__ import annotations

import importlib
import json
import os
import time
from typing import Any

from graders.harness.channel import Channel, learner_traceback


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


def run(args: dict[str, Any], channel: Channel) -> None:
    workdir = os.getcwd()
    module = importlib.import_module(args["module"])
    fn = getattr(module, args["function"], None)
    if not callable(fn):
        channel.fault(f"{args['module']}.py has no function {args['function']}()", status="fail")
        return
    answers = []
    for case in args["cases"]:
        t0 = time.perf_counter()
        try:
            returned = fn(*case["args"])
        except NotImplementedError:
            raise
        except Exception as exc:  # one failing case is a wrong answer, not the end of grading
            answers.append({"name": case["name"], "error": learner_traceback(exc, workdir).splitlines()[-1]})
            continue
        answers.append({"name": case["name"], "return": _jsonable(returned), "seconds": time.perf_counter() - t0})
    channel.result(cases=answers)
