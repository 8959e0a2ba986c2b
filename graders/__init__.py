"""What a grader kind's author may import: the contract, the sandbox, the child side, the helpers.

Everything a kind needs is here (docs/writing-a-grader.md uses nothing else)::

    from graders import Grader, Metric, Measurements, GradeContext, GradeResult, Check, NoParams  # the contract
    from graders import Status, Profile                       # the literal types the contract uses
    from graders import Sandbox, Limits, ProcessSpec, RunOutcome  # running learner code (ctx.sandbox)
    from graders import Channel, learner_traceback, learner_function  # child side, next to the learner's code
    from graders import Worker, expect, Array, LearnerFault, LearnerRaised  # a measurer, beside a learner worker
    from graders import ServiceRefused                        # a measurer's service refusing one ask
    from graders import record_run_fault                      # a run's fault, by the one fail/error rule
    from graders import load_meta_module                      # the exercise's hidden data in .meta/
    from graders import GradersError, SandboxError            # what the above raise on purpose
    from graders import gpu                                   # a gpu profile: model folder, limits, CUDA calls

The other modules (``graders.registry``, ``graders.thresholds``, ``graders.evaluate``,
``graders.supervisor``, ``graders.kinds.*`` …) are the machinery behind this surface and may change.

Names resolve on first use, not on ``import graders``: the supervisor and the harness of every
sandboxed process import modules of this package, and an eager ``__init__`` would load pydantic
(the contract) into each of them — measured: ``python -I -c "import graders.harness.channel"`` in
33 ms, 217 ms with the contract, sandbox and gpu helpers imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "Array",
    "Channel",
    "Check",
    "GradeContext",
    "GradeResult",
    "Grader",
    "GradersError",
    "LearnerFault",
    "LearnerRaised",
    "Limits",
    "Measurements",
    "Metric",
    "NoParams",
    "ProcessSpec",
    "Profile",
    "RunOutcome",
    "Sandbox",
    "SandboxError",
    "ServiceRefused",
    "Status",
    "Worker",
    "expect",
    "gpu",
    "learner_function",
    "learner_traceback",
    "load_meta_module",
    "record_run_fault",
]

# where each public name lives; tests/test_public_surface.py checks this table against __all__ and
# the TYPE_CHECKING imports below
_WHERE = {
    "Array": "graders.wire",
    "Channel": "graders.harness.channel",
    "Check": "graders.contract",
    "GradeContext": "graders.contract",
    "GradeResult": "graders.contract",
    "Grader": "graders.contract",
    "GradersError": "graders.errors",
    "LearnerFault": "graders.faults",
    "LearnerRaised": "graders.faults",
    "Limits": "graders.sandbox",
    "Measurements": "graders.contract",
    "Metric": "graders.contract",
    "NoParams": "graders.contract",
    "ProcessSpec": "graders.sandbox",
    "Profile": "graders.contract",
    "RunOutcome": "graders.sandbox",
    "Sandbox": "graders.sandbox",
    "SandboxError": "graders.errors",
    "ServiceRefused": "graders.measurer",
    "Status": "graders.contract",
    "Worker": "graders.measurer",
    "expect": "graders.measurer",
    "learner_function": "graders.harness.learner",
    "learner_traceback": "graders.harness.channel",
    "load_meta_module": "graders.kinds._meta",
    "record_run_fault": "graders.faults",
}

if TYPE_CHECKING:
    from graders import gpu
    from graders.contract import (
        Check,
        GradeContext,
        Grader,
        GradeResult,
        Measurements,
        Metric,
        NoParams,
        Profile,
        Status,
    )
    from graders.errors import GradersError, SandboxError
    from graders.faults import LearnerFault, LearnerRaised, record_run_fault
    from graders.harness.channel import Channel, learner_traceback
    from graders.harness.learner import learner_function
    from graders.kinds._meta import load_meta_module
    from graders.measurer import ServiceRefused, Worker, expect
    from graders.sandbox import Limits, ProcessSpec, RunOutcome, Sandbox
    from graders.wire import Array


def __getattr__(name: str) -> Any:
    if name == "gpu":
        return importlib.import_module("graders.gpu")
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'graders' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
