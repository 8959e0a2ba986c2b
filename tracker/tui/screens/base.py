"""What every full screen of the dashboard shares: access to the app and its state."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.binding import Binding, BindingType
from textual.screen import Screen

from tracker.status import RoadmapState

if TYPE_CHECKING:
    from tracker.tui.app import DashApp
    from tracker.tui.context import DashContext

__all__ = ["DashScreen"]


class DashScreen(Screen[None]):
    """A screen that shows (part of) the roadmap state and redraws when it changes."""

    #: Appended to each screen's own bindings (so they come last in the footer).
    COMMON_BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ]

    @property
    def dash(self) -> DashApp:
        return cast("DashApp", self.app)

    @property
    def ctx(self) -> DashContext:
        return self.dash.ctx

    @property
    def state(self) -> RoadmapState:
        return self.dash.state

    async def refresh_state(self) -> None:
        """Redraw from :attr:`state` (called by the app after a grade or a sync)."""
