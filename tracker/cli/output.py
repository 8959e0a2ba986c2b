"""Printing: one rich console for people (NO_COLOR respected), plain JSON for machines."""

from __future__ import annotations

import json
import sys
from functools import cache
from typing import TYPE_CHECKING, Any, NoReturn

from tracker.errors import RoadmapError, SprintError

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["console", "err_console", "fail", "print_json"]


@cache
def console() -> Console:
    from rich.console import Console

    return Console(highlight=False)  # rich honours NO_COLOR and non-terminals itself


@cache
def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def fail(exc: SprintError) -> NoReturn:
    """Report one of our errors on stderr and exit with its code."""
    con = err_console()
    if isinstance(exc, RoadmapError):
        count = len(exc.problems)
        con.print(f"[bold red]error:[/] {count} problem{'s' if count != 1 else ''} in the roadmap", markup=True)
        for p in exc.problems:
            where = f" [{p.path}]" if p.path else ""
            hint = f"\n    hint: {p.hint}" if p.hint else ""
            con.print(f"  {p.location()}{where}: {p.message}{hint}", markup=False)
    else:
        con.print("[bold red]error:[/] ", end="", markup=True)
        con.print(str(exc), markup=False)
    raise SystemExit(exc.exit_code)
