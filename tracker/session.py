"""An opened workspace: the folder, its validated roadmap, and (on first use) its database and settings.

What every front end works on — the CLI, the pytest plugin, the Actions job summary — so it lives
below all of them. Opening validates the roadmap (a RoadmapError lists every problem); nothing is
written.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from tracker.config import Config, load_config
from tracker.db import connect
from tracker.roadmap.loader import load_roadmap
from tracker.roadmap.models import Roadmap
from tracker.workspace import Workspace

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
        return load_config(self.ws.config_path)


def open_session(workspace: Path | None) -> Session:
    """The workspace at ``workspace`` (else ``$SPRINT_WORKSPACE``, else the nearest one up from here)."""
    ws = Workspace.find(workspace)
    return Session(ws, load_roadmap(ws.roadmap_path))
