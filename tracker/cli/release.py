"""``sprint release``: tag, release and post every finished quarter (idempotent)."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.common import JsonOption, WorkspaceOption, command_app
from tracker.cli.output import console, print_json
from tracker.session import open_session

cli = command_app()


@cli.command("release")
def release_command(
    workspace: WorkspaceOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be released; change nothing.")] = False,
    json_: JsonOption = False,
) -> None:
    """Release finished quarters: annotated tag v0.N on the graded commit, a GitHub release with the
    measured metrics, and the README's progress section with its SVG chart; progress.json (the record a
    mentor's `sprint cohort` reads) is refreshed every time. A second run changes nothing."""
    from tracker.release import release
    from tracker.sync.github import github_target

    session = open_session(workspace)
    target = github_target(session.config)
    report = release(session.ws, session.roadmap, session.conn, target=target, dry_run=dry_run)
    if json_:
        print_json(report.to_json())
        return
    out = console()
    verb = "would release" if dry_run else "released"
    for o in report.releases:
        what = {"created": verb, "exists": "already released", "planned": verb, "recorded": "recorded"}
        state = what.get(o.release_state, o.release_state)
        sha = f" at {o.sha[:12]}" if o.sha else ""
        out.print(f"  {o.tag} ({o.quarter}): {state} — tag {o.tag_state}{sha} [{o.where}]", markup=False)
    for note in report.notes:
        out.print(f"  note: {note}", markup=False)
    for pending in report.pending:
        out.print(f"  not yet: {pending}", markup=False)
    out.print(f"README progress section: {report.readme}", markup=False)
    out.print(f"progress.json: {report.progress}", markup=False)
