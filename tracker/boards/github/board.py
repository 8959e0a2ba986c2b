"""The GitHub board: one issue per sprint in a repository, plus (optionally) a Projects (v2) board.

:class:`GitHubBoard` is the Board contract (and the ProjectBoard extras) over parts, one per seam,
each the only code that talks to GitHub about its subject — through ``transport``, the only module
that talks to GitHub at all:

=====================  ============================================================================
``issue_items``        the sprints' issues: listed, created, edited (one PATCH each), metrics comment
``labels``             labels: read off the issues, created when the plan asks
``milestones``         milestone numbers by title
``project_status``     the Projects (v2) board holding the status column
``releases``           tags, releases and the commits they point at
=====================  ============================================================================

Reading (:meth:`GitHubBoard.snapshot`) costs two requests however big the roadmap: the issues,
conditionally (a 304 is free; labels and milestones come with them, comments are referenced from
their bodies), and one GraphQL query for the project. Writing: creating requests are sent at once
and never repeated blindly — an unknown outcome raises ``TransientBoardError`` and the sync reads
the board again; edits are queued and sent by :meth:`GitHubBoard.flush` at the end of the round.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from tracker.board_model import Column, Item, ItemFields, Label, Milestone, ProjectState, Release, Snapshot
from tracker.boards.github.issue_items import IssueItems
from tracker.boards.github.issues import IssueRecord
from tracker.boards.github.labels import ensure_label, labels_of
from tracker.boards.github.milestones import Milestones
from tracker.boards.github.project_status import ProjectSettings, ProjectStatus
from tracker.boards.github.releases import Releases
from tracker.boards.github.transport import Transport
from tracker.errors import BoardError

__all__ = ["GitHubBoard", "ProjectSettings"]

log = logging.getLogger("tracker.boards.github")


class GitHubBoard:
    """GitHub Issues (+ Projects v2) behind the Board contract, with the ProjectBoard extras."""

    name = "github"

    def __init__(self, transport: Transport, repo: str, *, project: ProjectSettings | None = None,
                 warn: Callable[[str], None] | None = None) -> None:
        self.t = transport
        self.repo = repo
        self.owner, self.repo_name = repo.split("/", 1)
        self._warn_cb = warn
        self.warnings: list[str] = []
        self.milestones = Milestones(transport, repo)
        self.issues = IssueItems(transport, repo, self.milestones, self._warn)
        self.project = ProjectStatus(transport, repo, project, self._warn) if project else None
        self.releases = Releases(transport, repo)

    def __repr__(self) -> str:
        return f"GitHubBoard(repo={self.repo!r})"

    def _warn(self, text: str) -> None:
        text = self.t.redact(text)
        if text not in self.warnings:
            self.warnings.append(text)
            log.info("warning: %s", text)
            if self._warn_cb:
                self._warn_cb(text)

    @property
    def duplicates(self) -> dict[str, list[int]]:
        """Sprints with several issues: their numbers, the kept (oldest) one first."""
        return self.issues.duplicates

    @property
    def project_disabled(self) -> str | None:
        return self.project.disabled if self.project else None

    @property
    def project_info(self) -> dict[str, Any] | None:
        return self.project.info if self.project else None

    # ---- reading -----------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        self.issues.discard()
        if self.project:
            self.project.discard()
        entries = self.issues.fetch()
        labels = labels_of(entries)
        milestones = self.milestones.read(entries)
        self.issues.read(entries)
        if self.project:
            self.project.read()
        items = {sid: self._item(rec) for sid, rec in self.issues.records.items()}
        self.t.cache.save()
        return Snapshot(items=items, labels=labels, milestones=milestones)

    def _item(self, rec: IssueRecord) -> Item:
        status = self.project.status_of(rec.number) if self.project else None
        return Item(sprint_id=rec.sprint_id, key=str(rec.number), fields=rec.fields(), status=status,
                    closed=rec.closed, comment=rec.comment_ref.render() if rec.comment_ref else None, url=rec.url)

    @property
    def has_status(self) -> bool:
        return self.project is not None and self.project.disabled is None

    def project_state(self) -> ProjectState | None:
        return self.project.state() if self.project else None

    # ---- labels and milestones ---------------------------------------------------------------

    def ensure_label(self, label: Label) -> None:
        ensure_label(self.t, self.repo, label)

    def ensure_milestone(self, milestone: Milestone) -> None:
        self.milestones.ensure(milestone)

    # ---- items -------------------------------------------------------------------------------

    def create_item(self, sprint_id: str, fields: ItemFields) -> Item:
        return self._item(self.issues.create(sprint_id, fields))

    def update_item(self, item: Item, fields: ItemFields) -> Item:
        self.issues.edit(item.sprint_id, fields=fields)
        return item.model_copy(update={"fields": fields})

    def set_closed(self, item: Item, closed: bool) -> None:
        self.issues.edit(item.sprint_id, closed=closed)

    def set_status(self, item: Item, status: Column) -> None:
        if self.project:  # without a project there is no status to keep (has_status is False)
            self.project.queue(item.sprint_id, status)

    def upsert_comment(self, item: Item, body: str) -> None:
        self.issues.upsert_comment(item.sprint_id, body)

    # ---- the project -------------------------------------------------------------------------

    def ensure_project(self, title: str) -> None:
        self._require_project().ensure(title)

    def link_project(self) -> None:
        self._require_project().link()

    def set_status_options(self) -> None:
        """Replace the Status options with ours. Only ever planned while the project holds no item."""
        self._require_project().set_options()

    def _require_project(self) -> ProjectStatus:
        if self.project is None or self.project.disabled is not None:
            raise BoardError("no project board is configured")
        return self.project

    # ---- flushing queued writes --------------------------------------------------------------

    def flush(self) -> None:
        """Send what the round queued: issue edits (one PATCH each), then project items and statuses."""
        try:
            self.issues.flush()
            if self.project:
                self.project.flush(self.issues.records)
        finally:
            self.issues.discard()
            if self.project:
                self.project.discard()
            self.t.cache.save()

    # ---- releases ----------------------------------------------------------------------------

    def ensure_release(self, release: Release) -> None:
        """Annotated tag (``git/tags`` + ``git/refs``) then the release — each checked for existence first."""
        self.releases.ensure(release)

    def ensure_release_report(self, release: Release) -> tuple[bool, bool]:
        """:meth:`ensure_release`, saying what it created: (tag created, release created)."""
        return self.releases.ensure(release)

    def release_exists(self, tag: str) -> tuple[bool, bool]:
        """(tag exists, release exists)."""
        return self.releases.exists(tag)

    def default_branch_head(self) -> str:
        return self.releases.default_branch_head()

    def commit_of(self, ref: str) -> str | None:
        """The commit a tag or branch points at (tags peeled), or None."""
        return self.releases.commit_of(ref)

    def commit_exists(self, sha: str) -> bool:
        return self.releases.commit_exists(sha)
