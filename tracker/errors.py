"""One exception tree for everything llm-sprint raises on purpose.

::

    SprintError                      base; carries an exit code for the CLI
    ├── UsageError                   bad input from the user (exit 2)
    │   ├── RoadmapError             roadmap.yaml invalid: one Problem per issue found
    │   ├── WorkspaceError           no workspace here / not a directory / already initialised
    │   ├── ConfigError              sprint.toml or environment settings invalid
    │   ├── CohortFileError          cohort.yaml invalid: one Problem per issue found
    │   └── RecordFormatError        a progress.json we cannot read (``newer``: written by a newer
    │                                llm-sprint, whose format this one refuses)
    ├── BoardError                   a board backend could not do what was asked
    │   ├── BoardAuthError           credentials missing, wrong, or lacking a scope
    │   │   └── ProjectAccessError   the token cannot reach the Projects (v2) board (issues still can)
    │   ├── TransientBoardError      the request may or may not have taken effect (dropped
    │   │                            connection, 5xx): re-read the board before going on
    │   └── RateLimitedError         the remote limit will not reset within our bounded wait
    ├── SyncError                    planning or applying a sync failed
    ├── GradingError                 *our* grading machinery failed (never the learner's code:
    │                                a learner's fault is a result with status error/fail)
    └── LedgerError                  the ledger database is unreadable or from a newer version

Third-party exceptions (PyGithub, sqlite3, pydantic, YAML, subprocess) are translated into this
tree once, at the boundary where they are caught; nothing above that boundary sees them.

graders, the layer below, has its own small tree (``graders.errors``), mapped into this one where
the tracker calls in::

    graders.errors                    becomes                      where
    KindLoadError                     UsageError                   tracker.grading.graders_errors
                                      a Problem of a RoadmapError  tracker.roadmap.loader
    ThresholdSyntaxError              a Problem of a RoadmapError  tracker.roadmap.loader (and models)
                                      UsageError                   tracker.grading.graders_errors
    SandboxError, any GradersError    GradingError                 tracker.grading.graders_errors
                                      (raised inside a kind's grade: an ``error`` result, as any
                                      failure of our grading code is — tracker.grading.grade)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BoardAuthError",
    "BoardError",
    "CohortFileError",
    "ConfigError",
    "GradingError",
    "LedgerError",
    "Problem",
    "ProjectAccessError",
    "RateLimitedError",
    "RecordFormatError",
    "RoadmapError",
    "SprintError",
    "SyncError",
    "TransientBoardError",
    "UsageError",
    "WorkspaceError",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class SprintError(Exception):
    """Base of every error llm-sprint raises deliberately."""

    exit_code: int = EXIT_FAILED


class UsageError(SprintError):
    """The user gave us something we cannot work with; nothing was changed."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located precisely enough to fix it.

    ``line`` and ``column`` are 1-based; 0 means "the whole file".
    """

    file: str
    line: int
    column: int
    path: str
    message: str
    hint: str = ""

    def location(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"

    def __str__(self) -> str:
        where = f" [{self.path}]" if self.path else ""
        hint = f" — {self.hint}" if self.hint else ""
        return f"{self.location()}{where}: {self.message}{hint}"


class RoadmapError(UsageError):
    """The roadmap is invalid. ``problems`` lists every problem found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.path))
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{count} {noun} in the roadmap:\n" + "\n".join(f"  {p}" for p in self.problems))


class WorkspaceError(UsageError):
    """No usable learner workspace where one was expected."""


class ConfigError(UsageError):
    """A setting in sprint.toml or the environment is invalid."""


class CohortFileError(UsageError):
    """A mentor's cohort file is invalid. ``problems`` lists every problem found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.path))
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{count} {noun} in the cohort file:\n" + "\n".join(f"  {p}" for p in self.problems))


class RecordFormatError(UsageError):
    """A ``progress.json`` that cannot be read. ``newer`` when a newer llm-sprint wrote it."""

    def __init__(self, message: str, *, newer: bool = False) -> None:
        super().__init__(message)
        self.newer = newer


class BoardError(SprintError):
    """A board backend could not carry out an operation."""


class BoardAuthError(BoardError):
    """Credentials are missing, wrong, or lack a needed scope. Never includes the token."""

    exit_code = EXIT_USAGE


class ProjectAccessError(BoardAuthError):
    """The token may not read or write the Projects (v2) board; the sync falls back to issues only."""


class TransientBoardError(BoardError):
    """The outcome of a request is unknown (connection dropped, 502…). Reconcile, never blindly retry."""


class RateLimitedError(BoardError):
    """The remote service asked us to wait longer than we are willing to."""


class SyncError(SprintError):
    """Planning or applying a sync failed."""


class GradingError(SprintError):
    """The grading machinery itself failed (a bug or a broken installation, not learner code)."""


class LedgerError(SprintError):
    """The ledger database cannot be used."""
