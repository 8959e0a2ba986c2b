"""The 12-week competency targets on a timeline: on track / behind / met / upcoming."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer

from tracker.tui.screens.base import DashScreen
from tracker.tui.widgets.chrome import ActivityBar, TopBar
from tracker.tui.widgets.timeline import TargetsTimeline

__all__ = ["TargetsScreen"]


class TargetsBody(VerticalScroll, can_focus=False):
    """Scrolls with ↑/↓ from the screen's bindings."""


class TargetsScreen(DashScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace,t", "back", "Back"),
        Binding("up,k", "scroll(-1)", "Scroll", show=False),
        Binding("down,j", "scroll(1)", "Scroll", show=False),
        Binding("s", "app.sync", "Sync"),
        *DashScreen.COMMON_BINDINGS,
    ]

    def compose(self) -> ComposeResult:
        yield TopBar(self.state, self.dash.board_name)
        with TargetsBody():
            yield TargetsTimeline(self.state.targets, self.ctx.roadmap.start_date, self.state.today, self.state.week)
        yield ActivityBar()
        yield Footer()

    def action_back(self) -> None:
        self.dismiss()

    def action_scroll(self, step: int) -> None:
        self.query_one(TargetsBody).scroll_relative(y=step, animate=False)

    async def refresh_state(self) -> None:
        self.query_one(TopBar).set_state(self.state, self.dash.board_name)
        self.query_one(TargetsTimeline).set_targets(self.state.targets, self.state.today, self.state.week)
