"""The 12-week targets: a timeline from the roadmap's start date, the current week marked."""

from __future__ import annotations

import datetime as dt

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tracker.status import TargetState
from tracker.tui.widgets.text import TARGET_STYLE

__all__ = ["PLAN_WEEKS", "TargetsTimeline", "timeline_cells"]

PLAN_WEEKS = 12
CELL = 4  # characters per week
BAR_STYLE = {"met": "green", "on track": "cyan", "behind": "red", "upcoming": "grey50"}


def timeline_cells(weeks: tuple[int, int], status: str, current: int) -> Text:
    """A bar over weeks ``weeks[0]..weeks[1]`` on a 12-week strip; the current week is highlighted."""
    text = Text()
    for week in range(1, PLAN_WEEKS + 1):
        inside = weeks[0] <= week <= weeks[1]
        here = week == current
        cell = "█" * (CELL - 1) if inside else "·".center(CELL - 1)
        style = BAR_STYLE.get(status, "") if inside else "grey35"
        if here:
            style += " on grey23"
        text.append(cell, style=style)
        text.append(" ", style="on grey23" if here else "")
    return text


class TargetsTimeline(Static):
    """Weeks 1–12 across, one row per target, with its status and measured value."""

    def __init__(self, targets: list[TargetState], start: dt.date, today: dt.date, week: int) -> None:
        super().__init__(classes="timeline")
        self.targets = targets
        self.start = start
        self.today = today
        self.week = week

    def on_mount(self) -> None:
        self.update(self._render_all())

    def set_targets(self, targets: list[TargetState], today: dt.date, week: int) -> None:
        self.targets, self.today, self.week = targets, today, week
        self.update(self._render_all())

    def _where(self) -> Text:
        end = self.start + dt.timedelta(weeks=PLAN_WEEKS) - dt.timedelta(days=1)
        text = Text.assemble(("12-week plan ", "bold"), f"{self.start.isoformat()} → {end.isoformat()}   ",
                             ("today ", "dim"), self.today.isoformat(), "   ")
        if self.week <= 0:
            text.append(f"starts in {(self.start - self.today).days} day(s)", style="yellow")
        elif self.week > PLAN_WEEKS:
            text.append(f"week {self.week}: the 12 weeks are over", style="yellow")
        else:
            text.append(f"week {self.week} of {PLAN_WEEKS}", style="bold cyan")
        return text

    def _render_all(self) -> RenderableType:
        table = Table(box=None, padding=(0, 1), show_edge=False, expand=True)
        table.add_column("target", no_wrap=True)
        table.add_column(self._scale(), no_wrap=True)
        table.add_column("status", no_wrap=True)
        table.add_column("measured", no_wrap=True)
        table.add_column("goal → result", ratio=1)
        for t in self.targets:
            metric = f"{t.metric} {t.threshold or ''}".strip()
            goal = Text.assemble(t.goal, "\n", (t.result, "dim"))
            if metric:
                goal.append(f"\nmetric: {metric}", style="italic")
            if t.graded_threshold:
                goal.append(f" (graded: {t.graded_threshold})", style="italic")
            table.add_row(Text(t.id, style="bold"), timeline_cells(t.weeks, t.status, self.week),
                          Text(t.status, style=TARGET_STYLE.get(t.status, "")), t.measured or "—", goal)
            table.add_row("", "", "", "", "")
        legend = Text.assemble(("███", BAR_STYLE["met"]), " met  ", ("███", BAR_STYLE["on track"]), " on track  ",
                               ("███", BAR_STYLE["behind"]), " behind  ", ("███", BAR_STYLE["upcoming"]),
                               " upcoming  ", ("   ", "on grey23"), " this week")
        return Group(self._where(), Text(), table, legend)

    def _scale(self) -> Text:
        text = Text()
        if 1 <= self.week <= PLAN_WEEKS:
            text.append(" " * (CELL * (self.week - 1)) + "▼ now" + "\n", style="bold cyan")
        else:
            text.append("\n")
        for week in range(1, PLAN_WEEKS + 1):
            text.append(f"W{week}".ljust(CELL), style="bold reverse" if week == self.week else "bold")
        return text
