"""``sprint sync``: bring the board up to date — the local board, or GitHub when configured."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.boards.local import LocalBoard
from tracker.cli.app import app
from tracker.cli.common import JsonOption, WorkspaceOption, open_session
from tracker.cli.output import console, print_json
from tracker.sync.local import desired_builder, sync_local
from tracker.sync.plan import plan


@app.command("sync")
def sync_command(
    workspace: WorkspaceOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan; change nothing.")] = False,
    json_: JsonOption = False,
) -> None:
    """Sync sprints to the board: checklists ticked by graders, cards moved, Done items closed."""
    session = open_session(workspace)
    board = LocalBoard(session.conn, source="sync")
    if dry_run:
        snapshot = board.snapshot()
        actions = plan(desired_builder(session.ws, session.roadmap, session.conn)(snapshot), snapshot)
        if json_:
            print_json([a.model_dump(mode="json") for a in actions])
        else:
            for a in actions:
                console().print(f"  {a.describe()}")
            console().print(f"{len(actions)} change(s) planned for the local board (dry run: nothing applied)")
        return
    report = sync_local(session.ws, session.roadmap, session.conn)
    if json_:
        print_json({"board": "local", "applied": [a.model_dump(mode="json") for a in report.applied]})
        return
    for a in report.applied:
        console().print(f"  {a.describe()}")
    console().print(f"local board in sync ({len(report.applied)} change(s))")
