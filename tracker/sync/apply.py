"""Effects: carry out a plan on a board, reconciling after any request whose outcome is unknown.

``sync`` = snapshot → plan → apply, in rounds. When a request fails in a way that may or may not
have taken effect (:class:`~tracker.errors.TransientBoardError`: a dropped connection, a 502 that
may hide a created issue), we never retry it blindly: the round ends, the board is read again and
a fresh plan is made from what is really there. A few rounds converge; if they don't, we stop with
a SyncError and everything done so far stays valid for the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tracker.boards.base import Board, Item, Snapshot
from tracker.errors import SyncError, TransientBoardError
from tracker.sync.desired import Desired
from tracker.sync.plan import (
    Action,
    CreateItem,
    EnsureLabel,
    EnsureMilestone,
    SetClosed,
    SetStatus,
    UpdateItem,
    UpsertComment,
    plan,
)

__all__ = ["SyncReport", "apply_action", "sync"]


@dataclass
class SyncReport:
    applied: list[Action] = field(default_factory=list)
    rounds: int = 0
    reconciled: list[str] = field(default_factory=list)  # why a round had to re-read the board


def apply_action(board: Board, action: Action, items: dict[str, Item]) -> None:
    """Carry out one action; ``items`` (by sprint id) is updated with created/updated items."""
    if isinstance(action, EnsureLabel):
        board.ensure_label(action.label)
    elif isinstance(action, EnsureMilestone):
        board.ensure_milestone(action.milestone)
    elif isinstance(action, CreateItem):
        items[action.sprint_id] = board.create_item(action.sprint_id, action.fields)
    elif isinstance(action, UpdateItem):
        items[action.sprint_id] = board.update_item(items[action.sprint_id], action.fields)
    elif isinstance(action, SetStatus):
        board.set_status(items[action.sprint_id], action.new)
    elif isinstance(action, UpsertComment):
        board.upsert_comment(items[action.sprint_id], action.body)
    elif isinstance(action, SetClosed):
        board.set_closed(items[action.sprint_id], action.closed)
    else:  # pragma: no cover - the union is closed
        raise AssertionError(action)


def sync(board: Board, desired: Callable[[Snapshot], Desired], *, max_rounds: int = 4,
         on_action: Callable[[Action], None] | None = None) -> SyncReport:
    """Bring ``board`` to ``desired(snapshot)``. ``desired`` takes the snapshot because manual
    checklist ticks live on the board."""
    report = SyncReport()
    for _ in range(max_rounds):
        report.rounds += 1
        snapshot = board.snapshot()
        actions = plan(desired(snapshot), snapshot)
        if not actions:
            return report
        items = dict(snapshot.items)
        try:
            for action in actions:
                apply_action(board, action, items)
                report.applied.append(action)
                if on_action:
                    on_action(action)
        except TransientBoardError as exc:
            report.reconciled.append(str(exc))
            continue
        return report
    raise SyncError(f"the board did not settle after {max_rounds} rounds: " + "; ".join(report.reconciled[-3:])
                    + ". Everything applied so far is kept; run `sprint sync` again.")
