"""Keyboard navigation: cards and columns, quarter tabs, detail and back, targets, help, filter."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input, TabbedContent

from tests.tui.support import SIZE, record_history, run_async
from tracker.tui.app import DashApp
from tracker.tui.screens.detail import ResourceRow, SprintDetailScreen
from tracker.tui.screens.help import HelpScreen
from tracker.tui.screens.kanban import KanbanScreen
from tracker.tui.screens.targets import TargetsScreen
from tracker.tui.widgets.board import BoardColumn, SprintCard
from tracker.tui.widgets.exercise import ExercisePanel
from tracker.workspace import Workspace

MakeApp = Callable[[Workspace], DashApp]


def kanban(app: DashApp) -> KanbanScreen:
    assert isinstance(app.screen, KanbanScreen), app.screen
    return app.screen


def selected_id(app: DashApp) -> str | None:
    sprint = kanban(app).selected()
    return sprint.id if sprint else None


def column_ids(app: DashApp) -> dict[str, list[str]]:
    board = kanban(app).board()
    assert board is not None
    return {col.column: [c.sprint.id for c in col.cards()] for col in board.query(BoardColumn)}


@run_async
async def test_cards_and_columns_with_arrows_and_hjkl(workspace: Workspace, make_app: MakeApp) -> None:
    record_history(workspace)  # P0 passes: Done; P1 and P2 stay To Learn
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        assert column_ids(app) == {"To Learn": ["P1", "P2"], "In Progress": [], "Done": ["P0"]}
        assert selected_id(app) == "P1"  # the first card of the first non-empty column
        await pilot.press("down")
        assert selected_id(app) == "P2"
        await pilot.press("down")  # stays on the last card
        assert selected_id(app) == "P2"
        await pilot.press("right")  # skips the empty In Progress column
        assert selected_id(app) == "P0"
        await pilot.press("right")  # no column further right
        assert selected_id(app) == "P0"
        await pilot.press("h")
        assert selected_id(app) == "P1"
        await pilot.press("j")
        assert selected_id(app) == "P2"
        await pilot.press("k")
        assert selected_id(app) == "P1"
        await pilot.press("l")
        assert selected_id(app) == "P0"
        cards = {c.sprint.id: c for c in app.screen.query(SprintCard)}
        assert cards["P0"].has_class("-selected") and not cards["P1"].has_class("-selected")


@run_async
async def test_tab_switches_quarters_and_tracks(workspace: Workspace, make_app: MakeApp) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        tabs = app.screen.query_one("#quarters", TabbedContent)
        assert tabs.active == "pane-Q1"
        await pilot.press("tab")
        assert tabs.active == "pane-Q2"
        assert selected_id(app) == "2.1"
        await pilot.press("tab", "tab", "tab")
        assert tabs.active == "pane-track-A"
        assert selected_id(app) == "13.1"
        await pilot.press("j")
        assert selected_id(app) == "13.2"
        await pilot.press("tab", "tab", "tab", "tab")  # track B, track C, track D, then round to Q1
        assert tabs.active == "pane-Q1"
        await pilot.press("shift+tab")
        assert tabs.active == "pane-track-D"
        assert selected_id(app) == "15.1"
        await pilot.press("shift+tab")
        assert tabs.active == "pane-track-C"
        assert selected_id(app) == "16.1"
        await pilot.press("shift+tab")
        assert tabs.active == "pane-track-B"
        assert selected_id(app) is None  # track B has no sprints yet
        await pilot.press("enter", "g")  # nothing selected: nothing happens, nothing breaks
        assert isinstance(app.screen, KanbanScreen)


@run_async
async def test_enter_opens_detail_and_escape_goes_back(workspace: Workspace, make_app: MakeApp) -> None:
    record_history(workspace)
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "enter")
        screen = app.screen
        assert isinstance(screen, SprintDetailScreen) and screen.sprint_id == "P0"
        panel = screen.query_one(ExercisePanel)
        assert panel.exercise.slug == "csv-to-json" and panel.has_class("-selected")
        await pilot.press("down")
        assert isinstance(screen.selected(), ResourceRow)
        await pilot.press("down")  # stays on the last item
        assert isinstance(screen.selected(), ResourceRow)
        await pilot.press("k")
        assert screen.selected() is panel
        await pilot.press("escape")
        assert isinstance(app.screen, KanbanScreen)
        assert selected_id(app) == "P0"  # the cursor is where it was


@run_async
async def test_targets_and_help_screens(workspace: Workspace, make_app: MakeApp) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        assert isinstance(app.screen, TargetsScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, TargetsScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, KanbanScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, KanbanScreen)


@run_async
async def test_slash_filters_cards(workspace: Workspace, make_app: MakeApp) -> None:
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        box = app.screen.query_one("#filter", Input)
        assert not box.display
        await pilot.press("slash")
        assert box.display and box.has_focus
        await pilot.press(*"poetry")  # typed into the filter, not taken as hjkl/g/o keys
        assert column_ids(app)["To Learn"] == ["P2"]
        assert selected_id(app) == "P2"
        await pilot.press("enter")  # keep the filter, back to the board's keys
        assert not box.has_focus and box.display
        await pilot.press("tab")  # boards built later get the filter too
        assert column_ids(app)["To Learn"] == []
        await pilot.press("shift+tab", "escape")  # escape clears it
        assert not box.display and box.value == ""
        assert column_ids(app)["To Learn"] == ["P0", "P1", "P2"]
        await pilot.press("slash", *"csv")  # exercise slugs match too
        assert column_ids(app)["To Learn"] == ["P0"]
        await pilot.press("escape")
        assert column_ids(app)["To Learn"] == ["P0", "P1", "P2"]


@run_async
async def test_click_selects_a_card_and_double_click_opens_it(workspace: Workspace, make_app: MakeApp) -> None:
    record_history(workspace)
    app = make_app(workspace)
    async with app.run_test(size=SIZE) as pilot:
        assert selected_id(app) == "P1"
        await pilot.click("#card-P2")
        assert selected_id(app) == "P2"
        await pilot.click("#card-P0", times=2)
        assert isinstance(app.screen, SprintDetailScreen) and app.screen.sprint_id == "P0"
