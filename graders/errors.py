"""The exceptions the graders package raises on purpose: one small tree, below the tracker's.

::

    GradersError                 base of everything graders raises deliberately
    ├── KindLoadError            a registered kind cannot be imported, or is not a Grader of its name
    ├── ThresholdSyntaxError     a threshold string cannot be read (also a ValueError); ``hint`` says
    │                            what would be accepted
    └── SandboxError             *our* sandbox machinery failed (the supervisor died or hung) — never
                                 the learner's code: a learner's fault is data (``RunOutcome.fault``)

Not in this tree: ``graders.sandbox.RunsStopped``, a ``KeyboardInterrupt`` — a stop signal ended the
runs, which is no error, and no ``except Exception`` in a grader may turn it into a result.

graders knows nothing of the tracker. The tracker maps this tree into its own once, where it calls
in (``tracker.grading`` for kinds and runs, ``tracker.roadmap.loader`` for params and thresholds),
the way httpx maps httpcore's exceptions in one place. Pure module: no imports beyond the stdlib.
"""

from __future__ import annotations

__all__ = ["GradersError", "KindLoadError", "SandboxError", "ThresholdSyntaxError"]


class GradersError(Exception):
    """Base of every error the graders package raises deliberately."""


class KindLoadError(GradersError):
    """An entry point is registered but cannot be loaded, or is not a Grader of that kind."""


class ThresholdSyntaxError(GradersError, ValueError):
    """A threshold string could not be parsed; ``hint`` says what would be accepted.

    A ``ValueError`` too, so that a pydantic validator may let it through as a validation error.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class SandboxError(GradersError):
    """The sandbox itself failed (a bug or a broken installation), not the code it was running."""
