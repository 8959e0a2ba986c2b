"""The Projects (v2) mutations, with GitHub's semantics where clients get them wrong.

* ``createProjectV2`` gives the project GitHub's default fields, including a single-select
  **Status** with *Todo / In Progress / Done*. So ``createProjectV2Field(name: "Status")`` on a
  fresh project fails with ``Name has already been taken``: a client must *update* that field.
* ``updateProjectV2Field(singleSelectOptions: …)`` **replaces** the options and every option
  gets a new id, even one with an unchanged name; item values pointing at the old ids are
  dropped (those cards lose their status). :attr:`FakeState.orphaned_values` counts them.
* ``addProjectV2ItemById`` is idempotent: the same content returns the same item.
* ``updateProjectV2ItemFieldValue`` with an option id of another field (or a stale one) fails
  with ``The single select option Id does not belong to the field``.

Every mutation resolves its ids through :meth:`Views.node_of` (``NOT_FOUND`` when unknown) and
checks the token can write the owner's projects (installation tokens never reach user projects).

Issues (the weekly review): ``pinIssue`` (idempotent; GitHub allows three pinned issues per
repository, a fourth is ``UNPROCESSABLE``), ``addComment`` on an issue and ``updateIssueComment``,
each needing write access to the repository's issues (``FORBIDDEN`` otherwise).
"""

from __future__ import annotations

from typing import Any

from .auth import NOT_ACCESSIBLE
from .graphql_base import GitHubError, View
from .graphql_views import Views
from .state import Account, Comment, Issue, Project, ProjectField, ProjectItem, Repository

MAX_PINNED = 3

_EDITABLE = {"SINGLE_SELECT": "singleSelectOptionId", "TEXT": "text", "NUMBER": "number", "DATE": "date"}


class Mutations:
    def __init__(self, views: Views) -> None:
        self.views = views
        self.state = views.ctx.state

    def root(self) -> View:
        return View(
            createProjectV2=self.create_project,
            updateProjectV2=self.update_project,
            linkProjectV2ToRepository=self.link_repository,
            createProjectV2Field=self.create_field,
            updateProjectV2Field=self.update_field,
            deleteProjectV2Field=self.delete_field,
            addProjectV2ItemById=self.add_item,
            updateProjectV2ItemFieldValue=self.update_value,
            clearProjectV2ItemFieldValue=self.clear_value,
            deleteProjectV2Item=self.delete_item,
            pinIssue=self.pin_issue,
            addComment=self.add_comment,
            updateIssueComment=self.update_comment,
        )

    # ---- helpers -----------------------------------------------------------------------------

    def _project(self, node_id: str) -> Project:
        project = self.views.node_of(node_id, Project)
        self.views.guard_project(project.owner, write=True)
        return project

    def _item(self, project: Project, node_id: str) -> ProjectItem:
        item = self.views.node_of(node_id, ProjectItem)
        if item.project is not project:
            raise GitHubError("NOT_FOUND", f"Could not resolve to a node with the global id of '{node_id}'")
        return item

    def _field(self, project: Project, node_id: str) -> ProjectField:
        found = self.views.node_of(node_id, ProjectField)
        if found.project is not project:
            raise GitHubError("NOT_FOUND", f"Could not resolve to a node with the global id of '{node_id}'")
        return found

    def _options(self, raw: list[dict[str, Any]]) -> list[Any]:
        names = [o["name"] for o in raw]
        if len({n.lower() for n in names}) != len(names):
            raise GitHubError("UNPROCESSABLE", "Options must have unique names")
        return [self.state.new_option(o["name"], o["color"], o["description"]) for o in raw]

    def _check_name(self, project: Project, name: str, current: ProjectField | None = None) -> None:
        if not name.strip():
            raise GitHubError("UNPROCESSABLE", "Name can't be blank")
        existing = project.field_by_name(name)
        if existing is not None and existing is not current:
            raise GitHubError("UNPROCESSABLE", "Name has already been taken")

    @staticmethod
    def _payload(input: dict[str, Any], **fields: Any) -> View:
        return View(clientMutationId=input.get("clientMutationId"), **fields)

    # ---- projects ----------------------------------------------------------------------------

    def create_project(self, input: dict[str, Any]) -> View:
        owner = self.views.node_of(input["ownerId"], Account)
        self.views.guard_project(owner, write=True)
        project = self.state.add_project(owner, input["title"])
        if input.get("repositoryId"):
            project.repositories.append(self.views.node_of(input["repositoryId"], Repository))
        return self._payload(input, projectV2=self.views.project(project))

    def update_project(self, input: dict[str, Any]) -> View:
        project = self._project(input["projectId"])
        for key, attr in (
            ("title", "title"),
            ("shortDescription", "short_description"),
            ("readme", "readme"),
            ("public", "public"),
            ("closed", "closed"),
        ):
            if input.get(key) is not None:
                setattr(project, attr, input[key])
        project.updated_at = self.state.clock()
        return self._payload(input, projectV2=self.views.project(project))

    def link_repository(self, input: dict[str, Any]) -> View:
        project = self._project(input["projectId"])
        repo = self.views.node_of(input["repositoryId"], Repository)
        if repo not in project.repositories:
            project.repositories.append(repo)
        return self._payload(input, repository=self.views.repository(repo))

    # ---- fields ------------------------------------------------------------------------------

    def create_field(self, input: dict[str, Any]) -> View:
        project = self._project(input["projectId"])
        data_type, name = input["dataType"], input["name"]
        self._check_name(project, name)
        options = input.get("singleSelectOptions")
        if data_type == "SINGLE_SELECT" and not options:
            raise GitHubError("UNPROCESSABLE", "Single select fields must have at least one option")
        created = self.state.add_field(project, name, data_type)
        if data_type == "SINGLE_SELECT":
            created.options = self._options(options or [])
        return self._payload(input, projectV2Field=self.views.field(created))

    def update_field(self, input: dict[str, Any]) -> View:
        found = self.views.node_of(input["fieldId"], ProjectField)
        if found.project is None:
            raise GitHubError("NOT_FOUND", f"Could not resolve to a node with the global id of '{input['fieldId']}'")
        self.views.guard_project(found.project.owner, write=True)
        if input.get("name"):
            self._check_name(found.project, input["name"], found)
            found.name = input["name"]
        if input.get("singleSelectOptions") is not None:
            if found.data_type != "SINGLE_SELECT":
                raise GitHubError("UNPROCESSABLE", "Only single select fields have options")
            if not input["singleSelectOptions"]:
                raise GitHubError("UNPROCESSABLE", "Single select fields must have at least one option")
            self.state.replace_options(found, self._options(input["singleSelectOptions"]))
        found.updated_at = self.state.clock()
        return self._payload(input, projectV2Field=self.views.field(found))

    def delete_field(self, input: dict[str, Any]) -> View:
        found = self.views.node_of(input["fieldId"], ProjectField)
        project = found.project
        if project is None or found.data_type not in _EDITABLE:
            raise GitHubError("UNPROCESSABLE", "This field cannot be deleted")
        self.views.guard_project(project.owner, write=True)
        project.fields.remove(found)
        for item in project.items:
            item.values.pop(found.node_id, None)
        return self._payload(input, projectV2Field=self.views.field(found))

    # ---- items -------------------------------------------------------------------------------

    def add_item(self, input: dict[str, Any]) -> View:
        project = self._project(input["projectId"])
        content = self.views.node_of(input["contentId"], Issue)
        return self._payload(input, item=self.views.item(self.state.add_item(project, content)))

    def update_value(self, input: dict[str, Any]) -> View:
        project = self._project(input["projectId"])
        item = self._item(project, input["itemId"])
        target = self._field(project, input["fieldId"])
        key = _EDITABLE.get(target.data_type)
        if key is None:
            raise GitHubError(
                "UNPROCESSABLE", f"The field of type {target.data_type} is not supported by this mutation"
            )
        value = input["value"]
        given = {k for k, v in value.items() if v is not None}
        if given != {key}:
            raise GitHubError("UNPROCESSABLE", f"A {target.data_type} field takes exactly one `{key}` value")
        if key == "singleSelectOptionId" and target.option(value[key]) is None:
            raise GitHubError("UNPROCESSABLE", "The single select option Id does not belong to the field")
        item.values[target.node_id] = value[key]
        item.updated_at = project.updated_at = self.state.clock()
        return self._payload(input, projectV2Item=self.views.item(item))

    def clear_value(self, input: dict[str, Any]) -> View:
        project = self._project(input["projectId"])
        item = self._item(project, input["itemId"])
        target = self._field(project, input["fieldId"])
        item.values.pop(target.node_id, None)
        item.updated_at = self.state.clock()
        return self._payload(input, projectV2Item=self.views.item(item))

    def delete_item(self, input: dict[str, Any]) -> View:
        project = self._project(input["projectId"])
        item = self._item(project, input["itemId"])
        project.items.remove(item)
        self.state.nodes.pop(item.node_id, None)
        return self._payload(input, deletedItemId=item.node_id)

    # ---- issues: pins and comments -----------------------------------------------------------------

    def _writable_issue(self, node_id: str) -> tuple[Repository, Issue]:
        issue = self.views.node_of(node_id, Issue, "Issue")
        repo = issue.repo
        if repo is None or not self.views.can_read(repo):
            raise GitHubError("NOT_FOUND", f"Could not resolve to a node with the global id of '{node_id}'")
        if not self.views.ctx.token.can_write_repo("issues", private=repo.private):
            raise GitHubError("FORBIDDEN", NOT_ACCESSIBLE)
        return repo, issue

    def pin_issue(self, input: dict[str, Any]) -> View:
        repo, issue = self._writable_issue(input["issueId"])
        if issue.number not in repo.pinned:
            if len([n for n in repo.pinned if n in repo.issues]) >= MAX_PINNED:
                raise GitHubError("UNPROCESSABLE", f"You can only pin {MAX_PINNED} issues per repository.")
            repo.pinned.append(issue.number)
        return self._payload(input, issue=self.views.issue(issue))

    def add_comment(self, input: dict[str, Any]) -> View:
        _, issue = self._writable_issue(input["subjectId"])
        text = input["body"]
        if not text.strip():
            raise GitHubError("UNPROCESSABLE", "Body cannot be blank")
        now = self.state.clock()
        comment_id = self.state.new_id()
        comment = Comment(comment_id, "", issue.number, text, self.views.ctx.actor, now, now)
        comment.node_id = self.state.new_node_id("IC_kwDO", comment, comment_id)
        issue.comments.append(comment)
        issue.updated_at = now
        node = self.views.comment(issue, comment)
        edge = View(__typename="IssueCommentEdge", cursor=f"comment:{comment_id}", node=node)
        return self._payload(input, commentEdge=edge, subject=self.views.issue(issue))

    def update_comment(self, input: dict[str, Any]) -> View:
        comment = self.views.node_of(input["id"], Comment, "IssueComment")
        issue = next((i for r in self.state.repos.values() for i in r.issues.values() if comment in i.comments), None)
        if issue is None:
            raise GitHubError("NOT_FOUND", f"Could not resolve to a node with the global id of '{input['id']}'")
        self._writable_issue(issue.node_id)
        if not input["body"].strip():
            raise GitHubError("UNPROCESSABLE", "Body cannot be blank")
        comment.body = input["body"]
        comment.updated_at = issue.updated_at = self.state.clock()
        return self._payload(input, issueComment=self.views.comment(issue, comment))
