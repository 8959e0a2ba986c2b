"""``sprint dash --cohort FILE``: a mentor's dashboard of a cohort — the same look as ``sprint cohort``.

One screen: learners × sprints (a ``DataTable``; a row per learner, the week, sprints done, how far
behind the 12-week plan), and below it who is behind, the metric distributions, the changes since the
last look and one line per repository that could not be read (:mod:`tracker.cohort.text`).

It opens on the last look in the cache (instant, no network) and reads GitHub when there is none, or on
``r`` — in a worker thread, through the same reader as the CLI; the screen keeps responding. ``enter``
opens the selected learner's repository, ``d`` shows the cohort's weekly review, ``q`` quits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Markdown, Static

from tracker.cohort.look import CohortLook, cohort_digest, describe, look
from tracker.cohort.text import CELL, LEGEND, render_report
from tracker.digest import render_cohort_digest
from tracker.errors import SprintError

__all__ = ["CohortApp", "run_cohort"]

CELL_STYLE = {"Done": "green", "In Progress": "yellow", "To Learn": "dim", "regressed": "bold red", "absent": "dim"}

Looker = Callable[..., CohortLook]


class LookDone(Message):
    def __init__(self, result: CohortLook | None, error: str | None = None) -> None:
        super().__init__()
        self.result, self.error = result, error


class DigestScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,d,q", "dismiss", "Back")]
    DEFAULT_CSS = "DigestScreen { align: center middle; } DigestScreen > VerticalScroll " \
                  "{ width: 90%; height: 90%; border: round $accent; background: $surface; }"

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(self.text)


class CohortApp(App[None]):
    """The dashboard of one cohort file. ``looker`` is :func:`tracker.cohort.look.look` (tests pass a stand-in)."""

    TITLE = "llm-sprint cohort"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "read", "Read GitHub"),
        Binding("o", "open", "Open"),
        Binding("d", "digest", "Weekly review"),
        Binding("q,ctrl+q", "quit", "Quit"),
    ]
    DEFAULT_CSS = """
    #heading { height: auto; padding: 0 1; background: $boost; }
    #table { height: 1fr; }
    #details { height: 2fr; padding: 0 1; }
    #activity { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, path: Path, *, today: dt.date, looker: Looker = look) -> None:
        super().__init__()
        self.path = path
        self.today = today
        self.looker = looker
        self.current: CohortLook | None = None
        self.reading = False

    def compose(self) -> ComposeResult:
        yield Static("", id="heading")
        yield DataTable(id="table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="details"):
            yield Static("", id="report")
        yield Static("", id="activity")
        yield Footer()

    def on_mount(self) -> None:
        try:
            cached = self.looker(self.path, today=self.today, offline=True)
        except SprintError:
            cached = None
        if cached is not None:
            self._show(cached)
            self.activity("shown from the cache — r reads GitHub")
        else:
            self.action_read()

    def activity(self, text: str) -> None:
        self.query_one("#activity", Static).update(Text(text))

    # -- reading -------------------------------------------------------------------------------------

    def action_read(self) -> None:
        if self.reading:
            self.activity("already reading…")
            return
        self.reading = True
        self.activity(f"reading {self.path.name} from GitHub…")
        self._read_worker()

    @work(thread=True, group="cohort", exit_on_error=False)
    def _read_worker(self) -> None:
        try:
            result = self.looker(self.path, today=self.today)
        except SprintError as exc:
            self.post_message(LookDone(None, str(exc)))
        except Exception as exc:  # keep the dashboard alive; say what broke
            self.post_message(LookDone(None, f"reading failed: {type(exc).__name__}: {exc}"))
        else:
            self.post_message(LookDone(result))

    def on_look_done(self, message: LookDone) -> None:
        self.reading = False
        if message.result is None:
            self.activity(message.error or "reading failed")
            return
        self._show(message.result)
        read = message.result.read
        self.activity(f"read: {read.mode}, {read.requests} request(s)" if read else "shown from the cache")

    # -- showing -------------------------------------------------------------------------------------

    def _show(self, result: CohortLook) -> None:
        if self.current is not None:
            self.current.close()
        self.current = result
        view = result.view
        unread = [line for line in view.lines if view.learner(line.repo) is None]
        week = f" · week {view.week}" if view.week else ""
        at = describe(result.look)
        self.query_one("#heading", Static).update(Text.assemble(
            ("llm-sprint cohort ", "bold"), (view.title, "bold cyan"), week, " · ", (view.today.isoformat(), "dim"),
            f" · {len(view.learners)} learner(s), {len(unread)} not read · last look {at}\n", (LEGEND, "dim")))
        table = self.query_one("#table", DataTable)
        table.clear(columns=True)
        table.add_columns("learner", "wk", "done", *view.sprint_ids, "behind")
        for lv in view.learners:
            cells = [Text(CELL[lv.cells.get(sid, "absent")], style=CELL_STYLE[lv.cells.get(sid, "absent")])
                     for sid in view.sprint_ids]
            behind = Text(f"{lv.weeks_behind} wk ({', '.join(t.id for t in lv.behind)})", style="red") \
                if lv.weeks_behind else Text("—", style="dim")
            table.add_row(lv.label, str(lv.week), f"{lv.done}/{len(view.sprint_ids)}", *cells, behind, key=lv.repo)
        report = render_report(view, changes=result.changes, since=result.since, problems=result.problems)
        details = report.split("\n\nBehind the 12-week plan", 1)
        self.query_one("#report", Static).update(Text("Behind the 12-week plan" + details[1] if len(details) > 1
                                                      else report))

    def selected_repo(self) -> str | None:
        table = self.query_one("#table", DataTable)
        if self.current is None or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value) if key.value is not None else None

    def action_open(self) -> None:
        repo = self.selected_repo()
        learner = self.current.view.learner(repo) if self.current and repo else None
        if learner is None or not learner.url:
            self.activity("no repository selected")
            return
        self.open_url(learner.url)
        self.activity(f"opened {learner.url}")

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open()  # enter on a row: the table selects it, the app opens the repository

    def action_digest(self) -> None:
        if self.current is None:
            self.activity("nothing read yet")
            return
        self.push_screen(DigestScreen(render_cohort_digest(cohort_digest(self.current))))

    def on_unmount(self) -> None:
        if self.current is not None:
            self.current.close()


def run_cohort(path: Path, *, today: dt.date) -> None:
    """Validate the cohort file and its roadmap (bad input: exit 2 before any screen), then run the app."""
    from tracker.cohort.look import open_cohort

    open_cohort(path)
    CohortApp(path, today=today).run()
