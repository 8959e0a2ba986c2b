"""``sprint dash``: the Textual dashboard (Kanban, sprint detail, 12-week targets).

Importing this package is cheap; the app lives in :mod:`tracker.tui.app`. The dashboard holds no
business logic: it shows what :mod:`tracker.status` computes and calls the ledger, grading and
sync modules for its actions.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.tui.app import DashApp

__all__ = ["run"]


def run(workspace: Path | None = None, *, today: dt.date | None = None,
        on_first_paint: Callable[[DashApp], None] | None = None) -> None:
    """Open the workspace and run the dashboard until the user quits.

    Raises :class:`tracker.stopping.Stopped` when a stop signal ended it (grading included).

    Start-up allocates many long-lived objects (Textual, pydantic models, the roadmap); the
    cyclic garbage collector would walk them again and again for ~0.1 s. It is paused until the
    board is first painted (:class:`~tracker.tui.app.DashApp` turns it back on).
    """
    gc.disable()
    try:
        from tracker.tui.app import DashApp
        from tracker.tui.context import DashContext

        app = DashApp(DashContext.open(workspace, today=today), on_first_paint=on_first_paint)
    except BaseException:
        gc.enable()
        raise
    try:
        app.run()
    finally:
        gc.enable()
    if app.stopped_by is not None:
        from tracker.stopping import Stopped

        raise Stopped(app.stopped_by)
