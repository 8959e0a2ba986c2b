"""The actions: g grades in a worker thread, s shows and applies the sync plan, o opens links."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import ProgressBar, TabbedContent
from textual.worker import WorkerState

from tests.tui.support import SIZE, intercept_open_url, record_history, run_async, solve_csv_to_json
from tracker.boards.local import LocalBoard
from tracker.db import connect
from tracker.ledger import Ledger
from tracker.tui.app import DashApp
from tracker.tui.screens.detail import SprintDetailScreen
from tracker.tui.screens.kanban import KanbanScreen
from tracker.tui.screens.sync import SyncScreen
from tracker.tui.widgets.board import BoardColumn
from tracker.tui.widgets.chrome import ActivityBar
from tracker.workspace import Workspace

MakeApp = Callable[[Workspace], DashApp]


def kanban(app: DashApp) -> KanbanScreen:
    assert isinstance(app.screen, KanbanScreen), app.screen
    return app.screen


def column_of(app: DashApp, sprint_id: str) -> str:
    board = kanban(app).board()
    assert board is not None
    for col in board.query(BoardColumn):
        if sprint_id in [c.sprint.id for c in col.cards()]:
            return col.column
    raise AssertionError(f"{sprint_id} is on no column")


async def wait_for(condition: Callable[[], bool], timeout_s: float = 120.0) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), timeout_s)


def attempts(ws: Workspace) -> list[str]:
    conn = connect(ws.db_path)
    try:
        return [a.result.status for a in Ledger(conn).history("csv-to-json")]
    finally:
        conn.close()


@run_async
async def test_g_grades_the_selected_sprint_and_the_card_moves_to_done(workspace: Workspace,
                                                                       make_app: MakeApp) -> None:
    solve_csv_to_json(workspace)
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        assert column_of(app, "P0") == "In Progress"  # the learner's file differs from the starter
        await pilot.press("right")
        assert kanban(app).selected().id == "P0"  # type: ignore[union-attr]
        await pilot.press("g")
        assert app.grading and "grading" in app.activity
        await wait_for(lambda: not app.grading)
        await pilot.pause()
        assert app.activity.startswith("csv-to-json: pass"), app.activity
        assert column_of(app, "P0") == "Done"
        assert kanban(app).selected().id == "P0"  # type: ignore[union-attr] # the cursor follows the card
        assert [r.slug for r in app.last_results] == ["csv-to-json"]
    assert attempts(workspace) == ["pass"]  # recorded in the ledger, like `sprint grade`
    conn = connect(workspace.db_path)
    assert LocalBoard(conn).snapshot().items["P0"].status == "Done"  # and the local board moved
    conn.close()


SLOW_SOLUTION = """
import time

from reference_loader import csv_to_json as _reference


def csv_to_json(csv_path, json_path):
    time.sleep(0.5)  # a slow learner: the dashboard must keep answering keys meanwhile
    _reference(csv_path, json_path)
"""


@run_async
async def test_the_ui_stays_responsive_while_grading_and_shows_progress(workspace: Workspace,
                                                                        make_app: MakeApp) -> None:
    solve_csv_to_json(workspace)
    folder = workspace.exercise_dir("csv-to-json")
    (folder / "data_loader.py").rename(folder / "reference_loader.py")
    (folder / "data_loader.py").write_text(SLOW_SOLUTION, encoding="utf-8")
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "g")
        worker = next(w for w in app.workers if w.group == "grade")
        await wait_for(lambda: app.activity.startswith("grading csv-to-json (1/1)"), timeout_s=30)
        bar = kanban(app).query_one(ActivityBar).query_one(ProgressBar)
        assert bar.display and bar.total == 1 and bar.progress == 0
        # Keys are handled while the sandbox runs the learner's code in the worker thread.
        await pilot.press("tab")
        assert kanban(app).query_one("#quarters", TabbedContent).active == "pane-Q2"
        await pilot.press("enter")
        assert isinstance(app.screen, SprintDetailScreen) and app.screen.sprint_id == "2.1"
        await pilot.press("g")  # a second run is refused while one is going
        assert app.activity.startswith("already grading")
        assert worker.state == WorkerState.RUNNING
        await pilot.press("escape", "shift+tab")
        await wait_for(lambda: not app.grading)
        await pilot.pause()
        assert worker.state == WorkerState.SUCCESS
        assert app.activity.startswith("csv-to-json: pass"), app.activity
        assert not kanban(app).query_one(ActivityBar).query_one(ProgressBar).display
        assert column_of(app, "P0") == "Done"


@run_async
async def test_g_in_the_detail_grades_the_selected_exercise_and_shows_the_result(workspace: Workspace,
                                                                                make_app: MakeApp) -> None:
    app = make_app(workspace)  # the untouched starter: grading fails, with the reason shown
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, SprintDetailScreen) and screen.sprint_id == "P0"
        await pilot.press("g")
        await wait_for(lambda: not app.grading)
        await pilot.pause()
        assert app.activity.startswith("csv-to-json: "), app.activity
        result = app.last_results[-1]
        assert result.status in ("fail", "error")
        text = " ".join(str(label.render()) for label in screen.query(".exercise-title, .exercise-note"))
        assert result.status in text and result.message.splitlines()[0][:40] in text
    assert len(attempts(workspace)) == 1


@run_async
async def test_g_on_a_sprint_without_an_available_exercise_says_why(workspace: Workspace,
                                                                   make_app: MakeApp) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "g")  # P1: linear-regression is not in this library
        assert not app.grading
        assert app.activity == "[P1] nothing to grade: linear-regression: not yet available"


@run_async
async def test_s_shows_the_plan_and_applies_it_on_confirmation(workspace: Workspace, make_app: MakeApp) -> None:
    record_history(workspace, sync=False)  # attempts recorded, board not synced yet
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        assert column_of(app, "P0") == "Done"  # status is derived from the ledger
        await pilot.press("s")
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        await wait_for(lambda: screen.plan is not None)
        await pilot.pause()
        assert screen.plan is not None
        described = [a.describe() for a in screen.plan.actions]
        assert "move [P0] To Learn → Done" in described
        shown = [str(label.render()) for label in screen.query(".sync-action")]
        assert any("move [P0] To Learn → Done" in line for line in shown)
        await pilot.press("escape")  # cancel: nothing changes
        assert isinstance(app.screen, KanbanScreen)
        conn = connect(workspace.db_path)
        assert LocalBoard(conn).snapshot().items["P0"].status == "To Learn"
        await pilot.press("s")
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        await wait_for(lambda: screen.plan is not None)
        await pilot.press("y")
        await wait_for(lambda: isinstance(app.screen, KanbanScreen))
        await pilot.pause()
        assert LocalBoard(conn).snapshot().items["P0"].status == "Done"
        assert app.activity == f"synced the local board: {len(described)} change(s) applied"
        await pilot.press("s")  # a second sync has nothing to do
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        await wait_for(lambda: screen.plan is not None)
        await pilot.pause()
        assert screen.plan is not None and screen.plan.actions == []
        assert "in sync" in str(screen.query_one("#sync-summary").render())
        await pilot.press("y", "escape")
        assert isinstance(app.screen, KanbanScreen)
        conn.close()


@run_async
async def test_o_opens_a_resource_without_github(workspace: Workspace, make_app: MakeApp) -> None:
    app = make_app(workspace)
    opened = intercept_open_url(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")  # P0, no repository configured: its first resource
        assert opened == ["https://course.fast.ai/Lessons/python.html"]
        await pilot.press("tab", "tab", "j", "o")  # Q3 → 3.2
        assert opened[-1] == "https://huggingface.co/docs/bitsandbytes/index"
        await pilot.press("enter", "j", "j", "o")  # detail of 3.2: the second resource
        assert isinstance(app.screen, SprintDetailScreen)
        assert opened[-1] == "https://huggingface.co/docs/hub/gguf"
        assert app.activity == "opened https://huggingface.co/docs/hub/gguf"


@run_async
async def test_o_opens_the_issue_search_when_a_github_repo_is_configured(workspace: Workspace,
                                                                        make_app: MakeApp) -> None:
    (workspace.config_path).write_text('[github]\nrepo = "alice/llm-journey"\n', encoding="utf-8")
    app = make_app(workspace)
    opened = intercept_open_url(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "tab", "o")  # Q3 → 3.1
        assert opened == ["https://github.com/alice/llm-journey/issues?q=is%3Aissue%20%22[3.1]%22"]
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, SprintDetailScreen)
        assert "https://github.com/alice/llm-journey/issues?q=" in str(screen.query_one(".detail-issue").render())
        await pilot.press("o")  # the exercise is selected: the issue
        assert opened[-1] == opened[0]
        await pilot.press("j", "o")  # a resource is selected: the resource
        assert opened[-1] == "https://huggingface.co/learn/nlp-course/ru/chapter3"


@run_async
async def test_s_plans_and_applies_the_github_sync_when_a_repo_is_configured(workspace: Workspace,
                                                                            make_app: MakeApp,
                                                                            fake_github_env: Any) -> None:
    pytest.importorskip("tracker.sync.github")
    workspace.config_path.write_text('[github]\nrepo = "octo-learner/roadmap"\n', encoding="utf-8")
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        assert app.board_name == "GitHub octo-learner/roadmap"
        await pilot.press("s")
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        await wait_for(lambda: not screen.busy)
        assert screen.plan is not None and screen.plan.board == "GitHub octo-learner/roadmap", screen.plan
        sprints = len(app.state.sprints())
        created = [a for a in screen.plan.actions if a.describe().startswith("create item")]
        assert len(created) == sprints
        await pilot.press("y")
        await wait_for(lambda: isinstance(app.screen, KanbanScreen))
        assert app.activity.startswith("synced the GitHub octo-learner/roadmap board"), app.activity
    assert len(fake_github_env.repo.issues) == sprints
