"""Fixtures for the dashboard's tests: a fixed library, a fresh workspace, a fixed "today".

The library holds the default roadmap but only the ``csv-to-json`` exercise (every other exercise
shows as "not yet available"), so the screens do not change each time an exercise is added.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.tui.support import REPO, START, TODAY
from tracker.db import connect
from tracker.roadmap.loader import load_roadmap
from tracker.scaffold import scaffold
from tracker.sync.local import sync_local
from tracker.tui.app import DashApp
from tracker.tui.context import DashContext
from tracker.workspace import Workspace


@pytest.fixture(scope="session")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("library")
    shutil.copy(REPO / "roadmap.yaml", root / "roadmap.yaml")
    (root / "exercises").mkdir()
    shutil.copytree(REPO / "exercises" / "csv-to-json", root / "exercises" / "csv-to-json")
    return root


@pytest.fixture(autouse=True)
def _environment(library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_SPRINT_LIBRARY", str(library))
    monkeypatch.setenv("SPRINT_PROFILE", "cpu")
    for name in ("GITHUB_REPOSITORY", "GITHUB_API_URL", "GITHUB_GRAPHQL_URL", "SPRINT_WORKSPACE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A fresh workspace, as `sprint init --start 2026-01-05` makes it (board synced)."""
    ws = Workspace(tmp_path / "ws")
    scaffold(ws.root, start=START)
    conn = connect(ws.db_path)
    sync_local(ws, load_roadmap(ws.roadmap_path), conn, source="init")
    conn.close()
    return ws


@pytest.fixture
def make_app() -> Iterator[Callable[[Workspace], DashApp]]:
    """Build the dashboard for a workspace with "today" fixed; every app's database is closed after."""
    apps: list[DashApp] = []

    def make(ws: Workspace) -> DashApp:
        app = DashApp(DashContext.open(ws.root, today=TODAY))
        app.animation_level = "none"  # the tab underline would make every tab press wait for it
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.ctx.close()
