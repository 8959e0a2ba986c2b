"""Sync = plan, then apply (SPEC §8): ``desired`` (pure) → ``plan`` (pure diff) → ``apply`` (effects).

``local`` syncs the embedded board; ``github`` syncs GitHub Issues + Projects (v2) (and then the
local board, its offline mirror).
"""

from tracker.sync.apply import SyncReport, plan_board, sync
from tracker.sync.desired import Desired, DesiredItem, desired_state
from tracker.sync.plan import Action, plan

__all__ = ["Action", "Desired", "DesiredItem", "SyncReport", "desired_state", "plan", "plan_board",
           "sync"]
