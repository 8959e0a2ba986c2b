"""The GitHub board: Issues through PyGithub (REST), Projects (v2) through PyGithub's GraphQL requester.

``transport`` is the only module that talks to GitHub (errors, retries, rate limits, ETags);
``issues`` and ``projects`` are pure translations; ``board`` implements the Board contract over one
part per seam (``issue_items``, ``labels``, ``milestones``, ``project_status``, ``releases``).
PyGithub is an optional dependency (``llm-sprint[github]``): import this package only to sync.
"""

from tracker.boards.github.board import GitHubBoard, ProjectSettings
from tracker.boards.github.cache import SyncCache
from tracker.boards.github.transport import Transport

__all__ = ["GitHubBoard", "ProjectSettings", "SyncCache", "Transport"]
