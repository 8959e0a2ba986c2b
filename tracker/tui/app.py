"""``sprint dash``: the Textual app — screens, the state they show, and the actions' plumbing.

* Kanban (default screen) → ``enter`` → sprint detail; ``t`` → targets; ``?`` help; ``s`` sync plan.
* ``g`` grades in a **worker thread** through :func:`tracker.grading.grade_and_record` (the same
  sandbox as the CLI; learner code never runs in this process). Progress arrives as messages, the
  UI keeps responding, and the state is recomputed from the ledger when the run ends.
* SIGINT, SIGTERM and SIGHUP stop the grading (``tracker.stopping``: the run under way ends and is
  not recorded) and then the app, which sets :attr:`DashApp.stopped_by`.
* Nothing heavy is imported here: no torch, transformers or sentence-transformers in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen

from graders.contract import GradeResult
from tracker.errors import SprintError
from tracker.status import RoadmapState, SprintState
from tracker.stopping import exit_code, stop_on_signals
from tracker.tui.context import DashContext
from tracker.tui.screens.base import DashScreen
from tracker.tui.screens.kanban import KanbanScreen

__all__ = ["DashApp"]


class GradeStarted(Message):
    def __init__(self, slug: str, index: int, total: int) -> None:
        super().__init__()
        self.slug, self.index, self.total = slug, index, total


class GradeDone(Message):
    def __init__(self, result: GradeResult, index: int, total: int) -> None:
        super().__init__()
        self.result, self.index, self.total = result, index, total


class GradeFinished(Message):
    def __init__(self, error: str | None = None) -> None:
        super().__init__()
        self.error = error


def result_summary(result: GradeResult) -> str:
    """``csv-to-json: pass (accuracy 100 %, runtime 0.31 s)`` — one line for the activity bar."""
    shown = [f"{c.name} {c.display or c.measured}" for c in result.checks if c.measured is not None][:4]
    tail = f" ({', '.join(shown)})" if shown else ""
    if result.status != "pass" and result.message:
        tail += f" — {result.message.splitlines()[0][:100]}"
    return f"{result.slug}: {result.status}{tail}"


class DashApp(App[None]):
    """The dashboard of one workspace. ``on_first_paint(app)`` is called once the board is on screen."""

    CSS_PATH = "app.tcss"
    TITLE = "llm-sprint"
    ENABLE_COMMAND_PALETTE = False
    AUTO_FOCUS = None
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True)]

    activity: reactive[str] = reactive("")
    grade_progress: reactive[tuple[int, int]] = reactive((0, 0))

    def __init__(self, ctx: DashContext, *, on_first_paint: Callable[[DashApp], None] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.state: RoadmapState = ctx.state()
        self.board_name = ctx.board_name
        self.grading = False
        self.last_results: list[GradeResult] = []  # of this session's grades, newest last
        self.stopped_by: int | None = None  # the signal that stopped the app, if one did
        self._on_first_paint = on_first_paint
        self._signals = contextlib.ExitStack()

    def get_default_screen(self) -> Screen[None]:
        return KanbanScreen()

    def on_ready(self) -> None:  # sent after the first frame is on screen
        self._check_first_paint()

    def _check_first_paint(self) -> None:
        """After the refresh that put the board's cards on screen: the start-up is over."""
        screen = self.screen
        if isinstance(screen, KanbanScreen) and not screen.is_painted():
            screen.call_after_refresh(self._check_first_paint)
            return
        if not gc.isenabled():  # paused by tracker.tui.run while starting
            gc.freeze()  # what start-up built lives as long as the app: keep it out of future collections
            gc.enable()
        callback, self._on_first_paint = self._on_first_paint, None
        if callback is not None:
            callback(self)

    def on_mount(self) -> None:
        loop = asyncio.get_running_loop()
        # The handler runs between two bytecodes of the event loop's thread: it only schedules the exit.
        self._signals.enter_context(stop_on_signals(
            then=lambda signum: loop.call_soon_threadsafe(self._stop_by_signal, signum)))

    def on_unmount(self) -> None:
        self._signals.close()
        self.ctx.close()

    def _stop_by_signal(self, signum: int) -> None:
        """Every sandbox run has already been stopped (their attempts are not recorded): quit."""
        self.stopped_by = signum
        self.exit(return_code=exit_code(signum))

    async def action_quit(self) -> None:
        if self.grading:  # the sandbox cannot be stopped half-way: its attempt is finished and recorded
            self.exit(message=f"llm-sprint: {self.activity or 'grading'} — waiting for the attempt to finish "
                              "and be recorded in the ledger")
            return
        self.exit()

    # -- state -----------------------------------------------------------------------------------

    async def reload_state(self) -> None:
        """Recompute the state from the ledger and the board, and redraw every open screen."""
        self.state = self.ctx.state()
        for screen in self.screen_stack:
            if isinstance(screen, DashScreen):
                await screen.refresh_state()

    # -- navigation ------------------------------------------------------------------------------

    # The other screens are imported when first shown: the board must paint fast.

    def show_detail(self, sprint_id: str) -> None:
        from tracker.tui.screens.detail import SprintDetailScreen

        self.push_screen(SprintDetailScreen(sprint_id))

    def action_targets(self) -> None:
        from tracker.tui.screens.targets import TargetsScreen

        if not isinstance(self.screen, TargetsScreen):
            self.push_screen(TargetsScreen())

    def action_help(self) -> None:
        from tracker.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # -- open ------------------------------------------------------------------------------------

    def open_link(self, url: str) -> None:
        self.open_url(url)
        self.activity = f"opened {url}"

    def open_sprint(self, sprint_id: str) -> None:
        """The sprint's GitHub issue when a repository is configured, else its first linked resource."""
        url = self.ctx.issue_url(sprint_id)
        if url is None:
            url = next((r.url for r in self.ctx.resources(sprint_id) if r.url), None)
        if url is None:
            self.activity = f"[{sprint_id}] has no issue link (no GitHub repo in sprint.toml) and no resource link"
            return
        self.open_link(url)

    # -- sync ------------------------------------------------------------------------------------

    def action_sync(self) -> None:
        from tracker.tui.screens.sync import SyncScreen

        if self.grading:
            self.activity = "grading in progress: sync after it finishes"
            return
        self.push_screen(SyncScreen(), self._after_sync)

    async def _after_sync(self, applied: bool | None) -> None:
        if applied:
            await self.reload_state()

    # -- grading ---------------------------------------------------------------------------------

    def grade_sprint(self, sprint: SprintState) -> None:
        slugs, skipped = self.ctx.gradable(sprint)
        if not slugs:
            why = "; ".join(skipped) or "it has no graded exercise, only a manual checklist"
            self.activity = f"[{sprint.id}] nothing to grade: {why}"
            return
        self.grade_exercises(slugs, sprint)

    def grade_exercises(self, slugs: list[str], sprint: SprintState) -> None:
        if self.grading:
            self.activity = "already grading: wait for the current run to finish"
            return
        ready, skipped = self.ctx.gradable(sprint)
        slugs = [s for s in slugs if s in ready]
        if not slugs:
            self.activity = f"nothing to grade: {'; '.join(skipped)}"
            return
        self.grading = True
        self.grade_progress = (0, len(slugs))
        self.activity = f"grading {', '.join(slugs)}…"
        self._grade_worker(slugs)

    @work(thread=True, group="grade", exit_on_error=False)
    def _grade_worker(self, slugs: list[str]) -> None:
        total = len(slugs)
        started: list[str] = []

        def on_start(slug: str) -> None:
            started.append(slug)
            self.post_message(GradeStarted(slug, len(started), total))

        def on_done(result: GradeResult, _previous: object) -> None:
            self.post_message(GradeDone(result, len(started), total))

        try:
            self.ctx.grade(slugs, on_start=on_start, on_done=on_done)
        except KeyboardInterrupt:  # graders.sandbox.RunsStopped: a stop signal; the app is quitting
            self.post_message(GradeFinished("grading stopped: the attempt under way was not recorded"))
        except SprintError as exc:
            self.post_message(GradeFinished(str(exc)))
        except Exception as exc:  # keep the dashboard alive; say what broke
            self.post_message(GradeFinished(f"grading failed: {type(exc).__name__}: {exc}"))
        else:
            self.post_message(GradeFinished())

    def on_grade_started(self, message: GradeStarted) -> None:
        self.activity = f"grading {message.slug} ({message.index}/{message.total})…"

    def on_grade_done(self, message: GradeDone) -> None:
        self.grade_progress = (message.index, message.total)
        self.activity = result_summary(message.result)
        self.last_results.append(message.result)

    async def on_grade_finished(self, message: GradeFinished) -> None:
        self.grading = False
        self.grade_progress = (0, 0)
        if message.error:
            self.activity = message.error
        await self.reload_state()
