"""``sprint dash``: the Textual dashboard (Kanban, sprint detail, targets; grade and sync from the keys)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import WorkspaceOption, command_app
from tracker.errors import UsageError

cli = command_app()


def _parse_today(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD") from None


@cli.command()
def dash(
    workspace: WorkspaceOption = None,
    today: Annotated[str | None, typer.Option(help="Show the board as of this date, YYYY-MM-DD (default: today).",
                                              hidden=True)] = None,
    cohort: Annotated[Path | None, typer.Option("--cohort", dir_okay=False,
                                                help="A mentor's cohort file: show the cohort instead.")] = None,
) -> None:
    """The dashboard: the Kanban by quarter, sprint details with metric trends, the 12-week targets.

    Keys: arrows/hjkl move, tab switches quarter, enter opens a sprint, g grades, s syncs, o opens
    a link, / filters, t shows the targets, ? lists every key, q quits.

    With --cohort FILE: a mentor's view of the cohort (learners × sprints, who is behind, metric
    distributions, changes since the last look); r reads GitHub, d shows the weekly review.
    """
    day = _parse_today(today)
    try:
        if cohort is not None:
            from tracker.progress import current_date
            from tracker.tui.cohort import run_cohort

            run_cohort(cohort, today=day or current_date())
            return
        from tracker.tui import run

        run(workspace, today=day)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] == "textual":  # the [tui] extra is not installed
            raise UsageError("the dashboard needs Textual: pip install 'llm-sprint[tui]'") from None
        raise
