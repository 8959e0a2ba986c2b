"""``?``: every key of the dashboard."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

__all__ = ["KEYS", "HelpScreen"]

KEYS: list[tuple[str, str, str]] = [
    ("board", "← → / h l", "move between columns"),
    ("board", "↑ ↓ / k j", "move between cards"),
    ("board", "tab / shift+tab", "next / previous quarter (Q1–Q4, then the tracks)"),
    ("board", "enter", "open the sprint's detail"),
    ("board", "/", "filter cards (enter keeps the filter, escape clears it)"),
    ("board", "mouse", "click a card to select it, double-click to open it; click a tab"),
    ("detail", "↑ ↓ / k j", "select an exercise or a resource"),
    ("detail", "escape", "back to the board"),
    ("any", "g", "grade the selected exercise, or every exercise of the selected sprint"),
    ("any", "s", "show the sync plan of the board; apply it on confirmation"),
    ("any", "o", "open the sprint's GitHub issue, or the selected resource, in the browser"),
    ("any", "t", "the 12-week targets timeline"),
    ("any", "?", "this help"),
    ("any", "q", "quit"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q,enter", "close", "Close")]

    def compose(self) -> ComposeResult:
        table = Table(box=None, padding=(0, 2), show_header=False)
        table.add_column(style="dim")
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for where, key, what in KEYS:
            table.add_row(where, key, what)
        with Vertical(id="help-box", classes="dialog"):
            yield Label(Text("Keys", style="bold"), classes="dialog-title")
            yield Static(table)
            yield Label(Text("Grading runs in the background through the same sandbox as `sprint grade`; "
                             "the board keeps responding.", style="dim italic"))
            yield Label(Text("escape closes this help", style="dim"), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss()
