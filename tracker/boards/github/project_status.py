"""The Projects (v2) board that holds the sprints' status column, over GraphQL.

* **Reading** is one query (``projects.read_document``): the project's id, its Status field and
  options, the repositories it is linked to, and every item with its Status (100 a page), together
  with the node ids of the repository and of the owner (needed to create and link). An owner other
  than the repository's may be a user or an organisation: the kind that answered is remembered in
  the sync cache, so the next run asks once.
* **Degrading, never failing, on access.** A token that cannot reach the project (no ``project``
  scope; the Actions ``GITHUB_TOKEN`` never reaches a user's projects) disables the project with a
  warning that says which token to set: the sync goes on with issues only.
* **Status options.** Ours (To Learn / In Progress / Done) are set only while the project holds no
  item — replacing options gives them new ids and orphans every card. A project that already has
  items keeps its options where they map onto ours (Todo, Doing, …); else status is not synced.
* **Writing** status is queued: all new project items become one aliased ``addProjectV2ItemById``
  document, all status changes one aliased ``updateProjectV2ItemFieldValue`` (:meth:`flush`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tracker.board_model import COLUMNS, Column, ProjectState
from tracker.boards.github import projects as pj
from tracker.boards.github.issues import IssueRecord
from tracker.boards.github.transport import GraphQLResult, Transport
from tracker.errors import BoardError, ProjectAccessError, TransientBoardError

__all__ = ["ProjectSettings", "ProjectStatus"]

log = logging.getLogger("tracker.boards.github")


@dataclass(frozen=True)
class ProjectSettings:
    """Which Projects (v2) board: an existing one by number, or one found/created by title."""

    owner: str
    number: int | None = None
    create_title: str | None = None


class ProjectStatus:
    """The project board of one repository (OWNER/NAME), as the last snapshot read it."""

    def __init__(self, t: Transport, repo: str, settings: ProjectSettings, warn: Callable[[str], None]) -> None:
        self.t = t
        self.repo = repo
        self.owner, self.repo_name = repo.split("/", 1)
        self.settings = settings
        self.warn = warn
        self.record: pj.ProjectRecord | None = None
        self.owner_id: str | None = None
        self.repo_id: str | None = None
        self.disabled: str | None = None  # why the project is not used (a warning for the learner)
        self.mapping: dict[Column, str] | None = None  # our column → the project's option name
        self._pending: dict[str, Column] = {}  # sprint id → its new status

    # ---- state -------------------------------------------------------------------------------

    def disable(self, why: str) -> None:
        if self.disabled is None:
            self.disabled = why
            self.warn(f"{why} — syncing issues only (no project board)")

    @property
    def info(self) -> dict[str, Any]:
        rec = self.record
        return {"number": rec.number if rec else None, "title": rec.title if rec else self.settings.create_title,
                "url": rec.url if rec else None, "owner": self.settings.owner,
                "available": self.disabled is None, "reason": self.disabled}

    def status_of(self, issue_number: int) -> Column | None:
        """The column of an issue's card, or None (not on the board, no status, or an unmapped option)."""
        if self.record is None or not self.mapping or issue_number not in self.record.items:
            return None
        option = self.record.items[issue_number][1]
        return next((c for c, name in self.mapping.items() if name == option), None)

    def state(self) -> ProjectState | None:
        """What the plan needs to know; None when the project is disabled."""
        if self.disabled is not None:
            return None
        rec = self.record
        title = rec.title if rec else (self.settings.create_title or "")
        if rec is None:
            return ProjectState(title=title, exists=False, linked=False, options_ready=False)
        return ProjectState(title=title, exists=True, linked=rec.linked, options_ready=self.mapping is not None,
                            has_items=rec.total_items > 0)

    # ---- reading -----------------------------------------------------------------------------

    def read(self) -> None:
        """Read the project (and the owner's and repository's ids); disable it when it cannot be reached."""
        if self.disabled is not None:
            return
        settings = self.settings
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
                self.disable(_access_reason(str(exc), settings.owner, self.t.graphql_scopes))
                return
            repo = result.data.get("repository") or {}
            self.repo_id = repo.get("id") or self.repo_id
            owner = (repo.get("owner") if same_owner else result.data.get("owner")) or None
            if owner is not None:
                if not same_owner:
                    self.t.cache.store_fact(f"owner-kind:{settings.owner}", kind)
                break
        assert result is not None
        if owner is None:
            self.disable(f"the projects of {settings.owner!r} could not be read ({_first_message(result)})")
            return
        scopes = self.t.graphql_scopes
        if scopes is not None and "project" not in scopes:
            self.disable(_access_reason("", settings.owner, scopes))
            return
        self.owner_id = str(owner.get("id") or "") or None
        node: dict[str, Any] | None
        if settings.number is not None:
            node = owner.get("projectV2")
            if node is None:
                self.disable(f"project #{settings.number} of {settings.owner} was not found ({_first_message(result)})")
                return
        else:
            wanted = settings.create_title or ""
            nodes = [n for n in (owner.get("projectsV2") or {}).get("nodes") or []
                     if isinstance(n, dict) and n.get("title") == wanted and not n.get("closed")]
            node = min(nodes, key=lambda n: int(n["number"])) if nodes else None
        if node is None:
            self.record, self.mapping = None, None
            return
        record = pj.parse_project(node, self.repo)
        while record.next_cursor:
            try:
                more = self.t.graphql(pj.MORE_ITEMS, {"id": record.id, "after": record.next_cursor},
                                      what="reading more project items")
            except ProjectAccessError as exc:
                self.disable(_access_reason(str(exc), settings.owner, self.t.graphql_scopes))
                return
            pj.add_items_page(record, (more.data.get("node") or {}).get("items") or {}, self.repo)
        self.record = record
        self.mapping = record.mapping()
        if self.mapping is None and record.total_items > 0:
            names = ", ".join(record.options) or "none"
            self.warn(f"project #{record.number}'s Status options ({names}) do not match To Learn / In Progress / "
                      f"Done, and replacing them now would orphan its {record.total_items} cards — card status is "
                      "not synced; rename the options by hand to enable it")
        elif self.mapping is not None and any(c != name for c, name in self.mapping.items()):
            self.warn(f"project #{record.number} keeps its Status options "
                      f"({', '.join(self.mapping[c] for c in COLUMNS)}) as To Learn / In Progress / Done: it "
                      "already has items, and replacing options would orphan them")

    # ---- creating and configuring ------------------------------------------------------------

    def ensure(self, title: str) -> None:
        if self.owner_id is None or self.repo_id is None:
            raise BoardError("cannot create the project: the owner or the repository was not found")
        r = self._mutate(pj.CREATE_PROJECT, {"owner": self.owner_id, "repo": self.repo_id, "title": title},
                         f"creating project {title!r}")
        node = (r.data.get("createProjectV2") or {}).get("projectV2")
        if not node:
            raise BoardError(f"creating project {title!r}: {_first_message(r)}")
        self.record = pj.parse_project(node, self.repo)
        self.record.linked = True  # created with repositoryId
        self.mapping = self.record.mapping()
        log.info("created project #%s %s", self.record.number, self.record.url)

    def link(self) -> None:
        assert self.record is not None
        if self.repo_id is None:
            raise BoardError("cannot link the project: the repository's id is unknown")
        self._mutate(pj.LINK_PROJECT, {"project": self.record.id, "repo": self.repo_id},
                     f"linking project #{self.record.number} to {self.repo}")
        self.record.linked = True

    def set_options(self) -> None:
        """Replace the Status options with ours. Only ever planned while the project holds no item."""
        rec = self.record
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
        self.mapping = pj.status_mapping(rec.options, allow_aliases=False)

    # ---- status --------------------------------------------------------------------------------

    def queue(self, sprint_id: str, status: Column) -> None:
        """Queue the sprint's new status (sent by :meth:`flush`)."""
        self._pending[sprint_id] = status

    def discard(self) -> None:
        self._pending.clear()

    def flush(self, issues: Mapping[str, IssueRecord]) -> None:
        """Add the queued sprints' issues that are not on the board yet, then set every queued status.

        The queue is empty afterwards, whatever happens.
        """
        try:
            self._flush(issues)
        finally:
            self._pending.clear()

    def _flush(self, issues: Mapping[str, IssueRecord]) -> None:
        if not self._pending or self.disabled is not None or self.record is None or self.mapping is None:
            return
        rec, mapping = self.record, self.mapping
        if rec.status_field is None:
            return
        wanted = [(sid, issues[sid], col) for sid, col in self._pending.items() if sid in issues]
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

    def _mutate(self, doc: str, variables: dict[str, Any], what: str) -> GraphQLResult:
        try:
            r = self.t.graphql(doc, variables, mutation=True, what=what)
        except ProjectAccessError as exc:
            self.disable(_access_reason(str(exc), self.settings.owner, self.t.graphql_scopes))
            raise TransientBoardError(f"{what}: no access to the project; continuing with issues only") from None
        if r.errors:
            raise BoardError(self.t.redact(f"{what}: {_first_message(r)}"))
        return r


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
