"""``s``: the sync plan of the configured board, applied on confirmation."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label

from tracker.errors import SprintError
from tracker.tui.context import SyncOutcome

if TYPE_CHECKING:
    from tracker.tui.app import DashApp

__all__ = ["SyncScreen"]


class SyncScreen(ModalScreen[bool]):
    """Reads the board and plans in a worker thread, shows the plan, applies it on ``y``.

    Dismisses with True when something was applied (the app then reloads its state).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "apply", "Apply"),
        Binding("n,escape", "cancel", "Cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plan: SyncOutcome | None = None
        self.busy = True
        self.applied = False

    @property
    def dash(self) -> DashApp:
        return cast("DashApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="sync-box", classes="dialog"):
            yield Label(Text("Sync plan", style="bold"), classes="dialog-title")
            yield Label(Text(f"reading the {self.dash.ctx.board_name} board…", style="dim"), id="sync-summary")
            yield VerticalScroll(id="sync-actions", can_focus=False)
            yield Label("", id="sync-hint", classes="dialog-hint")

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exit_on_error=False, group="sync")
    def _load(self) -> None:
        try:
            plan = self.dash.ctx.sync(dry_run=True)
        except SprintError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show, plan)

    def _show(self, plan: SyncOutcome) -> None:
        self.plan, self.busy = plan, False
        n = len(plan.actions)
        summary = self.query_one("#sync-summary", Label)
        hint = self.query_one("#sync-hint", Label)
        if not n:
            summary.update(Text(f"The {plan.board} board is in sync: nothing to change.", style="green"))
            self.query_one("#sync-actions").mount_all(
                [Label(Text(f"warning: {w}", style="yellow"), classes="sync-warning") for w in plan.warnings])
            hint.update(Text("escape closes", style="dim"))
            return
        summary.update(Text(f"{n} change(s) planned for the {plan.board} board:"))
        lines = [Label(Text(f"• {a.describe()}"), classes="sync-action") for a in plan.actions]
        lines += [Label(Text(f"warning: {w}", style="yellow"), classes="sync-warning") for w in plan.warnings]
        self.query_one("#sync-actions").mount_all(lines)
        hint.update(Text.assemble(("y", "bold"), " apply   ", ("escape", "bold"), " cancel"))

    def _failed(self, message: str) -> None:
        self.busy = False
        self.query_one("#sync-summary", Label).update(Text(message, style="bold red"))
        self.query_one("#sync-hint", Label).update(Text("escape closes", style="dim"))

    def action_apply(self) -> None:
        if self.busy or self.plan is None or not self.plan.actions:
            return
        self.busy = True
        self.query_one("#sync-hint", Label).update(Text("applying…", style="dim"))
        self._apply()

    @work(thread=True, exit_on_error=False, group="sync")
    def _apply(self) -> None:
        try:
            report = self.dash.ctx.sync(dry_run=False)
        except SprintError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._done, report)

    def _done(self, report: SyncOutcome) -> None:
        self.dash.activity = f"synced the {report.board} board: {len(report.actions)} change(s) applied"
        self.dismiss(True)

    def action_cancel(self) -> None:
        if self.busy and self.plan is not None:
            return  # applying: wait for it
        self.dismiss(False)
