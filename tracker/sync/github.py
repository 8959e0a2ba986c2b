"""Sync to GitHub Issues + Projects (v2), then the local board (the offline mirror the dashboard reads).

Settings come from flags, then the environment, then ``sprint.toml`` (``tracker.config``); tokens only
from the environment: ``GITHUB_TOKEN`` for issues, labels, milestones, tags and releases, and
optionally ``PROJECT_TOKEN`` for the project board (a user-owned project needs a classic token with
the ``project`` scope — the Actions token never reaches one). Without project access the sync falls
back to issues only and says so (a warning, and ``issues_only`` in the JSON report).

Manual checklist items are ticked in the GitHub issue: those ticks are the source of truth (for a
sprint that has no issue yet, the local board's ticks are used, so nothing ticked before GitHub was
configured is lost). The local board is then synced with the same ticks.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tracker.board_model import Snapshot
from tracker.boards.local import LocalBoard
from tracker.config import Config
from tracker.errors import ConfigError, SprintError, UsageError
from tracker.roadmap.models import Roadmap
from tracker.sync.apply import SyncReport, plan_board, sync
from tracker.sync.desired import ticks_from
from tracker.sync.local import desired_builder, sync_local
from tracker.sync.plan import Action
from tracker.workspace import Workspace

if TYPE_CHECKING:
    from tracker.boards.github.board import GitHubBoard
    from tracker.boards.github.transport import Transport

__all__ = ["CACHE_FILE", "GitHubSyncResult", "GitHubTarget", "github_target", "open_github_board", "sync_github"]

CACHE_FILE = "github-cache.json"
DEFAULT_API = "https://api.github.com"
Ticks = Set[tuple[str, str]]


@dataclass(frozen=True)
class GitHubTarget:
    """Where to sync: resolved from flags, environment and ``sprint.toml``."""

    repo: str
    api_url: str = DEFAULT_API
    graphql_url: str | None = None
    project: int | None = None
    create_project: str | None = None
    project_owner: str | None = None

    @property
    def owner(self) -> str:
        return self.project_owner or self.repo.split("/", 1)[0]

    @property
    def wants_project(self) -> bool:
        return self.project is not None or bool(self.create_project)


def github_target(config: Config, *, repo: str | None = None, project: int | None = None,
                  create_project: str | None = None) -> GitHubTarget | None:
    """The GitHub target, or None when no repository is configured (then only the local board syncs)."""
    gh = config.github
    if project is not None and create_project:
        raise UsageError("--project and --create-project exclude each other: use an existing project or create one")
    name = repo or gh.repo
    if not name:
        return None
    if "/" not in name or name.count("/") != 1 or not all(name.split("/")):
        raise ConfigError(f"--repo {name!r}: write OWNER/NAME")
    if project is None and create_project is None:
        project, create_project = gh.project, gh.create_project
    return GitHubTarget(repo=name, api_url=(gh.api_url or DEFAULT_API).rstrip("/"), graphql_url=gh.graphql_url,
                        project=project, create_project=create_project or None, project_owner=gh.project_owner)


@dataclass
class GitHubSyncResult:
    """What a sync did (or, dry run, would do) — printable and JSON-able, never holding a token."""

    repo: str
    dry_run: bool
    actions: list[Action] = field(default_factory=list)
    report: SyncReport | None = None
    warnings: list[str] = field(default_factory=list)
    issues_only: bool = True
    project: dict[str, Any] | None = None
    requests: int = 0
    not_modified: int = 0
    local_applied: list[Action] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "board": "github",
            "repo": self.repo,
            "dry_run": self.dry_run,
            "issues_only": self.issues_only,
            "project": self.project,
            "warnings": self.warnings,
            "planned" if self.dry_run else "applied": [a.model_dump(mode="json") for a in self.actions],
            "rounds": self.report.rounds if self.report else 0,
            "reconciled": self.report.reconciled if self.report else [],
            "requests": self.requests,
            "not_modified": self.not_modified,
            "local": {"applied": [a.model_dump(mode="json") for a in self.local_applied]},
            "error": self.error,
        }


def open_github_board(target: GitHubTarget, *, token: str, project_token: str | None = None,
                      cache_path: os.PathLike[str] | str | None = None, sleep: Callable[[float], None] = time.sleep,
                      warn: Callable[[str], None] | None = None, max_wait: float = 120.0,
                      write_delay: float = 0.0) -> GitHubBoard:
    """A :class:`~tracker.boards.github.board.GitHubBoard` for ``target`` (PyGithub imported here, lazily)."""
    from pathlib import Path

    from tracker.boards.github.board import GitHubBoard, ProjectSettings
    from tracker.boards.github.cache import SyncCache
    from tracker.boards.github.transport import Transport

    cache = SyncCache(Path(cache_path) if cache_path else None, f"{target.api_url} {target.repo.lower()}")
    transport: Transport = Transport(api_url=target.api_url, token=token, graphql_url=target.graphql_url,
                                     graphql_token=project_token or None, cache=cache, sleep=sleep,
                                     max_wait=max_wait, max_total_wait=max(max_wait, 300.0),
                                     write_delay=write_delay)
    settings = None
    if target.wants_project:
        settings = ProjectSettings(owner=target.owner, number=target.project, create_title=target.create_project)
    return GitHubBoard(transport, target.repo, project=settings, warn=warn)


def _merged_ticks(conn: sqlite3.Connection) -> tuple[Callable[[Snapshot], Ticks], list[Ticks]]:
    """Ticks from GitHub's issues; for sprints with no issue yet, the local board's. Remembers the last."""
    local = LocalBoard(conn).ticks()
    last: list[Ticks] = []

    def ticks(snapshot: Snapshot) -> Ticks:
        present = set(snapshot.items)
        merged = set(ticks_from(snapshot)) | {(sid, text) for sid, text in local if sid not in present}
        last[:] = [merged]
        return merged

    return ticks, last


def sync_github(ws: Workspace, roadmap: Roadmap, conn: sqlite3.Connection, target: GitHubTarget, *,
                env: Mapping[str, str] | None = None, dry_run: bool = False,
                cache_path: os.PathLike[str] | str | None = None, sleep: Callable[[float], None] = time.sleep,
                today: dt.date | None = None, warn: Callable[[str], None] | None = None,
                on_action: Callable[[Action], None] | None = None, mirror_local: bool = True,
                max_wait: float = 120.0) -> GitHubSyncResult:
    """Plan (``dry_run``) or apply the GitHub sync, then sync the local board with GitHub's ticks.

    A failure on GitHub still leaves the local board synced (with its own ticks); the error is raised
    afterwards. The result is returned on success; on failure the error carries the message.
    """
    env = os.environ if env is None else env
    project_token = env.get("PROJECT_TOKEN") or None
    token = env.get("GITHUB_TOKEN") or project_token or ""  # a classic token with repo + project does both
    try:
        write_delay = float(env.get("SPRINT_GITHUB_WRITE_DELAY", "0") or 0)
    except ValueError:
        raise ConfigError("SPRINT_GITHUB_WRITE_DELAY must be a number of seconds") from None
    result = GitHubSyncResult(repo=target.repo, dry_run=dry_run)
    if cache_path is None:
        cache_path = ws.state_dir / CACHE_FILE
    ticks, last_ticks = _merged_ticks(conn)
    builder = desired_builder(ws, roadmap, conn, today, ticks=ticks)
    board: GitHubBoard | None = None
    try:
        board = open_github_board(target, token=token, project_token=project_token, cache_path=cache_path,
                                  sleep=sleep, warn=warn, max_wait=max_wait, write_delay=write_delay)
        if dry_run:
            snapshot = board.snapshot()
            result.actions = plan_board(board, builder(snapshot), snapshot)
        else:
            result.report = sync(board, builder, on_action=on_action)
            result.actions = list(result.report.applied)
    except SprintError as exc:
        result.error = str(exc)
        if mirror_local and not dry_run:
            result.local_applied = sync_local(ws, roadmap, conn).applied
        raise
    finally:
        if board is not None:
            _fill(result, board)
            board.t.close()
    if mirror_local and not dry_run:
        result.local_applied = sync_local(ws, roadmap, conn, ticks=last_ticks[0] if last_ticks else None).applied
    return result


def _fill(result: GitHubSyncResult, board: GitHubBoard) -> None:
    result.warnings = list(board.warnings)
    result.issues_only = not board.has_status
    result.project = board.project_info
    result.requests = board.t.requests
    result.not_modified = board.t.not_modified
