"""The frame around every screen: the top bar (roadmap, week, board) and the activity bar."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar, Static

from tracker.status import RoadmapState

__all__ = ["ActivityBar", "TopBar", "top_line"]


def top_line(state: RoadmapState, board: str) -> Text:
    week = f"week {state.week}" if state.week > 0 else "not started"
    return Text.assemble(("llm-sprint ", "bold"), (state.title, "bold cyan"), "   ", week, " · ",
                         (state.today.isoformat(), "dim"), " · profile ", (state.profile, "bold"),
                         " · board ", (board, "bold"))


class TopBar(Static):
    """One line: the roadmap's title, the week of the plan, the profile and the board."""

    def __init__(self, state: RoadmapState, board: str) -> None:
        super().__init__(top_line(state, board), classes="topbar")

    def set_state(self, state: RoadmapState, board: str) -> None:
        self.update(top_line(state, board))


class ActivityBar(Horizontal):
    """What the app is doing (grading, syncing) and what it just did; a progress bar while grading.

    It mirrors the app's ``activity`` and ``grade_progress`` reactives, so every screen shows the
    same live state while a grade runs in its worker thread.
    """

    def compose(self) -> ComposeResult:
        yield Label("", classes="activity-text")
        yield ProgressBar(total=1, show_eta=False, show_percentage=False, classes="activity-progress")

    def on_mount(self) -> None:
        self.watch(self.app, "activity", self._show_text)
        self.watch(self.app, "grade_progress", self._show_progress)

    def _show_text(self, text: str) -> None:
        self.query_one(".activity-text", Label).update(Text(text))

    def _show_progress(self, progress: tuple[int, int]) -> None:
        done, total = progress
        bar = self.query_one(ProgressBar)
        bar.display = total > 0
        if total:
            bar.update(total=total, progress=done)
