"""The Kanban of one quarter (or track): three columns of sprint cards and a keyboard cursor."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.progress_bar import ProgressBar as RichBar
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Label

from tracker.status import COLUMNS, Column, QuarterState, SprintState
from tracker.tui.widgets.text import column_class, exercise_line

__all__ = ["BoardColumn", "QuarterBoard", "SprintCard", "card_id", "matches"]


def card_id(sprint_id: str) -> str:
    """A DOM id for a sprint's card (sprint ids hold dots, which ids may not)."""
    return "card-" + sprint_id.replace(".", "_")


def matches(sprint: SprintState, needle: str) -> bool:
    """Does the filter text ``needle`` occur in the sprint's id, title or exercise slugs?"""
    needle = needle.strip().lower()
    if not needle:
        return True
    haystack = [sprint.id, sprint.title, *(e.slug for e in sprint.exercises), *(e.title for e in sprint.exercises)]
    return any(needle in h.lower() for h in haystack)


class SprintCard(Widget):
    """A sprint on the board: id, title, checklist progress bar and the last grade of each exercise.

    One widget drawing one Rich renderable (not a tree of widgets): the board shows dozens of cards
    and the dashboard must paint in well under half a second.
    """

    def __init__(self, sprint: SprintState) -> None:
        super().__init__(id=card_id(sprint.id), classes=f"card {column_class(sprint.column)}")
        self.sprint = sprint

    def render(self) -> RenderableType:
        s = self.sprint
        done, total = s.progress
        count = f" {done}/{total}"
        progress = Table.grid(expand=True)
        progress.add_column(ratio=1)
        progress.add_column(width=len(count), justify="right")
        progress.add_row(RichBar(total=max(total, 1), completed=done, complete_style="yellow",
                                 finished_style="green", style="grey35"), count)
        lines: list[RenderableType] = [Text.assemble((s.id, "bold"), " ", s.title), progress]
        lines += [exercise_line(ex) for ex in s.exercises] or [Text("manual checklist", style="dim")]
        if s.note:
            lines.append(Text(s.note, style="red"))
        return Group(*lines)


class CardList(VerticalScroll, can_focus=False):
    """The scrolling list of cards inside a column (not focusable: the board owns the keys)."""


class BoardColumn(Vertical):
    """One Kanban column: its title with a count, and its cards."""

    def __init__(self, column: Column, sprints: list[SprintState]) -> None:
        super().__init__(classes=f"column {column_class(column)}")
        self.column = column
        self.sprints = sprints

    def compose(self) -> ComposeResult:
        yield Label(self._title(), classes="column-title")
        yield CardList(*[SprintCard(s) for s in self.sprints])

    def _title(self) -> str:
        return f"{self.column} ({len(self.sprints)})"

    def cards(self) -> list[SprintCard]:
        """The cards shown (the filter hides some)."""
        return [c for c in self.query(SprintCard) if c.display]

    async def set_sprints(self, sprints: list[SprintState]) -> None:
        self.sprints = sprints
        self.query_one(".column-title", Label).update(self._title())
        cards = self.query_one(CardList)
        await cards.remove_children()
        await cards.mount_all([SprintCard(s) for s in sprints])


class QuarterBoard(Vertical):
    """A quarter's (or track's) header and its three columns, with a card cursor.

    The cursor is (column, row) over the *visible* cards; it survives refreshes by sprint id.
    """

    def __init__(self, group: QuarterState, goal: str = "") -> None:
        super().__init__(classes="quarter-board")
        self.group = group
        self.goal = goal
        self.col = 0
        self.row = 0
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        yield Label(self._header(), classes="quarter-header")
        with Horizontal(classes="columns"):
            for column in COLUMNS:
                yield BoardColumn(column, [s for s in self.group.sprints if s.column == column])

    def on_mount(self) -> None:
        self._first()
        self._paint()

    def _header(self) -> Text:
        g = self.group
        done = sum(s.column == "Done" for s in g.sprints)
        text = Text.assemble((f"{g.id} — {g.title}", "bold"))
        if g.release:
            text.append(f" → {g.release}", style="cyan")
        text.append(f"   {done}/{len(g.sprints)} done", style="dim")
        if self.goal:
            text.append(f"   {self.goal}", style="italic")
        return text

    # -- cursor ----------------------------------------------------------------------------------

    def columns(self) -> list[BoardColumn]:
        return list(self.query(BoardColumn))

    def _first(self) -> None:
        self.col = next((i for i, c in enumerate(self.columns()) if c.cards()), 0)
        self.row = 0

    def _clamp(self) -> None:
        cols = self.columns()
        if not cols[self.col].cards():
            self._first()
        self.row = max(0, min(self.row, len(cols[self.col].cards()) - 1))

    def selected_card(self) -> SprintCard | None:
        cards = self.columns()[self.col].cards()
        return cards[self.row] if 0 <= self.row < len(cards) else None

    def selected(self) -> SprintState | None:
        card = self.selected_card()
        return card.sprint if card else None

    def _paint(self) -> None:
        chosen = self.selected_card()
        for card in self.query(SprintCard):
            card.set_class(card is chosen, "-selected")
        if chosen is not None:
            chosen.scroll_visible(animate=False)

    def move(self, dx: int, dy: int) -> None:
        cols = self.columns()
        if dx:
            i = self.col + dx
            while 0 <= i < len(cols) and not cols[i].cards():
                i += dx
            if 0 <= i < len(cols):
                self.col = i
        if dy:
            self.row += dy
        self._clamp()
        self._paint()

    def select_sprint(self, sprint_id: str) -> bool:
        for i, col in enumerate(self.columns()):
            for j, card in enumerate(col.cards()):
                if card.sprint.id == sprint_id:
                    self.col, self.row = i, j
                    self._paint()
                    return True
        return False

    def on_click(self, event: events.Click) -> None:
        """A click selects the card under the mouse (a double click then opens it, see the screen)."""
        node: DOMNode | None = event.widget
        while node is not None and not isinstance(node, SprintCard):
            node = node.parent
        if isinstance(node, SprintCard):
            self.select_sprint(node.sprint.id)

    # -- filter and refresh ----------------------------------------------------------------------

    def apply_filter(self, text: str) -> int:
        """Show only the cards matching ``text``; returns how many are shown."""
        self.filter_text = text
        keep = self.selected()
        shown = 0
        for card in self.query(SprintCard):
            card.display = matches(card.sprint, text)
            shown += card.display
        if keep is None or not self.select_sprint(keep.id):
            self._clamp()
            self._paint()
        return shown

    async def update_group(self, group: QuarterState) -> None:
        keep = self.selected()
        self.group = group
        self.query_one(".quarter-header", Label).update(self._header())
        for col in self.columns():
            await col.set_sprints([s for s in group.sprints if s.column == col.column])
        self.apply_filter(self.filter_text)
        if keep is not None:
            self.select_sprint(keep.id)
