"""Learner faults: the one rule that says whether a fault is ``fail`` or ``error``, and where it is applied.

**The rule.** A fault is ``fail`` when the learner's code is *unfinished or answers the wrong kind of
thing* in a way the grader saw: it raises ``NotImplementedError`` (what every starter does), a file,
module or function the exercise asks for is missing, or a kind refuses a returned value as the wrong
kind of answer (``LearnerFault(..., status="fail")``). Everything else that stops a measurement is
``error`` — the learner's code *broke the run*: any other exception, ``sys.exit()``, a crash or a
signal, an early exit, going over the wall-clock, CPU-time or memory limit, lines on the result
channel the grader did not sign, a reply on the worker link that is malformed, oversized, late or
missing, tampering with what the grader measures from outside.

Where it is applied, once each:

* child side — :func:`fault_of_exception` turns an exception raised by the learner's code into a
  :class:`LearnerFault` (the harness, the learner worker and the measurer use it);
* parent side — :func:`run_fault_status` reads a finished run, and :func:`record_run_fault` records
  it on a kind's ``Measurements``.

Standard library only: the harness and the learner worker import this module.
"""

from __future__ import annotations

import os
import traceback
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from graders.contract import Measurements
    from graders.sandbox import RunOutcome

__all__ = ["FaultStatus", "LearnerFault", "LearnerRaised", "fault_of_exception", "learner_traceback",
           "record_run_fault", "run_fault_status"]

FaultStatus = Literal["fail", "error"]


class LearnerFault(Exception):
    """A fault of the learner's code that ends (part of) a measurement. Raise it from measurer,
    adapter or child code; the harness reports it on the result channel as a ``fault`` message.

    ``message`` is for the learner (what happened, what to do); ``detail`` is the learner-only
    traceback or other context; ``status`` follows the rule in this module's docstring.
    """

    def __init__(self, message: str, *, status: FaultStatus = "error", detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status: FaultStatus = status
        self.detail = detail


class LearnerRaised(LearnerFault):
    """The learner's code raised ``type_name``. ``wrong_answer`` is True for an ordinary exception,
    which a kind grading case by case may catch and count as one wrong answer; it is False for
    ``NotImplementedError`` (``not_implemented``: the exercise is unfinished) and for ``SystemExit``
    or ``KeyboardInterrupt`` (the code tried to end its process) — let those propagate."""

    def __init__(self, message: str, *, status: FaultStatus, detail: str, type_name: str,
                 not_implemented: bool, wrong_answer: bool) -> None:
        super().__init__(message, status=status, detail=detail)
        self.type_name = type_name
        self.not_implemented = not_implemented
        self.wrong_answer = wrong_answer

    @property
    def summary(self) -> str:
        """The last line of the learner's traceback (``ValueError: bad row``)."""
        lines = self.detail.strip().splitlines()
        return lines[-1] if lines else self.type_name


def learner_traceback(exc: BaseException, learner_root: str) -> str:
    """A traceback limited to the learner's own files (paths relative to the exercise folder)."""
    root = os.path.join(os.path.realpath(learner_root), "")
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if os.path.realpath(f.filename).startswith(root)]
    lines = []
    for f in frames:
        rel = os.path.relpath(os.path.realpath(f.filename), root)
        lines.append(f'  File "{rel}", line {f.lineno}, in {f.name}')
        if f.line:
            lines.append(f"    {f.line}")
    summary = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    head = "Traceback (your code, most recent call last):\n" if lines else ""
    return head + "\n".join(lines) + ("\n" if lines else "") + summary


def fault_of_exception(exc: BaseException, learner_root: str) -> LearnerRaised:
    """The fault an exception raised by the learner's code stands for (the rule, child side)."""
    detail = learner_traceback(exc, learner_root)
    name = type(exc).__name__
    if isinstance(exc, NotImplementedError):
        return LearnerRaised(f"not implemented yet: {exc}" if str(exc) else "not implemented yet", status="fail",
                             detail=detail, type_name=name, not_implemented=True, wrong_answer=False)
    if isinstance(exc, SystemExit):
        return LearnerRaised(f"your code called sys.exit({exc.code!r}) before grading finished; return from "
                             "your function instead of exiting", status="error", detail=detail, type_name=name,
                             not_implemented=False, wrong_answer=False)
    return LearnerRaised(f"your code raised {name}: {exc}", status="error", detail=detail, type_name=name,
                         not_implemented=False, wrong_answer=isinstance(exc, Exception))


def run_fault_status(run: RunOutcome) -> FaultStatus:
    """The status of a finished run's fault (the rule, parent side): ``fail`` only when the child
    side said so; every process-level fault (limits, crash, early exit, forgery) is ``error``."""
    if run.timed_out or run.memory_exceeded or run.forged_lines:
        return "error"
    fault = run.learner_fault
    return "fail" if fault is not None and fault.get("status") == "fail" else "error"


def record_run_fault(m: Measurements, run: RunOutcome, *, checks: tuple[str, ...] | None = None,
                     prefix: str = "") -> bool:
    """Record ``run``'s fault on ``m`` (for ``checks``, all when None) and return True; False when the
    run completed. ``prefix`` says which part of the grading it was (``"memory run at 4096 tokens: "``).
    The learner's traceback, when the fault carries one, follows the message."""
    message = run.fault
    if message is None:
        return False
    fault = run.learner_fault
    detail = str(fault.get("detail", "")) if fault else ""
    if detail.startswith("Traceback (your code") and detail not in message:
        message += f"\n{detail}"
    m.fault(prefix + message, checks=checks, status=run_fault_status(run))
    return True
