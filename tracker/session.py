"""An opened workspace: the folder, its validated roadmap, and (on first use) its database and settings.

What every front end works on — the CLI, the pytest plugin, the Actions job summary — so it lives
below all of them. Opening validates the roadmap (a RoadmapError lists every problem, and nothing
is written) or takes it from the validated cache in ``.sprint/`` when ``roadmap.yaml`` and the
installed grader kinds are unchanged (``tracker.roadmap.cache``, which then writes that cache).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.db import connect
from tracker.roadmap.cache import load_cached
from tracker.roadmap.models import Roadmap
from tracker.workspace import Workspace

if TYPE_CHECKING:
    from tracker.config import Config

__all__ = ["Session", "open_session"]


@dataclass
class Session:
    """An opened workspace: its roadmap is validated on open; the database opens on first use."""

    ws: Workspace
    roadmap: Roadmap

    @cached_property
    def conn(self) -> sqlite3.Connection:
        return connect(self.ws.db_path)

    @cached_property
    def config(self) -> Config:
        from tracker.config import load_config  # tomllib and the settings' models: only for commands that read them

        return load_config(self.ws.config_path)


def open_session(workspace: Path | None) -> Session:
    """The workspace at ``workspace`` (else ``$SPRINT_WORKSPACE``, else the nearest one up from here)."""
    ws = Workspace.find(workspace)
    return Session(ws, load_cached(ws.roadmap_path, ws.state_dir))
