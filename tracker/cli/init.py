"""``sprint init DIR``: scaffold a learner workspace."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import command_app
from tracker.cli.output import console
from tracker.db import connect
from tracker.progress import current_date
from tracker.roadmap.loader import load_roadmap
from tracker.scaffold import scaffold
from tracker.sync.local import sync_local
from tracker.workspace import Workspace

cli = command_app()


def _parse_date(value: str | None) -> dt.date:
    if value is None:
        return current_date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD") from None


@cli.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create (must be absent or empty).")],
    start: Annotated[str | None, typer.Option(help="The roadmap's start date, YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Scaffold a workspace: roadmap.yaml, exercise starters, README, .gitignore, sprint.toml, .sprint/."""
    start_date = _parse_date(start)
    from tracker.workflow import install_workflow

    copied = scaffold(directory, start=start_date, extra=install_workflow)
    ws = Workspace(directory.expanduser().resolve())
    roadmap = load_roadmap(ws.roadmap_path)
    conn = connect(ws.db_path)
    try:
        sync_local(ws, roadmap, conn, source="init")
    finally:
        conn.close()
    out = console()
    out.print(f"[green]✓[/] created workspace {ws.root}")
    out.print(f"  roadmap: {len(roadmap.quarters)} quarters starting {start_date}; "
              f"{len(copied)} exercise starters in exercises/")
    out.print(f"  next: cd {directory} && sprint status")
