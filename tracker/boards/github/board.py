"""The GitHub board: one issue per sprint in a repository, plus (optionally) a Projects (v2) board.

Reading (:meth:`GitHubBoard.snapshot`) costs two requests however big the roadmap:

1. the repository's issues, ``state=all``, 100 a page, **conditional** — when nothing changed GitHub
   answers 304 (free) and the cached page is used. Issues carry their labels and milestone, so
   labels and milestones are never listed: the plan only asks to *ensure* one no issue carries yet,
   and ensuring tolerates "already exists" (422). The body carries the checklist (manual ticks made
   on GitHub are read back from it) and a reference (id + digest) to the metrics comment, so comments
   are never listed either, except to find that comment again when the reference is missing;
2. one GraphQL query for the project: its Status field and options, and every item with its Status.

Writing: creating requests (issue, comment, label, milestone, project, tag, release) are sent at
once and never repeated blindly — an unknown outcome raises ``TransientBoardError`` and the sync
reads the board again. Edits are queued and sent by :meth:`flush` at the end of the sync's round:
all changes to one issue (body, labels, state) become one PATCH; all new project items one aliased
``addProjectV2ItemById`` document, all status changes one aliased ``updateProjectV2ItemFieldValue``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tracker.board_model import COLUMNS, Column, Item, ItemFields, Label, Milestone, ProjectState, Release, Snapshot
from tracker.boards.github import projects as pj
from tracker.boards.github.issues import IssueRecord, parse_issue, parse_milestone
from tracker.boards.github.transport import GraphQLResult, Transport
from tracker.errors import BoardError, ProjectAccessError, TransientBoardError
from tracker.markers import CommentRef, comment_digest, with_comment_ref

__all__ = ["GitHubBoard", "ProjectSettings"]

log = logging.getLogger("tracker.boards.github")


@dataclass(frozen=True)
class ProjectSettings:
    """Which Projects (v2) board: an existing one by number, or one found/created by title."""

    owner: str
    number: int | None = None
    create_title: str | None = None


@dataclass
class _Pending:
    """Edits to one issue, sent as one PATCH by ``flush``."""

    record: IssueRecord
    fields: ItemFields | None = None
    closed: bool | None = None
    ref: CommentRef | None = None
    ref_changed: bool = False


@dataclass
class _ProjectView:
    settings: ProjectSettings
    record: pj.ProjectRecord | None = None
    owner_id: str | None = None
    disabled: str | None = None  # why the project is not used (a warning for the learner)
    mapping: dict[Column, str] | None = None


@dataclass
class _State:
    issues: dict[str, IssueRecord] = field(default_factory=dict)  # by sprint id
    milestones: dict[str, int] = field(default_factory=dict)  # title → number
    repo_id: str | None = None


class GitHubBoard:
    """GitHub Issues (+ Projects v2) behind the Board contract, with the ProjectBoard extras."""

    name = "github"

    def __init__(self, transport: Transport, repo: str, *, project: ProjectSettings | None = None,
                 warn: Callable[[str], None] | None = None) -> None:
        self.t = transport
        self.repo = repo
        self.owner, self.repo_name = repo.split("/", 1)
        self._project = _ProjectView(project) if project else None
        self._warn_cb = warn
        self.warnings: list[str] = []
        self.duplicates: dict[str, list[int]] = {}
        self._s = _State()
        self._pending: dict[int, _Pending] = {}
        self._pending_status: dict[str, Column] = {}

    def __repr__(self) -> str:
        return f"GitHubBoard(repo={self.repo!r})"

    # ---- helpers -----------------------------------------------------------------------------

    @property
    def _repo_path(self) -> str:
        return f"/repos/{self.owner}/{self.repo_name}"

    def _warn(self, text: str) -> None:
        text = self.t.redact(text)
        if text not in self.warnings:
            self.warnings.append(text)
            log.info("warning: %s", text)
            if self._warn_cb:
                self._warn_cb(text)

    def _disable_project(self, why: str) -> None:
        if self._project is not None and self._project.disabled is None:
            self._project.disabled = why
            self._warn(f"{why} — syncing issues only (no project board)")

    @property
    def project_disabled(self) -> str | None:
        return self._project.disabled if self._project else None

    @property
    def project_info(self) -> dict[str, Any] | None:
        if self._project is None:
            return None
        rec = self._project.record
        return {"number": rec.number if rec else None,
                "title": rec.title if rec else self._project.settings.create_title,
                "url": rec.url if rec else None, "owner": self._project.settings.owner,
                "available": self._project.disabled is None, "reason": self._project.disabled}

    # ---- reading -----------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        self._pending.clear()
        self._pending_status.clear()
        raw = self.t.get_pages(f"{self._repo_path}/issues",
                               {"state": "all", "per_page": 100, "sort": "created", "direction": "asc"},
                               what=f"listing the issues of {self.repo}")
        issues: dict[str, IssueRecord] = {}
        labels: dict[str, Label] = {}
        milestones: dict[str, Milestone] = {}
        numbers: dict[str, int] = {}
        duplicates: dict[str, list[int]] = {}
        for entry in raw:
            if not isinstance(entry, dict):
                continue
            for lb in entry.get("labels") or []:
                if isinstance(lb, dict) and "name" in lb:
                    labels.setdefault(str(lb["name"]), Label(name=str(lb["name"]), color=str(lb.get("color") or
                                                                                          "ededed"),
                                                             description=str(lb.get("description") or "")))
            if isinstance(entry.get("milestone"), dict):
                number, ms = parse_milestone(entry["milestone"])
                milestones.setdefault(ms.title, ms)
                numbers.setdefault(ms.title, number)
            record = parse_issue(entry)
            if record is None:
                continue
            if record.sprint_id in issues:  # keep the oldest; never delete anything
                duplicates.setdefault(record.sprint_id, [issues[record.sprint_id].number]).append(record.number)
                continue
            issues[record.sprint_id] = record
        self.duplicates = duplicates
        for sid, nums in duplicates.items():
            self._warn(f"sprint {sid} has several issues ({', '.join(f'#{n}' for n in nums)}); "
                       f"#{nums[0]} is kept, close the others by hand")
        self._s.issues = issues
        self._s.milestones.update(numbers)
        self._read_project()
        items = {sid: self._item(rec) for sid, rec in issues.items()}
        self.t.cache.save()
        return Snapshot(items=items, labels=labels, milestones=milestones)

    def _item(self, rec: IssueRecord) -> Item:
        status: Column | None = None
        proj = self._project
        if proj is not None and proj.record is not None and proj.mapping and rec.number in proj.record.items:
            option = proj.record.items[rec.number][1]
            status = next((c for c, name in proj.mapping.items() if name == option), None)
        return Item(sprint_id=rec.sprint_id, key=str(rec.number), fields=rec.fields(), status=status,
                    closed=rec.closed, comment=rec.comment_ref.render() if rec.comment_ref else None, url=rec.url)

    @property
    def has_status(self) -> bool:
        return self._project is not None and self._project.disabled is None

    def project_state(self) -> ProjectState | None:
        proj = self._project
        if proj is None or proj.disabled is not None:
            return None
        rec = proj.record
        title = rec.title if rec else (proj.settings.create_title or "")
        if rec is None:
            return ProjectState(title=title, exists=False, linked=False, options_ready=False)
        return ProjectState(title=title, exists=True, linked=rec.linked, options_ready=proj.mapping is not None,
                            has_items=rec.total_items > 0)

    def _read_project(self) -> None:
        proj = self._project
        if proj is None or proj.disabled is not None:
            return
        settings = proj.settings
        same_owner = settings.owner.lower() == self.owner.lower()
        kinds = ["repo"] if same_owner else [self.t.cache.fact(f"owner-kind:{settings.owner}") or "user"]
        if not same_owner:
            kinds += [k for k in ("user", "organization") if k not in kinds]
        variables: dict[str, Any] = {"repoOwner": self.owner, "repoName": self.repo_name, "after": None}
        if settings.number is not None:
            variables["number"] = settings.number
        else:
            variables["title"] = settings.create_title or ""
        if not same_owner:
            variables["login"] = settings.owner
        result: GraphQLResult | None = None
        owner: dict[str, Any] | None = None
        for kind in kinds:
            doc = pj.read_document(kind, by_number=settings.number is not None, same_owner=same_owner)
            try:
                result = self.t.graphql(doc, variables, what=f"reading project of {settings.owner}")
            except ProjectAccessError as exc:
                self._disable_project(_access_reason(str(exc), settings.owner, self.t.graphql_scopes))
                return
            repo = result.data.get("repository") or {}
            self._s.repo_id = repo.get("id") or self._s.repo_id
            owner = (repo.get("owner") if same_owner else result.data.get("owner")) or None
            if owner is not None:
                if not same_owner:
                    self.t.cache.store_fact(f"owner-kind:{settings.owner}", kind)
                break
        assert result is not None
        if owner is None:
            self._disable_project(f"the projects of {settings.owner!r} could not be read ({_first_message(result)})")
            return
        scopes = self.t.graphql_scopes
        if scopes is not None and "project" not in scopes:
            self._disable_project(_access_reason("", settings.owner, scopes))
            return
        proj.owner_id = str(owner.get("id") or "") or None
        node: dict[str, Any] | None
        if settings.number is not None:
            node = owner.get("projectV2")
            if node is None:
                self._disable_project(f"project #{settings.number} of {settings.owner} was not found "
                                      f"({_first_message(result)})")
                return
        else:
            wanted = settings.create_title or ""
            nodes = [n for n in (owner.get("projectsV2") or {}).get("nodes") or []
                     if isinstance(n, dict) and n.get("title") == wanted and not n.get("closed")]
            node = min(nodes, key=lambda n: int(n["number"])) if nodes else None
        if node is None:
            proj.record, proj.mapping = None, None
            return
        record = pj.parse_project(node, self.repo)
        while record.next_cursor:
            try:
                more = self.t.graphql(pj.MORE_ITEMS, {"id": record.id, "after": record.next_cursor},
                                      what="reading more project items")
            except ProjectAccessError as exc:
                self._disable_project(_access_reason(str(exc), settings.owner, self.t.graphql_scopes))
                return
            pj.add_items_page(record, (more.data.get("node") or {}).get("items") or {}, self.repo)
        proj.record = record
        proj.mapping = record.mapping()
        if proj.mapping is None and record.total_items > 0:
            names = ", ".join(record.options) or "none"
            self._warn(f"project #{record.number}'s Status options ({names}) do not match To Learn / In Progress / "
                       f"Done, and replacing them now would orphan its {record.total_items} cards — card status is "
                       "not synced; rename the options by hand to enable it")
        elif proj.mapping is not None and any(c != name for c, name in proj.mapping.items()):
            self._warn(f"project #{record.number} keeps its Status options "
                       f"({', '.join(proj.mapping[c] for c in COLUMNS)}) as To Learn / In Progress / Done: it "
                       "already has items, and replacing options would orphan them")

    # ---- labels and milestones ---------------------------------------------------------------

    def ensure_label(self, label: Label) -> None:
        r = self.t.rest("POST", f"{self._repo_path}/labels", expect=(422,), what=f"creating label {label.name!r}",
                        body={"name": label.name, "color": label.color, "description": label.description})
        if r.status == 422 and "already_exists" not in str(r.data):  # anything else is a real problem
            raise BoardError(self.t.redact(f"creating label {label.name!r}: {r.data}"))

    def ensure_milestone(self, milestone: Milestone) -> None:
        body: dict[str, Any] = {"title": milestone.title, "description": milestone.description}
        if milestone.due_on:
            body["due_on"] = f"{milestone.due_on.isoformat()}T00:00:00Z"
        r = self.t.rest("POST", f"{self._repo_path}/milestones", body=body, expect=(422,),
                        what=f"creating milestone {milestone.title!r}")
        if r.status == 201 and isinstance(r.data, dict):
            self._s.milestones[milestone.title] = int(r.data["number"])
            return
        self._load_milestones()  # it exists already: learn its number
        if milestone.title not in self._s.milestones:
            raise BoardError(self.t.redact(f"milestone {milestone.title!r} could not be created nor found"))

    def _load_milestones(self) -> None:
        for raw in self.t.get_pages(f"{self._repo_path}/milestones", {"state": "all", "per_page": 100},
                                    what=f"listing the milestones of {self.repo}"):
            number, ms = parse_milestone(raw)
            self._s.milestones[ms.title] = number

    def _milestone_number(self, title: str | None) -> int | None:
        if title is None:
            return None
        if title not in self._s.milestones:
            self._load_milestones()
        if title not in self._s.milestones:
            raise BoardError(f"milestone {title!r} does not exist in {self.repo}")
        return self._s.milestones[title]

    # ---- items -------------------------------------------------------------------------------

    def create_item(self, sprint_id: str, fields: ItemFields) -> Item:
        body: dict[str, Any] = {"title": fields.title, "body": fields.body, "labels": fields.labels}
        number = self._milestone_number(fields.milestone)
        if number is not None:
            body["milestone"] = number
        r = self.t.rest("POST", f"{self._repo_path}/issues", body=body, what=f"creating the issue of [{sprint_id}]")
        rec = parse_issue(r.data) if isinstance(r.data, dict) else None
        if rec is None:
            raise BoardError(f"creating the issue of [{sprint_id}]: unexpected answer")
        self._s.issues[sprint_id] = rec
        return self._item(rec)

    def _pending_for(self, item: Item) -> _Pending:
        rec = self._s.issues.get(item.sprint_id)
        if rec is None:
            raise BoardError(f"no issue known for [{item.sprint_id}]")
        return self._pending.setdefault(rec.number, _Pending(rec, ref=rec.comment_ref))

    def update_item(self, item: Item, fields: ItemFields) -> Item:
        self._pending_for(item).fields = fields
        return item.model_copy(update={"fields": fields})

    def set_closed(self, item: Item, closed: bool) -> None:
        self._pending_for(item).closed = closed

    def set_status(self, item: Item, status: Column) -> None:
        self._pending_status[item.sprint_id] = status

    def upsert_comment(self, item: Item, body: str) -> None:
        pending = self._pending_for(item)
        rec = pending.record
        path = f"{self._repo_path}/issues"
        comment_id = rec.comment_ref.id if rec.comment_ref else None
        if comment_id is not None:
            r = self.t.rest("PATCH", f"{path}/comments/{comment_id}", body={"body": body}, expect=(404,),
                            what=f"editing the metrics comment of [{item.sprint_id}]")
            if r.status == 404:
                comment_id = None  # deleted by hand: look for another, else write a new one
        if comment_id is None and rec.comments > 0:
            comment_id = self._find_comment(rec, body)
        if comment_id is None:
            r = self.t.rest("POST", f"{path}/{rec.number}/comments", body={"body": body},
                            what=f"adding the metrics comment to [{item.sprint_id}]")
            comment_id = int(r.data["id"])
        pending.ref = CommentRef(comment_id, comment_digest(body))
        pending.ref_changed = pending.ref != rec.comment_ref

    def _find_comment(self, rec: IssueRecord, body: str) -> int | None:
        """The metrics comment found by its marker (after a crash lost its reference); edited if stale."""
        first_line = body.split("\n", 1)[0].strip()
        for raw in self.t.get_pages(f"{self._repo_path}/issues/{rec.number}/comments", {"per_page": 100},
                                    what=f"looking for the metrics comment of [{rec.sprint_id}]"):
            text = str(raw.get("body") or "")
            if text.strip().startswith(first_line):
                if comment_digest(text) != comment_digest(body):
                    self.t.rest("PATCH", f"{self._repo_path}/issues/comments/{raw['id']}", body={"body": body},
                                what=f"editing the metrics comment of [{rec.sprint_id}]")
                return int(raw["id"])
        return None

    # ---- the project -------------------------------------------------------------------------

    def ensure_project(self, title: str) -> None:
        proj = self._require_project()
        if proj.owner_id is None or self._s.repo_id is None:
            raise BoardError("cannot create the project: the owner or the repository was not found")
        r = self._mutate(pj.CREATE_PROJECT, {"owner": proj.owner_id, "repo": self._s.repo_id, "title": title},
                         f"creating project {title!r}")
        node = (r.data.get("createProjectV2") or {}).get("projectV2")
        if not node:
            raise BoardError(f"creating project {title!r}: {_first_message(r)}")
        proj.record = pj.parse_project(node, self.repo)
        proj.record.linked = True  # created with repositoryId
        proj.mapping = proj.record.mapping()
        self._warn_once_created(proj.record)

    def _warn_once_created(self, record: pj.ProjectRecord) -> None:
        log.info("created project #%s %s", record.number, record.url)

    def link_project(self) -> None:
        proj = self._require_project()
        assert proj.record is not None
        if self._s.repo_id is None:
            raise BoardError("cannot link the project: the repository's id is unknown")
        self._mutate(pj.LINK_PROJECT, {"project": proj.record.id, "repo": self._s.repo_id},
                     f"linking project #{proj.record.number} to {self.repo}")
        proj.record.linked = True

    def set_status_options(self) -> None:
        """Replace the Status options with ours. Only ever planned while the project holds no item."""
        proj = self._require_project()
        rec = proj.record
        assert rec is not None
        if rec.total_items > 0 or rec.items:
            raise BoardError(f"refusing to replace the Status options of project #{rec.number}: it has items")
        if rec.status_field:
            r = self._mutate(pj.SET_OPTIONS, {"field": rec.status_field, "options": pj.option_inputs()},
                             "setting the project's Status options")
            got = (r.data.get("updateProjectV2Field") or {}).get("projectV2Field") or {}
        else:
            r = self._mutate(pj.CREATE_STATUS_FIELD, {"project": rec.id, "options": pj.option_inputs()},
                             "creating the project's Status field")
            got = (r.data.get("createProjectV2Field") or {}).get("projectV2Field") or {}
        if not got.get("id"):
            raise BoardError(f"setting the Status options: {_first_message(r)}")
        rec.status_field = str(got["id"])
        rec.options = {str(o["name"]): str(o["id"]) for o in got.get("options") or []}
        proj.mapping = pj.status_mapping(rec.options, allow_aliases=False)

    def _require_project(self) -> _ProjectView:
        if self._project is None or self._project.disabled is not None:
            raise BoardError("no project board is configured")
        return self._project

    def _mutate(self, doc: str, variables: dict[str, Any], what: str) -> GraphQLResult:
        try:
            r = self.t.graphql(doc, variables, mutation=True, what=what)
        except ProjectAccessError as exc:
            self._disable_project(_access_reason(str(exc), self._project.settings.owner if self._project else "",
                                                 self.t.graphql_scopes))
            raise TransientBoardError(f"{what}: no access to the project; continuing with issues only") from None
        if r.errors:
            raise BoardError(self.t.redact(f"{what}: {_first_message(r)}"))
        return r

    # ---- flushing queued writes --------------------------------------------------------------

    def flush(self) -> None:
        try:
            self._flush_issues()
            self._flush_statuses()
        finally:
            self._pending.clear()
            self._pending_status.clear()
            self.t.cache.save()

    def _flush_issues(self) -> None:
        for number, p in sorted(self._pending.items()):
            body: dict[str, Any] = {}
            fields = p.fields
            if fields is not None:
                body["title"] = fields.title
                body["labels"] = fields.labels
                ms = self._milestone_number(fields.milestone)
                body["milestone"] = ms  # None clears it
            if fields is not None or p.ref_changed:
                body["body"] = with_comment_ref(fields.body if fields is not None else p.record.body, p.ref)
            if p.closed is not None:
                body["state"] = "closed" if p.closed else "open"
                if p.closed:
                    body["state_reason"] = "completed"
            if not body:
                continue
            self.t.rest("PATCH", f"{self._repo_path}/issues/{number}", body=body,
                        what=f"updating the issue of [{p.record.sprint_id}]")

    def _flush_statuses(self) -> None:
        if not self._pending_status:
            return
        proj = self._project
        if proj is None or proj.disabled is not None or proj.record is None or proj.mapping is None:
            return
        rec, mapping = proj.record, proj.mapping
        if rec.status_field is None:
            return
        wanted = [(sid, self._s.issues[sid], col) for sid, col in self._pending_status.items() if sid in self._s.issues]
        missing = [(sid, issue) for sid, issue, _ in wanted if issue.number not in rec.items]
        for start in range(0, len(missing), pj.ADD_BATCH):
            batch = missing[start:start + pj.ADD_BATCH]
            variables: dict[str, Any] = {"project": rec.id}
            variables.update({f"c{i}": issue.node_id for i, (_, issue) in enumerate(batch)})
            r = self._mutate(pj.add_items_document(len(batch)), variables,
                             f"adding {len(batch)} issue(s) to project #{rec.number}")
            for i, (_, issue) in enumerate(batch):
                item = (r.data.get(f"a{i}") or {}).get("item") or {}
                if item.get("id"):
                    rec.items[issue.number] = (str(item["id"]), None)
                    rec.total_items += 1
        moves = [(rec.items[issue.number][0], rec.options[mapping[col]]) for _, issue, col in wanted
                 if issue.number in rec.items and mapping[col] in rec.options]
        for start in range(0, len(moves), pj.ADD_BATCH):
            batch_moves = moves[start:start + pj.ADD_BATCH]
            variables = {"project": rec.id, "field": rec.status_field}
            for i, (item_id, option_id) in enumerate(batch_moves):
                variables[f"i{i}"] = item_id
                variables[f"o{i}"] = option_id
            self._mutate(pj.set_status_document(len(batch_moves)), variables,
                         f"setting the status of {len(batch_moves)} card(s)")

    # ---- releases ----------------------------------------------------------------------------

    def ensure_release(self, release: Release) -> None:
        """Annotated tag (``git/tags`` + ``git/refs``) then the release — each checked for existence first."""
        self.ensure_release_report(release)

    def ensure_release_report(self, release: Release) -> tuple[bool, bool]:
        """:meth:`ensure_release`, saying what it created: (tag created, release created)."""
        tag_created = release_created = False
        r = self.t.rest("GET", f"{self._repo_path}/git/ref/tags/{release.tag}", expect=(404,),
                        what=f"looking for tag {release.tag}")
        if r.status == 404:
            if not release.sha:
                raise BoardError(f"tag {release.tag}: no commit to tag")
            tag = self.t.rest("POST", f"{self._repo_path}/git/tags", what=f"creating tag object {release.tag}", body={
                "tag": release.tag, "message": f"{release.name}\n", "object": release.sha, "type": "commit"})
            ref = self.t.rest("POST", f"{self._repo_path}/git/refs", expect=(422,), what=f"creating tag {release.tag}",
                              body={"ref": f"refs/tags/{release.tag}", "sha": str(tag.data["sha"])})
            if ref.status == 422 and "already exists" not in str((ref.data or {}).get("message", "")).lower():
                raise BoardError(self.t.redact(f"creating tag {release.tag}: {(ref.data or {}).get('message')}"))
            tag_created = ref.status == 201
        r = self.t.rest("GET", f"{self._repo_path}/releases/tags/{release.tag}", expect=(404,),
                        what=f"looking for release {release.tag}")
        if r.status == 404:
            created = self.t.rest("POST", f"{self._repo_path}/releases", expect=(422,),
                                  what=f"publishing release {release.tag}",
                                  body={"tag_name": release.tag, "name": release.name, "body": release.notes,
                                        "draft": False, "prerelease": False})
            if created.status == 422 and "already_exists" not in str(created.data):
                raise BoardError(self.t.redact(f"publishing release {release.tag}: {created.data}"))
            release_created = created.status == 201
        return tag_created, release_created

    def release_exists(self, tag: str) -> tuple[bool, bool]:
        """(tag exists, release exists)."""
        tag_r = self.t.rest("GET", f"{self._repo_path}/git/ref/tags/{tag}", expect=(404,),
                            what=f"looking for tag {tag}")
        rel_r = self.t.rest("GET", f"{self._repo_path}/releases/tags/{tag}", expect=(404,),
                            what=f"looking for release {tag}")
        return tag_r.status != 404, rel_r.status != 404

    def default_branch_head(self) -> str:
        repo = self.t.rest("GET", self._repo_path, what=f"reading {self.repo}")
        branch = str(repo.data.get("default_branch") or "main")
        b = self.t.rest("GET", f"{self._repo_path}/branches/{branch}", what=f"reading branch {branch}")
        return str(b.data["commit"]["sha"])

    def commit_of(self, ref: str) -> str | None:
        """The commit a tag or branch points at (tags peeled), or None."""
        r = self.t.rest("GET", f"{self._repo_path}/commits/{ref}", expect=(404, 422), what=f"reading {ref}")
        return str(r.data["sha"]) if r.status == 200 and isinstance(r.data, dict) else None

    def commit_exists(self, sha: str) -> bool:
        r = self.t.rest("GET", f"{self._repo_path}/commits/{sha}", expect=(404, 422), what=f"looking for commit {sha}")
        return r.status == 200


def _first_message(result: GraphQLResult) -> str:
    return "; ".join(str(e.get("message") or e.get("type")) for e in result.errors[:3]) or "no details"


def _access_reason(detail: str, owner: str, scopes: set[str] | None) -> str:
    if scopes is not None and "project" not in scopes:
        granted = ", ".join(sorted(scopes)) or "none"
        return (f"the token used for Projects (v2) lacks the `project` scope (it has: {granted}); "
                "set PROJECT_TOKEN to a classic token with the `project` scope")
    return (f"the token cannot reach {owner}'s Projects (v2) board"
            + (f" ({detail})" if detail else "")
            + ": a user-owned project needs PROJECT_TOKEN, a classic token with the `project` scope "
              "(the Actions GITHUB_TOKEN never reaches user projects)")
