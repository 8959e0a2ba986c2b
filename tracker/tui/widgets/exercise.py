"""An exercise in the sprint detail: its last result, check by check, with a sparkline per metric."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Sparkline

from graders.contract import Check, GradeResult
from tracker.status import ExerciseState
from tracker.tui.widgets.text import LABEL_STYLE, label_text

__all__ = ["ExercisePanel", "metric_series"]

SPARK_WIDTH = 24


def metric_series(history: Sequence[GradeResult], name: str) -> list[float]:
    """The measured values of check ``name`` across attempts (numbers only, oldest first)."""
    out: list[float] = []
    for result in history:
        check = result.check(name)
        if check is not None and isinstance(check.measured, int | float) and not isinstance(check.measured, bool):
            out.append(float(check.measured))
    return out


def _measured(check: Check) -> str:
    if check.display:
        return check.display
    if check.measured is None:
        return "—"
    if isinstance(check.measured, bool):
        return "yes" if check.measured else "no"
    return str(check.measured)


class CheckRow(Horizontal):
    """check name · measured · threshold · status · trend · reason."""

    def __init__(self, check: Check, series: list[float]) -> None:
        super().__init__(classes="check-row")
        self.check = check
        self.series = series

    def compose(self) -> ComposeResult:
        c = self.check
        yield Label(c.name, classes="check-name")
        yield Label(_measured(c), classes="check-measured")
        yield Label(c.threshold or "yes/no", classes="check-threshold")
        yield Label(label_text(c.status), classes="check-status")
        spark = Sparkline(self.series[-SPARK_WIDTH:], classes="check-spark")
        spark.styles.width = max(1, min(len(self.series), SPARK_WIDTH))
        with Horizontal(classes="check-trend"):
            if self.series:
                yield spark
            yield Label(f" {len(self.series)}×" if self.series else "", classes="check-attempts")
        reason = "" if c.status == "pass" else c.message
        yield Label(Text(reason, style="dim"), classes="check-reason")


class ExercisePanel(Vertical):
    """One exercise of the sprint: status, last attempt, and each check against its threshold."""

    def __init__(self, exercise: ExerciseState, history: Sequence[GradeResult], hint: str = "") -> None:
        super().__init__(classes="exercise selectable")
        self.exercise = exercise
        self.history = list(history)
        self.hint = hint

    def compose(self) -> ComposeResult:
        ex = self.exercise
        yield Label(Text.assemble((ex.slug, "bold"), "  ", ex.title, "   ", label_text(ex.label)),
                    classes="exercise-title")
        if not ex.available:
            yield Label(Text("not yet available: no grader ships with this version of llm-sprint — "
                             "its checklist items are manual; tick them when the work is done", style="dim"),
                        classes="exercise-note")
            return
        last = ex.last
        if last is None:
            hint = "started — " if ex.started else ""
            yield Label(Text(f"{hint}not graded yet: press g to grade it", style="dim"), classes="exercise-note")
            return
        when = last.started_at.strftime("%Y-%m-%d %H:%M") if last.started_at else "?"
        yield Label(Text(f"last attempt {when} · {last.duration_s:.1f} s · profile {last.profile} · "
                         f"seed {last.seed} · {len(self.history)} attempt(s) in the ledger", style="dim"),
                    classes="exercise-meta")
        if ex.regression:
            yield Label(Text(f"regressed: {ex.regression}", style="bold red"), classes="exercise-note")
        if last.status != "pass" and last.message:
            yield Label(Text(last.message, style=LABEL_STYLE.get(last.status, "")), classes="exercise-note")
        if last.status != "pass" and self.hint:
            yield Label(Text.assemble(("hint: ", "cyan"), self.hint), classes="exercise-note")
        if last.checks:
            with Horizontal(classes="check-row check-head"):
                for name, cls in (("check", "check-name"), ("measured", "check-measured"),
                                  ("threshold", "check-threshold"), ("status", "check-status"),
                                  ("trend", "check-trend"), ("reason", "check-reason")):
                    yield Label(name, classes=cls)
            for check in last.checks:
                yield CheckRow(check, metric_series(self.history, check.name))
