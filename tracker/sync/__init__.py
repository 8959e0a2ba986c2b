"""Sync = plan, then apply (SPEC §8): ``desired`` (pure) → ``plan`` (pure diff) → ``apply`` (effects)."""

from tracker.sync.apply import SyncReport, sync
from tracker.sync.desired import Desired, DesiredItem, desired_state
from tracker.sync.plan import Action, plan

__all__ = ["Action", "Desired", "DesiredItem", "SyncReport", "desired_state", "plan", "sync"]
