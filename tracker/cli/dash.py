"""``sprint dash``: the Textual dashboard (Kanban, sprint detail, targets; grade and sync from the keys)."""

from __future__ import annotations

import datetime as dt
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
) -> None:
    """The dashboard: the Kanban by quarter, sprint details with metric trends, the 12-week targets.

    Keys: arrows/hjkl move, tab switches quarter, enter opens a sprint, g grades, s syncs, o opens
    a link, / filters, t shows the targets, ? lists every key, q quits.
    """
    day = _parse_today(today)
    from tracker.tui import run

    try:
        run(workspace, today=day)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] == "textual":  # the [tui] extra is not installed
            raise UsageError("the dashboard needs Textual: pip install 'llm-sprint[tui]'") from None
        raise
