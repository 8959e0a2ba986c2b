"""``sprint board``: the Kanban columns in the terminal; ``sprint tick``: tick a manual item."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.board_model import COLUMNS
from tracker.boards.local import LocalBoard
from tracker.cli.common import JsonOption, WorkspaceOption, command_app
from tracker.cli.output import console, print_json
from tracker.cli.status import COLUMN_STYLE, sprint_json
from tracker.errors import UsageError
from tracker.progress import roadmap_state
from tracker.session import open_session
from tracker.sync.local import sync_local

cli = command_app()


@cli.command()
def board(
    workspace: WorkspaceOption = None,
    quarter: Annotated[str | None, typer.Option("--quarter", "-q", help="Only this quarter (Q1…) or track.")] = None,
    tracks: Annotated[bool, typer.Option(help="Include the optional year-2 tracks.")] = False,
    json_: JsonOption = False,
) -> None:
    """Show the board: To Learn / In Progress / Done."""
    session = open_session(workspace)
    st = roadmap_state(session.ws, session.roadmap, session.conn)
    groups = [*st.quarters, *(st.tracks if tracks or quarter else [])]
    if quarter:
        groups = [g for g in groups if g.id.lower() in (quarter.lower(), f"track {quarter.lower()}")]
        if not groups:
            ids = ", ".join([q.id for q in st.quarters] + [t.id for t in st.tracks])
            raise UsageError(f"no quarter or track {quarter!r}; choose one of {ids}")
    sprints = [s for g in groups for s in g.sprints]
    if json_:
        print_json({col: [sprint_json(s) for s in sprints if s.column == col] for col in COLUMNS})
        return
    from rich.panel import Panel
    from rich.table import Table

    table = Table(expand=True, show_lines=False)
    for col in COLUMNS:
        count = sum(s.column == col for s in sprints)
        table.add_column(f"[{COLUMN_STYLE[col]}]{col}[/] ({count})", ratio=1)
    cards: dict[str, list[Panel]] = {col: [] for col in COLUMNS}
    for s in sprints:
        done, total = s.progress
        bar = "█" * done + "░" * (total - done)
        lines = [f"[bold]{s.id}[/] {s.title}", f"{bar} {done}/{total}"]
        lines += [f"{e.slug}: {e.label}" for e in s.exercises]
        if s.note:
            lines.append(f"[red]{s.note}[/]")
        cards[s.column].append(Panel("\n".join(lines), border_style=COLUMN_STYLE[s.column]))
    rows = max((len(c) for c in cards.values()), default=0)
    for i in range(rows):
        table.add_row(*[cards[col][i] if i < len(cards[col]) else "" for col in COLUMNS])
    console().print(table)


@cli.command()
def tick(
    sprint: Annotated[str, typer.Argument(help="Sprint id, e.g. 2.1")],
    item: Annotated[str, typer.Argument(help="The manual item: its number in the checklist, or part of its text.")],
    undo: Annotated[bool, typer.Option("--undo", help="Untick instead.")] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Tick a manual checklist item ("what must work") on the local board."""
    session = open_session(workspace)
    st = roadmap_state(session.ws, session.roadmap, session.conn)
    s = st.sprint(sprint)
    if s is None:
        raise UsageError(f"no sprint {sprint!r}; see `sprint status` for the ids")
    manual = [c for c in s.checklist if c.manual]
    if item.isdigit() and 1 <= int(item) <= len(s.checklist):
        chosen = [s.checklist[int(item) - 1]]
    else:
        chosen = [c for c in manual if item.lower() in c.text.lower()]
    if len(chosen) != 1 or not chosen[0].manual:
        options = "; ".join(f"{i}. {c.text}" for i, c in enumerate(s.checklist, 1) if c.manual) or "none"
        raise UsageError(f"{item!r} does not name exactly one manual item of {sprint}; manual items: {options}")
    sync_local(session.ws, session.roadmap, session.conn, source="tick")  # make sure the item exists
    LocalBoard(session.conn, source="tick").tick(sprint, chosen[0].text, not undo)
    sync_local(session.ws, session.roadmap, session.conn, source="tick")
    console().print(f"[green]✓[/] {'unticked' if undo else 'ticked'}: [{sprint}] {chosen[0].text}")
