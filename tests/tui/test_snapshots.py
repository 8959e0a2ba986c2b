"""SVG snapshots of the screens (pytest-textual-snapshot). Deterministic: a frozen library and roadmap,
a fixed "today", made-up attempts with fixed values and times, a fixed terminal size.

Update after an intended change of the screens with ``pytest tests/tui --snapshot-update``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from graders.contract import Check
from tests.tui.support import SIZE, attempt, record_history
from tracker.db import connect
from tracker.ledger import Ledger
from tracker.roadmap.loader import load_roadmap
from tracker.sync.local import sync_local
from tracker.tui.app import DashApp
from tracker.tui.screens.sync import SyncScreen
from tracker.workspace import Workspace

MakeApp = Callable[[Workspace], DashApp]
SnapCompare = Callable[..., bool]


def test_kanban(snap_compare: SnapCompare, workspace: Workspace, make_app: MakeApp) -> None:
    """Q1: P0 Done after three attempts; P1 and P2 To Learn ("not yet available" in this library)."""
    record_history(workspace)
    assert snap_compare(make_app(workspace), terminal_size=SIZE)


def test_kanban_regression(snap_compare: SnapCompare, workspace: Workspace,
                                           make_app: MakeApp) -> None:
    """Q1 with P0 regressed (passed once, failing now: back to In Progress, the failing metric named)."""
    conn = connect(workspace.db_path)
    ledger = Ledger(conn)
    ledger.record(attempt("pass", 1.0, 0.3, 0))
    ledger.record(attempt("fail", 0.925, 0.4, 1))
    sync_local(workspace, load_roadmap(workspace.roadmap_path), conn)
    conn.close()
    assert snap_compare(make_app(workspace), terminal_size=SIZE, press=["l"])


def test_sprint_detail(snap_compare: SnapCompare, workspace: Workspace, make_app: MakeApp) -> None:
    """P0's detail: checklist, the last result per check against its threshold, sparklines, resources."""
    record_history(workspace)
    assert snap_compare(make_app(workspace), terminal_size=SIZE, press=["l", "enter"])


def test_sprint_detail_failing_and_pending(snap_compare: SnapCompare, workspace: Workspace,
                                          make_app: MakeApp) -> None:
    """P0 regressed: the failing check with its reason, a pending check with why, the exercise's hint."""
    conn = connect(workspace.db_path)
    ledger = Ledger(conn)
    ledger.record(attempt("pass", 1.0, 0.3, 0))
    last = attempt("fail", 0.925, 0.4, 1)
    pending = Check(name="gpu_runtime", status="pending", threshold="<= 1 s",
                    message="needs a CUDA device: pending on this machine, never a pass or a fail")
    ledger.record(last.model_copy(update={"checks": [*last.checks, pending]}))
    sync_local(workspace, load_roadmap(workspace.roadmap_path), conn)
    conn.close()
    assert snap_compare(make_app(workspace), terminal_size=SIZE, press=["l", "enter"])


def test_sprint_detail_not_yet_available(snap_compare: SnapCompare, workspace: Workspace,
                                         make_app: MakeApp) -> None:
    """3.2: an exercise with no grader yet, manual items, two resources (the second selected)."""
    assert snap_compare(make_app(workspace), terminal_size=SIZE, press=["tab", "tab", "j", "enter", "j", "j"])


def test_targets(snap_compare: SnapCompare, workspace: Workspace, make_app: MakeApp) -> None:
    """The 12-week timeline in week 7: behind, on track, upcoming."""
    assert snap_compare(make_app(workspace), terminal_size=SIZE, press=["t"])


def test_help(snap_compare: SnapCompare, workspace: Workspace, make_app: MakeApp) -> None:
    assert snap_compare(make_app(workspace), terminal_size=SIZE, press=["question_mark"])


def test_sync_plan(snap_compare: SnapCompare, workspace: Workspace, make_app: MakeApp) -> None:
    """The plan for a board that has not seen the last attempts yet."""
    record_history(workspace, sync=False)

    async def open_plan(pilot: Pilot[Any]) -> None:
        await pilot.press("s")
        screen = pilot.app.screen
        assert isinstance(screen, SyncScreen)
        while screen.plan is None:
            await asyncio.sleep(0.02)
        await pilot.pause()

    assert snap_compare(make_app(workspace), terminal_size=SIZE, run_before=open_plan)
