"""The default screen: the Kanban of each quarter and track, in tabs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import ContentTabs, Footer, Input, TabbedContent, TabPane

from tracker.status import QuarterState, SprintState
from tracker.tui.screens.base import DashScreen
from tracker.tui.widgets.board import QuarterBoard
from tracker.tui.widgets.chrome import ActivityBar, TopBar

__all__ = ["KanbanScreen", "pane_id"]


def pane_id(group_id: str) -> str:
    return "pane-" + group_id.replace(" ", "-")


def tab_label(group: QuarterState) -> str:
    return group.id.capitalize() if group.id.startswith("track") else group.id


class KanbanScreen(DashScreen):
    """To Learn / In Progress / Done for the quarter in the active tab; a cursor over the cards."""

    BINDINGS = [
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
        *DashScreen.BINDINGS,
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
        with TabbedContent(id="quarters"):
            for group in self.groups():
                with TabPane(tab_label(group), id=pane_id(group.id)):
                    yield QuarterBoard(group, self._goal(group.id))
        yield Input(placeholder="filter cards: sprint id, title or exercise — enter keeps it, escape clears it",
                     id="filter")
        yield ActivityBar()
        yield Footer()

    def on_mount(self) -> None:
        # The board owns the keys: the tab strip must not take focus (it would eat ←/→).
        self.query_one(ContentTabs).can_focus = False
        self.query_one("#filter", Input).display = False

    # -- what is selected ------------------------------------------------------------------------

    def board(self) -> QuarterBoard:
        tabs = self.query_one("#quarters", TabbedContent)
        return tabs.get_pane(tabs.active).query_one(QuarterBoard)

    def selected(self) -> SprintState | None:
        return self.board().selected()

    # -- actions ---------------------------------------------------------------------------------

    def action_move(self, dx: int, dy: int) -> None:
        self.board().move(dx, dy)

    def action_quarter(self, step: int) -> None:
        tabs = self.query_one("#quarters", TabbedContent)
        ids = [pane_id(g.id) for g in self.groups()]
        tabs.active = ids[(ids.index(tabs.active) + step) % len(ids)]

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
        shown = sum(b.apply_filter(text) for b in self.query(QuarterBoard))
        self.dash.activity = f"filter {text!r}: {shown} card(s)" if text.strip() else ""

    async def refresh_state(self) -> None:
        self.query_one(TopBar).set_state(self.state, self.dash.board_name)
        groups = {g.id: g for g in self.groups()}
        for board in self.query(QuarterBoard):
            if board.group.id in groups:
                await board.update_group(groups[board.group.id])
