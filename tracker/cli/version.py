"""``sprint --version``: the running llm-sprint's version (tracker/_version.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker._version import __version__

__all__ = ["VersionOption"]


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"llm-sprint {__version__}")
        raise typer.Exit()


VersionOption = Annotated[
    bool,
    typer.Option("--version", is_eager=True, callback=_print_version, help="Print llm-sprint's version and exit."),
]
