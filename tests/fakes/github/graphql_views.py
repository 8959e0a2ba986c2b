"""GraphQL views of the query roots, accounts, repositories, issues, labels and milestones.

:class:`Views` builds the views for one request. Access rules live here: installation tokens
get ``FORBIDDEN`` on ``viewer`` and on any project owned by a user (see :mod:`auth`); unknown
logins, repositories, numbers and node ids are ``NOT_FOUND`` with GitHub's messages.
"""

from __future__ import annotations

from typing import Any, TypeVar

from .auth import NOT_ACCESSIBLE
from .graphql_base import GitHubError, GraphQLContext, View, connection, iso_epoch, paged
from .graphql_project_views import ProjectViews, order_projects
from .graphql_repo_views import RepoViews
from .state import Account, Issue, Label, Milestone, Project, ProjectField, ProjectItem, Repository, iso

T = TypeVar("T")


class Views(RepoViews, ProjectViews):
    """Builds views for one request (``ctx`` carries the state, token and URLs)."""

    def __init__(self, ctx: GraphQLContext) -> None:
        self.ctx = ctx

    # ---- access ------------------------------------------------------------------------------

    def guard_project(self, owner: Account, *, write: bool = False) -> None:
        if not self.ctx.token.can_reach_projects_of(owner.type, write=write):
            raise GitHubError("FORBIDDEN", NOT_ACCESSIBLE)

    def node_of(self, node_id: str, kind: type[T], what: str = "node") -> T:
        obj = self.ctx.state.nodes.get(node_id)
        if not isinstance(obj, kind):
            raise GitHubError("NOT_FOUND", f"Could not resolve to a {what} with the global id of '{node_id}'")
        return obj

    # ---- roots -------------------------------------------------------------------------------

    def query(self) -> View:
        state = self.ctx.state

        def viewer() -> View:
            if self.ctx.token.kind == "installation":
                raise GitHubError("FORBIDDEN", NOT_ACCESSIBLE)
            return self.account(self.ctx.actor)

        def account(login: str, type_: str, article: str) -> View | None:
            found = state.account(login)
            if found is None or found.type != type_:
                raise GitHubError("NOT_FOUND", f"Could not resolve to {article} {type_} with the login of '{login}'.")
            return self.account(found)

        def repository(owner: str, name: str, **_: Any) -> View:
            repo = state.repo(owner, name)
            if repo is None or not self.can_read(repo):  # GitHub hides private repositories this way
                raise GitHubError("NOT_FOUND", f"Could not resolve to a Repository with the name '{owner}/{name}'.")
            return self.repository(repo)

        return View(
            viewer=viewer,
            user=lambda login: account(login, "User", "a"),
            organization=lambda login: account(login, "Organization", "an"),
            repository=repository,
            node=lambda id: self.node(id),
            nodes=lambda ids: [self.node(i) for i in ids],
            rateLimit=lambda dryRun=False: self.rate_limit(),
            search=self.search,
        )

    def node(self, node_id: str) -> View:
        obj = self.ctx.state.nodes.get(node_id)
        if isinstance(obj, Account):
            return self.account(obj)
        if isinstance(obj, Repository) and self.can_read(obj):
            return self.repository(obj)
        if isinstance(obj, Issue) and (obj.repo is None or self.can_read(obj.repo)):
            return self.issue(obj)
        if isinstance(obj, Project):
            self.guard_project(obj.owner)
            return self.project(obj)
        if isinstance(obj, ProjectItem) and obj.project is not None:
            self.guard_project(obj.project.owner)
            return self.item(obj)
        if isinstance(obj, ProjectField) and obj.project is not None:
            self.guard_project(obj.project.owner)
            return self.field(obj)
        if isinstance(obj, Label):
            return self.label(obj)
        if isinstance(obj, Milestone):
            return self.milestone(obj)
        raise GitHubError("NOT_FOUND", f"Could not resolve to a node with the global id of '{node_id}'")

    def rate_limit(self) -> View:
        bucket = self.ctx.bucket
        return View(
            cost=self.ctx.cost,
            limit=bucket.limit,
            remaining=bucket.remaining,
            used=bucket.used,
            resetAt=iso_epoch(bucket.reset_epoch),
            nodeCount=self.ctx.node_count,
        )

    # ---- accounts, repositories, issues ------------------------------------------------------

    def account(self, account: Account) -> View:
        def projects(
            first: int | None = None,
            last: int | None = None,
            after: str | None = None,
            before: str | None = None,
            query: str | None = None,
            orderBy: dict[str, str] | None = None,
            **_: Any,
        ) -> View:
            self.guard_project(account)
            found = self.ctx.state.projects_of(account)
            if query:
                found = [p for p in found if query.lower() in p.title.lower()]
            return connection(order_projects(found, orderBy), self.project, first, last, after, before)

        def project(number: int) -> View:
            self.guard_project(account)
            found = self.ctx.state.project(account, number)
            if found is None:
                raise GitHubError("NOT_FOUND", f"Could not resolve to a ProjectV2 with the number {number}.")
            return self.project(found)

        def repository(name: str, **_: Any) -> View | None:
            repo = self.ctx.state.repo(account.login, name)
            return self.repository(repo) if repo and self.can_read(repo) else None

        return View(
            __typename=account.type if account.type != "Bot" else "Bot",
            id=account.node_id,
            databaseId=account.id,
            login=account.login,
            name=account.name,
            url=f"{self.ctx.urls.web}/{account.login}",
            resourcePath=f"/{account.login}",
            projectV2=project,
            projectsV2=projects,
            repository=repository,
            repositories=self.repositories_of(account),
        )

    def repository(self, repo: Repository) -> View:
        def issue(number: int) -> View:
            found = repo.issues.get(number)
            if found is None:
                raise GitHubError("NOT_FOUND", f"Could not resolve to an Issue with the number of {number}.")
            return self.issue(found)

        def issues(
            first: int | None = None,
            last: int | None = None,
            after: str | None = None,
            before: str | None = None,
            states: list[str] | None = None,
            labels: list[str] | None = None,
            orderBy: dict[str, str] | None = None,
            **_: Any,
        ) -> View:
            found = list(repo.issues.values())
            if states:
                found = [i for i in found if i.state.upper() in states]
            if labels:
                wanted = {n.lower() for n in labels}
                found = [i for i in found if wanted & {lb.name.lower() for lb in i.labels}]
            if orderBy:
                key = {"UPDATED_AT": "updated_at", "COMMENTS": "comments"}.get(orderBy.get("field", ""), "created_at")
                found.sort(
                    key=lambda i: len(i.comments) if key == "comments" else getattr(i, key),
                    reverse=orderBy.get("direction") == "DESC",
                )
            return connection(found, self.issue, first, last, after, before)

        def linked(
            first: int | None = None,
            last: int | None = None,
            after: str | None = None,
            before: str | None = None,
            **_: Any,
        ) -> View:
            found = [p for p in self.ctx.state.projects if repo in p.repositories]
            for p in found:
                self.guard_project(p.owner)
            return connection(found, self.project, first, last, after, before)

        return View(
            __typename="Repository",
            id=repo.node_id,
            databaseId=repo.id,
            name=repo.name,
            nameWithOwner=repo.full_name,
            isPrivate=repo.private,
            isArchived=repo.archived,
            visibility="PRIVATE" if repo.private else "PUBLIC",
            description=repo.description,
            url=f"{self.ctx.urls.web}/{repo.full_name}",
            createdAt=iso(repo.created_at),
            pushedAt=iso(repo.pushed_at or repo.created_at),
            owner=lambda: self.account(repo.owner),
            issue=issue,
            issues=issues,
            projectsV2=linked,
            object=lambda expression=None, oid=None: self.git_object(repo, expression, oid),
            releases=self.releases(repo),
            latestRelease=lambda: self.latest_release(repo),
            repositoryTopics=self.topics(repo),
            pinnedIssues=self.pinned_issues(repo),
        )

    def issue(self, issue: Issue) -> View:
        def project_items(
            first: int | None = None,
            last: int | None = None,
            after: str | None = None,
            before: str | None = None,
            includeArchived: bool = True,
            **_: Any,
        ) -> View:
            items = [
                it
                for p in self.ctx.state.projects
                for it in p.items
                if it.content is issue and (includeArchived or not it.archived)
            ]
            for it in items:
                if it.project is not None:
                    self.guard_project(it.project.owner)
            return connection(items, self.item, first, last, after, before)

        repo = issue.repo
        return View(
            __typename="Issue",
            id=issue.node_id,
            databaseId=issue.id,
            fullDatabaseId=issue.id,
            number=issue.number,
            title=issue.title,
            body=issue.body or "",
            state=issue.state.upper(),
            stateReason=lambda **_: issue.state_reason.upper() if issue.state_reason else None,
            closed=issue.state == "closed",
            closedAt=iso(issue.closed_at),
            createdAt=iso(issue.created_at),
            updatedAt=iso(issue.updated_at),
            url=f"{self.ctx.urls.web}/{repo.full_name}/issues/{issue.number}" if repo else "",
            repository=lambda: self.repository(repo) if repo else None,
            labels=paged(lambda: issue.labels, self.label),
            milestone=lambda: self.milestone(issue.milestone) if issue.milestone else None,
            projectItems=project_items,
            comments=self.comments(issue),
            isPinned=lambda: bool(repo and issue.number in repo.pinned),
        )

    def label(self, label: Label) -> View:
        return View(
            __typename="Label", id=label.node_id, name=label.name, color=label.color, description=label.description
        )

    def milestone(self, ms: Milestone) -> View:
        return View(
            __typename="Milestone",
            id=ms.node_id,
            number=ms.number,
            title=ms.title,
            description=ms.description,
            state=ms.state.upper(),
            dueOn=iso(ms.due_on),
        )

    # ---- projects ----------------------------------------------------------------------------
