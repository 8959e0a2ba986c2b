"""``sprint upgrade``: move a workspace's GitHub workflow files to the llm-sprint you run."""

from __future__ import annotations

import difflib
from typing import Annotated

import typer

from tracker._version import __version__
from tracker.cli.common import WorkspaceOption, command_app
from tracker.cli.output import console
from tracker.errors import UsageError
from tracker.upgrade import apply, plan_upgrade, uncommitted
from tracker.workspace import Workspace

cli = command_app()


@cli.command()
def upgrade(
    workspace: WorkspaceOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the changes; write nothing.")] = False,
) -> None:
    """Rewrite .github/ (workflow, the pinned llm-sprint, actionlint config) for the llm-sprint you run.

    Your own lines in .github/sprint-requirements.txt are kept. Files with uncommitted changes are
    left alone (commit them first, then review the upgrade with `git diff`).
    """
    ws = Workspace.find(workspace)
    changes = plan_upgrade(ws.root)
    out = console()
    if not changes:
        out.print(f"the workspace's workflow files are those of llm-sprint {__version__}: nothing to change")
        return
    dirty = uncommitted(ws.root, [c.path for c in changes if c.old is not None])
    if dirty and not dry_run:
        raise UsageError(f"{', '.join(p.as_posix() for p in dirty)} in {ws.root} hold changes git has not "
                         "committed; commit (or stash) them first, so the upgrade's changes can be reviewed with "
                         "`git diff` — nothing was changed")
    for change in changes:
        path = change.path.as_posix()
        if dry_run:
            diff = difflib.unified_diff((change.old or "").splitlines(keepends=True),
                                        change.new.splitlines(keepends=True), fromfile=f"a/{path}", tofile=f"b/{path}")
            out.print("".join(diff).rstrip("\n"), markup=False, highlight=False, soft_wrap=True)
        else:
            out.print(f"{'created' if change.old is None else 'rewrote'} {path}", markup=False)
    if dry_run:
        out.print(f"dry run: {len(changes)} file(s) would change for llm-sprint {__version__}; nothing written")
        return
    apply(ws.root, changes)
    out.print(f"[green]✓[/] workflow files moved to llm-sprint {__version__}; review with `git diff`, then commit")
