"""Find the learner's function: the one place that imports a learner's module for grader code.

Standard library only: it runs in the learner worker and in the older child processes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from graders.faults import LearnerFault

__all__ = ["learner_function"]


def learner_function(target: str) -> Callable[..., Any]:
    """The callable ``target`` (``"module:function"``) from the learner's folder, which must be on
    ``sys.path``. A missing module or function is a :class:`LearnerFault` with status ``fail``; an
    exception raised while the module is imported is the learner's and propagates as it is (the
    caller turns it into a fault with :func:`graders.faults.fault_of_exception`)."""
    module_name, _, function = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise LearnerFault(f"{module_name}.py is missing: the exercise asks for {function}() in it",
                           status="fail") from None
    fn = getattr(module, function, None)
    if not callable(fn):
        raise LearnerFault(f"{module_name}.py has no function {function}()", status="fail")
    return fn  # type: ignore[no-any-return]
