"""The default screen: the Kanban of each quarter and track, in tabs."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Input, TabbedContent, TabPane, Tabs

from tracker.status import QuarterState, SprintState
from tracker.tui.screens.base import DashScreen
from tracker.tui.widgets.board import QuarterBoard, SprintCard, matches
from tracker.tui.widgets.chrome import ActivityBar, TopBar

__all__ = ["KanbanScreen", "pane_id"]


def pane_id(group_id: str) -> str:
    return "pane-" + group_id.replace(" ", "-")


def tab_label(group: QuarterState) -> str:
    return "Track " + group.id.removeprefix("track ") if group.id.startswith("track ") else group.id


class KanbanScreen(DashScreen):
    """To Learn / In Progress / Done for the quarter in the active tab; a cursor over the cards."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "move(-1, 0)", "Column", show=False),
        Binding("right,l", "move(1, 0)", "Column", show=False),
        Binding("up,k", "move(0, -1)", "Card", show=False),
        Binding("down,j", "move(0, 1)", "Card", show=False),
        Binding("tab", "quarter(1)", "Next quarter", priority=True, show=False),
        Binding("shift+tab", "quarter(-1)", "Previous quarter", priority=True, show=False),
        Binding("enter", "detail", "Detail"),
        Binding("g", "grade", "Grade"),
        Binding("s", "app.sync", "Sync"),
        Binding("o", "open", "Open"),
        Binding("t", "app.targets", "Targets"),
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        *DashScreen.COMMON_BINDINGS,
    ]

    def groups(self) -> list[QuarterState]:
        return [*self.state.quarters, *self.state.tracks]

    def _goal(self, group_id: str) -> str:
        roadmap = self.ctx.roadmap
        for q in roadmap.quarters:
            if q.id == group_id:
                return q.goal
        for t in roadmap.tracks:
            if f"track {t.id}" == group_id:
                return t.project
        return ""

    def compose(self) -> ComposeResult:
        yield TopBar(self.state, self.dash.board_name)
        groups = self.groups()
        with TabbedContent(id="quarters", initial=pane_id(groups[0].id)):
            for i, group in enumerate(groups):
                with TabPane(tab_label(group), id=pane_id(group.id)):
                    if i == 0:  # the other boards are built when their tab is first shown
                        yield QuarterBoard(group, self._goal(group.id))
        yield Input(placeholder="filter cards: sprint id, title or exercise — enter keeps it, escape clears it",
                     id="filter")
        yield ActivityBar()
        yield Footer()

    def on_mount(self) -> None:
        # The board owns the keys: the tab strip must not take focus (it would eat ←/→).
        self.query_one(Tabs).can_focus = False
        self.query_one("#filter", Input).display = False

    # -- what is selected ------------------------------------------------------------------------

    def board(self) -> QuarterBoard | None:
        """The board of the active tab (None while it is being built)."""
        tabs = self.query_one("#quarters", TabbedContent)
        boards = tabs.get_pane(tabs.active).query(QuarterBoard)
        return boards.first() if boards else None

    def selected(self) -> SprintState | None:
        board = self.board()
        return board.selected() if board else None

    async def _ensure_board(self, pane: TabPane) -> None:
        if pane.query(QuarterBoard) or pane.id is None:
            return
        group = next((g for g in self.groups() if pane_id(g.id) == pane.id), None)
        if group is not None:
            board = QuarterBoard(group, self._goal(group.id))
            await pane.mount(board)
            board.apply_filter(self.query_one("#filter", Input).value)

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        await self._ensure_board(event.pane)

    def is_painted(self) -> bool:
        """Have the active board's cards and the footer been laid out and drawn?"""
        board = self.board()
        if board is None:
            return False
        cards = board.query(SprintCard)
        return all(c.region.area for c in cards) and self.query_one(Footer).region.area > 0

    # -- actions ---------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        if event.chain >= 2 and isinstance(event.widget, SprintCard):
            self.action_detail()

    def action_move(self, dx: int, dy: int) -> None:
        if (board := self.board()) is not None:
            board.move(dx, dy)

    async def action_quarter(self, step: int) -> None:
        tabs = self.query_one("#quarters", TabbedContent)
        ids = [pane_id(g.id) for g in self.groups()]
        target = ids[(ids.index(tabs.active) + step) % len(ids)]
        await self._ensure_board(tabs.get_pane(target))
        tabs.active = target

    def action_detail(self) -> None:
        sprint = self.selected()
        if sprint is not None:
            self.dash.show_detail(sprint.id)

    def action_grade(self) -> None:
        sprint = self.selected()
        if sprint is not None:
            self.dash.grade_sprint(sprint)

    def action_open(self) -> None:
        sprint = self.selected()
        if sprint is not None:
            self.dash.open_sprint(sprint.id)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if not box.display and not box.value:
            return
        box.value = ""
        box.display = False
        self._filter("")

    def on_input_changed(self, event: Input.Changed) -> None:
        self._filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.input.blur()
        if not event.value.strip():
            event.input.display = False

    def _filter(self, text: str) -> None:
        for board in self.query(QuarterBoard):  # boards not built yet take the filter when they are
            board.apply_filter(text)
        shown = sum(matches(s, text) for s in self.state.sprints())
        self.dash.activity = f"filter {text!r}: {shown} sprint(s) in all quarters and tracks" if text.strip() else ""

    async def refresh_state(self) -> None:
        self.query_one(TopBar).set_state(self.state, self.dash.board_name)
        groups = {g.id: g for g in self.groups()}
        for board in self.query(QuarterBoard):
            if board.group.id in groups:
                await board.update_group(groups[board.group.id])
