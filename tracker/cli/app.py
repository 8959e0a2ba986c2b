"""The ``sprint`` application: every command is listed here, and imported only when it runs.

``sprint status`` imports ``tracker.cli.status`` and what it needs — not ``board``, ``dev``, ``sync``
or their dependencies. ``sprint --help`` (and a bare ``sprint``) imports every command module to
show their help. Each module defines ``cli``, a Typer app made by ``tracker.cli.common.command_app``:
for a name in :data:`COMMANDS` it holds that top-level command (one module may hold several:
``board`` and ``tick``); for a name in :data:`GROUPS` it *is* the group (``sprint dev check``).
Nothing registers itself on import.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib
import signal
import sys
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup

from tracker.cli.version import VersionOption
from tracker.errors import SprintError

__all__ = ["COMMANDS", "GROUPS", "app", "main"]

#: top-level command → the module under ``tracker.cli`` whose ``cli`` defines it (in ``--help`` order)
COMMANDS: dict[str, str] = {
    "status": "status",
    "board": "board",
    "tick": "board",
    "cohort": "cohort",
    "digest": "cohort",
    "dash": "dash",
    "grade": "grade",
    "watch": "grade",
    "init": "init",
    "release": "release",
    "sync": "sync",
    "upgrade": "upgrade",
    "validate": "validate",
}
#: command group → the module under ``tracker.cli`` whose ``cli`` is that group
GROUPS: dict[str, str] = {
    "dev": "dev",
    "models": "models",
}


class _LazyCommands(MutableMapping[str, Any]):
    """The root's commands by name (click ``Command`` objects); a command's module is imported when the
    command is looked up. Listing the names (``--help``; "did you mean …" after a typo) imports nothing.
    """

    def __init__(self) -> None:
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded:
            if name not in COMMANDS and name not in GROUPS:
                raise KeyError(name)
            module = COMMANDS.get(name) or GROUPS[name]
            built = typer.main.get_command(importlib.import_module(f"tracker.cli.{module}").cli)
            if name in GROUPS:
                self._loaded[name] = built
            else:
                held = built.commands if isinstance(built, TyperGroup) else {built.name: built}
                if name not in held:  # the table names the wrong module: our bug, say which
                    raise LookupError(f"tracker.cli.{module} defines no command {name!r}")
                self._loaded[name] = held[name]
            _resume_gc_when_run(self._loaded[name])
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        raise TypeError(f"add {name!r} to tracker.cli.app.COMMANDS or GROUPS instead")

    def __delitem__(self, name: str) -> None:
        raise TypeError(f"remove {name!r} from tracker.cli.app.COMMANDS or GROUPS instead")

    def __iter__(self) -> Iterator[str]:
        return iter([*COMMANDS, *GROUPS])

    def __len__(self) -> int:
        return len(COMMANDS) + len(GROUPS)


def _resume_gc() -> None:
    """End the start-up pause of the cyclic garbage collector (:func:`main`): what start-up built
    (Typer, pydantic, the command's modules) lives as long as the process, so it is frozen out of
    every later collection."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _resume_gc_when_run(command: Any) -> None:
    """Resume the collector when ``command`` (or, for a group, any of its commands) starts to run.
    Called once per command, when it is first looked up."""
    for sub in getattr(command, "commands", {}).values():
        _resume_gc_when_run(sub)
    callback: Callable[..., Any] | None = getattr(command, "callback", None)
    if callback is None:
        return

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        _resume_gc()
        return callback(*args, **kwargs)

    command.callback = run


class LazyGroup(TyperGroup):
    """The root group, whose commands are :class:`_LazyCommands`."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _LazyCommands()

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # names only: TyperGroup's own would load every command


app = typer.Typer(
    name="sprint",
    cls=LazyGroup,
    help="llm-sprint: a learning roadmap for LLM engineers that runs.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


@app.callback()
def _options(version: VersionOption = False) -> None:  # the options of `sprint` itself (before a command)
    pass


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: run the app, turning our errors into messages and exit codes.

    Ctrl-C, SIGTERM and SIGHUP stop every sandbox run, then the command (``tracker.stopping``):
    one line says what was stopped, and the exit status is 130, 143 or 129.

    The cyclic garbage collector is paused while Typer, pydantic and the command's modules load
    (they allocate tens of thousands of objects that live as long as the process; collecting them
    again and again costs ~20 ms of a ~250 ms `sprint status`) and resumes when the command starts.
    """
    from tracker import stopping

    gc.disable()
    try:
        with stopping.stop_on_signals():
            app(args=argv, prog_name="sprint", standalone_mode=True)
    except BaseException as exc:
        # Typer turns KeyboardInterrupt into exit 130 and a library may swallow or replace it:
        # the signal that was received decides, not the exception that got here.
        signum = stopping.stopped_by() or (signal.SIGINT if isinstance(exc, KeyboardInterrupt) else None)
        if signum is None:
            if isinstance(exc, SprintError):
                from tracker.cli.output import fail

                fail(exc)
            raise
        with contextlib.suppress(OSError):  # SIGHUP: the terminal may be gone
            sys.stderr.write(stopping.summary(signum) + "\n")
            sys.stderr.flush()
        sys.exit(stopping.exit_code(signum))
    finally:
        gc.enable()  # --help, a usage error: no command ran
