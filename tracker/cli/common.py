"""Helpers shared by commands: opening the workspace, its roadmap and its database."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated

import typer

from tracker.config import Config, load_config
from tracker.db import connect
from tracker.roadmap.loader import load_roadmap
from tracker.roadmap.models import Roadmap
from tracker.workspace import Workspace

__all__ = ["JsonOption", "Session", "WorkspaceOption", "open_session"]

WorkspaceOption = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", help="The workspace folder (default: the nearest with a roadmap.yaml).",
                 file_okay=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


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
    ws = Workspace.find(workspace)
    return Session(ws, load_roadmap(ws.roadmap_path))
