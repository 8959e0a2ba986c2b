"""Effects: carry out a plan on a board, reconciling after any request whose outcome is unknown.

``sync`` = snapshot → plan → apply, in rounds. When a request fails in a way that may or may not
have taken effect (:class:`~tracker.errors.TransientBoardError`: a dropped connection, a 502 that
may hide a created issue), we never retry it blindly: the round ends, the board is read again and
a fresh plan is made from what is really there. A few rounds converge; if they don't, we stop with
a SyncError and everything done so far stays valid for the next run.

Boards may offer more than the :class:`~tracker.boards.base.Board` contract
(:class:`~tracker.boards.base.ProjectBoard`, GitHub does): a Projects (v2) board whose state enters
the plan, a switch saying whether the board has a status column at all, and ``flush()`` — writes a
board may queue during a round (several changes to one issue become one request; status changes
become one batched GraphQL document) are sent at the end of the round, and a failure there ends the
round like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tracker.board_model import Item, Snapshot
from tracker.boards.base import Board, ProjectBoard
from tracker.errors import SyncError, TransientBoardError
from tracker.sync.desired import Desired
from tracker.sync.plan import (
    Action,
    CreateItem,
    EnsureLabel,
    EnsureMilestone,
    EnsureProject,
    LinkProject,
    SetClosed,
    SetStatus,
    SetStatusOptions,
    UpdateItem,
    UpsertComment,
    plan,
)

__all__ = ["SyncReport", "apply_action", "plan_board", "sync"]


@dataclass
class SyncReport:
    applied: list[Action] = field(default_factory=list)
    rounds: int = 0
    reconciled: list[str] = field(default_factory=list)  # why a round had to re-read the board


def plan_board(board: Board, desired: Desired, snapshot: Snapshot) -> list[Action]:
    """The plan for ``board``: :func:`~tracker.sync.plan.plan` with the board's extras, if any."""
    if isinstance(board, ProjectBoard):
        return plan(desired, snapshot, project=board.project_state(), statuses=board.has_status)
    return plan(desired, snapshot)


def apply_action(board: Board, action: Action, items: dict[str, Item]) -> None:
    """Carry out one action; ``items`` (by sprint id) is updated with created/updated items."""
    if isinstance(action, EnsureLabel):
        board.ensure_label(action.label)
    elif isinstance(action, EnsureMilestone):
        board.ensure_milestone(action.milestone)
    elif isinstance(action, EnsureProject | LinkProject | SetStatusOptions):
        if not isinstance(board, ProjectBoard):
            raise SyncError(f"the {board.name} board has no project board: cannot {action.describe()}")
        if isinstance(action, EnsureProject):
            board.ensure_project(action.title)
        elif isinstance(action, LinkProject):
            board.link_project()
        else:
            board.set_status_options()
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
    seen: set[str] = set()
    for _ in range(max_rounds):
        report.rounds += 1
        snapshot = board.snapshot()
        actions = plan_board(board, desired(snapshot), snapshot)
        if not actions:
            return report
        items = dict(snapshot.items)
        try:
            for action in actions:
                apply_action(board, action, items)
                key = action.model_dump_json()
                if key not in seen:  # a later round may redo what a failed one could not confirm
                    seen.add(key)
                    report.applied.append(action)
                    if on_action:
                        on_action(action)
            if isinstance(board, ProjectBoard):
                board.flush()
        except TransientBoardError as exc:
            report.reconciled.append(str(exc))
            continue
        return report
    raise SyncError(f"the board did not settle after {max_rounds} rounds: " + "; ".join(report.reconciled[-3:])
                    + ". Everything applied so far is kept; run `sprint sync` again.")
