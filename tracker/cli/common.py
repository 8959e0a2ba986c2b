"""What the command modules share: the Typer app each defines, and the common options."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["JsonOption", "WorkspaceOption", "command_app"]


WorkspaceOption = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", help="The workspace folder (default: the nearest with a roadmap.yaml).",
                 file_okay=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def command_app(help: str | None = None) -> typer.Typer:
    """The ``cli`` of a command module (``tracker.cli.app`` lists them): plain help, like the root's.

    With ``help``, the app is a command group (``sprint dev``, ``sprint models``), which shows its
    help when run without a command; without, it just holds top-level commands.
    """
    app = typer.Typer(help=help, no_args_is_help=help is not None, add_completion=False, rich_markup_mode=None,
                      pretty_exceptions_enable=False)
    if help is not None:
        app.callback()(_group)  # a group even with one command: `sprint dev check`, not `sprint dev`
    return app


def _group() -> None:
    pass
