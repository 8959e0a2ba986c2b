"""A sprint up close: checklist, each exercise's last result with trends, resources, links."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Footer, Label

from tracker.roadmap.models import Resource
from tracker.status import SprintState
from tracker.tui.screens.base import DashScreen
from tracker.tui.widgets.chrome import ActivityBar, TopBar
from tracker.tui.widgets.exercise import ExercisePanel
from tracker.tui.widgets.text import COLUMN_CLASS

__all__ = ["ResourceRow", "SprintDetailScreen"]

COLUMN_STYLE = {"To Learn": "bold", "In Progress": "bold yellow", "Done": "bold green"}


class ResourceRow(Label):
    """A study resource; ``o`` opens its link."""

    def __init__(self, resource: Resource) -> None:
        text = Text.assemble("↗ " if resource.url else "  ", (resource.title, "bold"), "  ",
                             (resource.url or "(no link)", "underline blue" if resource.url else "dim"))
        super().__init__(text, classes="resource selectable")
        self.resource = resource


class DetailBody(VerticalScroll, can_focus=False):
    """The scrolling body of the detail screen (the screen owns the keys)."""


class SprintDetailScreen(DashScreen):
    """Checklist, exercises and resources of one sprint. ↑/↓ select an exercise or a resource."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back"),
        Binding("up,k", "select(-1)", "Previous", show=False),
        Binding("down,j", "select(1)", "Next", show=False),
        Binding("g", "grade", "Grade"),
        Binding("o", "open", "Open"),
        Binding("s", "app.sync", "Sync"),
        Binding("t", "app.targets", "Targets"),
        *DashScreen.COMMON_BINDINGS,
    ]

    def __init__(self, sprint_id: str) -> None:
        super().__init__()
        self.sprint_id = sprint_id
        self.cursor = 0

    @property
    def sprint(self) -> SprintState:
        sprint = self.state.sprint(self.sprint_id)
        assert sprint is not None, self.sprint_id
        return sprint

    def compose(self) -> ComposeResult:
        yield TopBar(self.state, self.dash.board_name)
        yield DetailBody(*self._body(), id="detail-body")
        yield ActivityBar()
        yield Footer()

    def on_mount(self) -> None:
        self._paint()

    def _body(self) -> list[Widget]:
        s = self.sprint
        done, total = s.progress
        head = Text.assemble((f"[{s.id}] {s.title}", "bold"), "   ", (s.column, COLUMN_STYLE[s.column]),
                             f"   {done}/{total} checked   ", (s.quarter, "dim"))
        widgets: list[Widget] = [Label(head, classes=f"detail-title {COLUMN_CLASS[s.column]}")]
        if outcome := self.ctx.outcome(s.id):
            widgets.append(Label(Text(f"after it: {outcome}", style="italic"), classes="detail-outcome"))
        if s.note:
            widgets.append(Label(Text(s.note, style="bold red"), classes="detail-note"))
        if url := self.ctx.issue_url(s.id):
            widgets.append(Label(Text.assemble("GitHub issue: ", (url, "underline blue")), classes="detail-issue"))
        widgets.append(Label("Checklist — what must work", classes="section"))
        for c in s.checklist:
            box = Text("☑ " if c.checked else "☐ ", style="green" if c.checked else "")
            line = Text.assemble(box, c.text)
            if c.manual:
                line.append("  (manual)", style="italic dim")
            if c.detail:
                line.append(f"  — {c.detail}", style="dim")
            widgets.append(Label(line, classes="check-item"))
        widgets.append(Label("Exercises", classes="section"))
        if not s.exercises:
            widgets.append(Label(Text("no graded exercise: this sprint's checklist is ticked by hand", style="dim")))
        for ex in s.exercises:
            spec = self.ctx.roadmap.exercise(ex.slug)
            widgets.append(ExercisePanel(ex, self.ctx.history(ex.slug), spec.hint if spec else ""))
        widgets.append(Label("Resources", classes="section"))
        resources = self.ctx.resources(s.id)
        if not resources:
            widgets.append(Label(Text("none listed", style="dim")))
        widgets.extend(ResourceRow(r) for r in resources)
        return widgets

    # -- selection -------------------------------------------------------------------------------

    def selectables(self) -> list[Widget]:
        return list(self.query(".selectable"))

    def selected(self) -> Widget | None:
        items = self.selectables()
        return items[self.cursor] if 0 <= self.cursor < len(items) else None

    def _paint(self) -> None:
        items = self.selectables()
        self.cursor = max(0, min(self.cursor, len(items) - 1))
        for i, item in enumerate(items):
            item.set_class(i == self.cursor, "-selected")
        if (chosen := self.selected()) is not None:
            chosen.scroll_visible(animate=False)

    def action_select(self, step: int) -> None:
        self.cursor += step
        self._paint()

    # -- actions ---------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def action_grade(self) -> None:
        chosen = self.selected()
        if isinstance(chosen, ExercisePanel):
            self.dash.grade_exercises([chosen.exercise.slug], self.sprint)
        else:
            self.dash.grade_sprint(self.sprint)

    def action_open(self) -> None:
        chosen = self.selected()
        if isinstance(chosen, ResourceRow):
            if chosen.resource.url:
                self.dash.open_link(chosen.resource.url)
            else:
                self.dash.activity = f"{chosen.resource.title!r} has no link"
            return
        self.dash.open_sprint(self.sprint_id)

    async def refresh_state(self) -> None:
        self.query_one(TopBar).set_state(self.state, self.dash.board_name)
        body = self.query_one("#detail-body", DetailBody)
        await body.remove_children()
        await body.mount_all(self._body())
        self._paint()
