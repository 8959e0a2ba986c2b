"""The Typer application and its entry point; commands register themselves from their modules."""

from __future__ import annotations

import contextlib
import signal
import sys

import typer

from tracker.cli.version import VersionOption
from tracker.errors import SprintError

app = typer.Typer(
    name="sprint",
    help="llm-sprint: a learning roadmap for LLM engineers that runs.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
dev_app = typer.Typer(help="Authoring tools: check every exercise's reference, starter and cheats.",
                      no_args_is_help=True)
models_app = typer.Typer(help="Tiny models the model exercises are graded with.", no_args_is_help=True)


@app.callback()
def _options(version: VersionOption = False) -> None:  # the options of `sprint` itself (before a command)
    pass


app.add_typer(dev_app, name="dev")
app.add_typer(models_app, name="models")


def _register() -> None:
    # Importing a command module registers its commands; heavy imports stay inside the commands.
    from tracker.cli import (  # noqa: F401
        board,
        dash,
        dev,
        grade,
        init,
        models,
        release,
        status,
        sync,
        upgrade,
        validate,
    )


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: run the app, turning our errors into messages and exit codes.

    Ctrl-C, SIGTERM and SIGHUP stop every sandbox run, then the command (``tracker.stopping``):
    one line says what was stopped, and the exit status is 130, 143 or 129.
    """
    from tracker import stopping
    from tracker.cli.output import fail

    _register()
    try:
        with stopping.stop_on_signals():
            app(args=argv, prog_name="sprint", standalone_mode=True)
    except BaseException as exc:
        # Typer turns KeyboardInterrupt into exit 130 and a library may swallow or replace it:
        # the signal that was received decides, not the exception that got here.
        signum = stopping.stopped_by() or (signal.SIGINT if isinstance(exc, KeyboardInterrupt) else None)
        if signum is None:
            if isinstance(exc, SprintError):
                fail(exc)
            raise
        with contextlib.suppress(OSError):  # SIGHUP: the terminal may be gone
            sys.stderr.write(stopping.summary(signum) + "\n")
            sys.stderr.flush()
        sys.exit(stopping.exit_code(signum))
