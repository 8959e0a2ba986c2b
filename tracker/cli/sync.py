"""``sprint sync``: bring the board up to date — the local board, and GitHub when a repository is configured."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from tracker.boards.local import LocalBoard
from tracker.cli.common import JsonOption, WorkspaceOption, command_app
from tracker.cli.output import console, err_console, print_json
from tracker.errors import SprintError
from tracker.session import Session, open_session
from tracker.sync.github import GitHubSyncResult, GitHubTarget, github_target, sync_github
from tracker.sync.local import desired_builder, sync_local
from tracker.sync.plan import plan

cli = command_app()


@cli.command("sync")
def sync_command(
    workspace: WorkspaceOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan; change nothing.")] = False,
    repo: Annotated[str | None, typer.Option("--repo", help="GitHub repository OWNER/NAME (default: sprint.toml "
                                             "[github] repo, or GITHUB_REPOSITORY).")] = None,
    project: Annotated[int | None, typer.Option("--project", min=1, help="An existing Projects (v2) board, by "
                                                "number.")] = None,
    create_project: Annotated[str | None, typer.Option("--create-project", metavar="TITLE",
                                                       help="Find the project with this title, or create it.")] = None,
    json_: JsonOption = False,
) -> None:
    """Sync sprints to the board: checklists ticked by graders, cards moved, Done items closed.

    With a GitHub repository configured, issues (and a Projects v2 board) are synced first, then the
    local board. Tokens: GITHUB_TOKEN; PROJECT_TOKEN (classic, `project` scope) for a user-owned project.
    """
    session = open_session(workspace)
    target = github_target(session.config, repo=repo, project=project, create_project=create_project)
    if target is None:
        _sync_local(session, dry_run=dry_run, json_=json_)
        return
    _sync_github(session, target, dry_run=dry_run, json_=json_)


def _sync_local(session: Session, *, dry_run: bool, json_: bool) -> None:
    board = LocalBoard(session.conn, source="sync")
    if dry_run:
        snapshot = board.snapshot()
        actions = plan(desired_builder(session.ws, session.roadmap, session.conn)(snapshot), snapshot)
        if json_:
            print_json([a.model_dump(mode="json") for a in actions])
        else:
            for a in actions:
                console().print(f"  {a.describe()}", markup=False)
            console().print(f"{len(actions)} change(s) planned for the local board (dry run: nothing applied)")
        return
    report = sync_local(session.ws, session.roadmap, session.conn)
    if json_:
        print_json({"board": "local", "applied": [a.model_dump(mode="json") for a in report.applied]})
        return
    for a in report.applied:
        console().print(f"  {a.describe()}", markup=False)
    console().print(f"local board in sync ({len(report.applied)} change(s))")


def _sync_github(session: Session, target: GitHubTarget, *, dry_run: bool, json_: bool) -> None:
    def warn(text: str) -> None:
        err_console().print(f"warning: {text}", markup=False, highlight=False)

    try:
        result = sync_github(session.ws, session.roadmap, session.conn, target, dry_run=dry_run,
                             warn=None if json_ else warn,
                             on_action=None if (json_ or dry_run) else
                             (lambda a: console().print(f"  {a.describe()}", markup=False)))
    except SprintError as exc:
        if json_:
            print_json({"board": "github", "repo": target.repo, "dry_run": dry_run, "error": str(exc)})
        raise
    _summary_to_actions(result, target)
    if json_:
        print_json(result.to_json())
        return
    out = console()
    if dry_run:
        for a in result.actions:
            out.print(f"  {a.describe()}", markup=False)
        out.print(f"{len(result.actions)} change(s) planned for GitHub {target.repo} (dry run: nothing applied; "
                  f"{result.requests} request(s) to read it)", markup=False)
        return
    where = f"GitHub {target.repo}" + (f" + project #{result.project['number']}"
                                       if result.project and result.project.get("number") and not result.issues_only
                                       else " (issues only)")
    out.print(f"{where} in sync ({len(result.actions)} change(s), {result.requests} request(s), "
              f"{result.not_modified} not modified)", markup=False)
    out.print(f"local board in sync ({len(result.local_applied)} change(s))")


def _summary_to_actions(result: GitHubSyncResult, target: GitHubTarget) -> None:
    """Under GitHub Actions, add a sync section to the job summary: where the board went, and why
    the Projects (v2) board was skipped when it was (issues only)."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")  # set by the Actions runner only
    if not path:
        return
    lines = ["", "### llm-sprint sync", ""]
    if result.issues_only:
        why = ("no project is configured: set `[github] project` or `create_project` in sprint.toml, "
               "or add a `PROJECT_TOKEN` secret (a classic token with the `project` scope)"
               if not target.wants_project else "the project could not be used (see the warnings)")
        lines.append(f"Synced **issues only** to `{target.repo}` — the Projects (v2) board was not updated: {why}.")
    else:
        number = (result.project or {}).get("number")
        lines.append(f"Synced issues and project #{number} of `{target.repo}`.")
    lines.append(f"{len(result.actions)} change(s), {result.requests} request(s), "
                 f"{result.not_modified} answered from the ETag cache.")
    lines += [f"> ⚠️ {w}" for w in result.warnings]
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    except OSError:
        pass
