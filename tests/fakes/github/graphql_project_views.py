"""GraphQL views of Projects (v2): projects, fields, options, items and their field values.

:class:`ProjectViews` is a mixin of :class:`graphql_views.Views`; it renders what GitHub
renders for a board: every project has GitHub's built-in fields, an item's ``fieldValues``
include the issue title (a ``ProjectV2ItemFieldTextValue``), its labels, milestone and
repository, and any single-select/text/number/date value set on it. A single-select value
whose option no longer exists (options were replaced) is not rendered, as on GitHub.
"""

from __future__ import annotations

import base64
import html

from .graphql_base import GraphQLContext, View, paged
from .state import (
    Account,
    Issue,
    Label,
    Milestone,
    Project,
    ProjectField,
    ProjectItem,
    Repository,
    SingleSelectOption,
    iso,
)


class ProjectViews:
    """Project renderings; the host class supplies the views of accounts, issues and the rest."""

    ctx: GraphQLContext

    def account(self, account: Account) -> View:
        raise NotImplementedError

    def repository(self, repo: Repository) -> View:
        raise NotImplementedError

    def issue(self, issue: Issue) -> View:
        raise NotImplementedError

    def label(self, label: Label) -> View:
        raise NotImplementedError

    def milestone(self, ms: Milestone) -> View:
        raise NotImplementedError

    def project(self, project: Project) -> View:
        owner_path = "orgs" if project.owner.type == "Organization" else "users"
        path = f"/{owner_path}/{project.owner.login}/projects/{project.number}"

        def field(name: str) -> View | None:
            found = project.field_by_name(name)
            return self.field(found) if found else None

        return View(
            __typename="ProjectV2",
            id=project.node_id,
            databaseId=project.id,
            fullDatabaseId=project.id,
            number=project.number,
            title=project.title,
            closed=project.closed,
            closedAt=None,
            public=project.public,
            template=False,
            shortDescription=project.short_description,
            readme=project.readme,
            url=f"{self.ctx.urls.web}{path}",
            resourcePath=path,
            createdAt=iso(project.created_at),
            updatedAt=iso(project.updated_at),
            viewerCanUpdate=True,
            viewerCanClose=True,
            viewerCanReopen=True,
            owner=lambda: self.account(project.owner),
            items=paged(lambda: project.items, self.item),
            fields=paged(lambda: project.fields, self.field),
            field=field,
            repositories=paged(lambda: project.repositories, self.repository),
        )

    def field(self, f: ProjectField) -> View:
        view = View(
            __typename="ProjectV2SingleSelectField" if f.data_type == "SINGLE_SELECT" else "ProjectV2Field",
            id=f.node_id,
            databaseId=f.id,
            name=f.name,
            dataType=f.data_type,
            createdAt=iso(f.created_at),
            updatedAt=iso(f.updated_at),
            project=lambda: self.project(f.project) if f.project else None,
        )
        if f.data_type == "SINGLE_SELECT":
            view["options"] = lambda names=None: [self.option(o) for o in f.options if names is None or o.name in names]
        return view

    def option(self, o: SingleSelectOption) -> View:
        return View(
            id=o.id,
            name=o.name,
            nameHTML=html.escape(o.name),
            color=o.color,
            description=o.description,
            descriptionHTML=html.escape(o.description),
        )

    def item(self, item: ProjectItem) -> View:
        def values() -> list[View]:
            return [v for f in (item.project.fields if item.project else []) if (v := self.value(item, f))]

        def by_name(name: str) -> View | None:
            found = item.project.field_by_name(name) if item.project else None
            return self.value(item, found) if found else None

        return View(
            __typename="ProjectV2Item",
            id=item.node_id,
            databaseId=item.id,
            fullDatabaseId=item.id,
            type="ISSUE",
            isArchived=item.archived,
            createdAt=iso(item.created_at),
            updatedAt=iso(item.updated_at),
            project=lambda: self.project(item.project) if item.project else None,
            content=lambda: self.issue(item.content),
            fieldValues=paged(values, lambda v: v),
            fieldValueByName=by_name,
        )

    def value(self, item: ProjectItem, f: ProjectField) -> View | None:
        """The item's value for field ``f`` as GitHub renders it, or ``None`` when unset."""
        issue = item.content
        common = {
            "id": f"PVTFSV_{base64.urlsafe_b64encode(f'{item.id}:{f.id}'.encode()).decode().rstrip('=')}",
            "databaseId": item.id * 1000 + f.id % 1000,
            "createdAt": iso(item.created_at),
            "updatedAt": iso(item.updated_at),
            "field": lambda: self.field(f),
            "item": lambda: self.item(item),
        }
        stored = item.values.get(f.node_id)
        if f.data_type == "TITLE":
            return View(__typename="ProjectV2ItemFieldTextValue", text=issue.title, **common)
        if f.data_type == "SINGLE_SELECT" and isinstance(stored, str) and (option := f.option(stored)):
            return View(
                __typename="ProjectV2ItemFieldSingleSelectValue",
                name=option.name,
                nameHTML=html.escape(option.name),
                optionId=option.id,
                color=option.color,
                description=option.description,
                descriptionHTML=html.escape(option.description),
                **common,
            )
        if f.data_type == "TEXT" and stored is not None:
            return View(__typename="ProjectV2ItemFieldTextValue", text=str(stored), **common)
        if f.data_type == "NUMBER" and stored is not None:
            return View(__typename="ProjectV2ItemFieldNumberValue", number=float(stored), **common)
        if f.data_type == "DATE" and stored is not None:
            return View(__typename="ProjectV2ItemFieldDateValue", date=str(stored), **common)
        field_only = {"field": common["field"]}
        if f.data_type == "LABELS" and issue.labels:
            return View(
                __typename="ProjectV2ItemFieldLabelValue",
                labels=paged(lambda: issue.labels, self.label),
                **field_only,
            )
        if f.data_type == "MILESTONE" and issue.milestone:
            ms = issue.milestone
            return View(
                __typename="ProjectV2ItemFieldMilestoneValue", milestone=lambda: self.milestone(ms), **field_only
            )
        if f.data_type == "REPOSITORY" and issue.repo:
            repo = issue.repo
            return View(
                __typename="ProjectV2ItemFieldRepositoryValue", repository=lambda: self.repository(repo), **field_only
            )
        return None


def order_projects(projects: list[Project], order: dict[str, str] | None) -> list[Project]:
    order = order or {"field": "NUMBER", "direction": "DESC"}
    attrs = {"TITLE": "title", "CREATED_AT": "created_at", "UPDATED_AT": "updated_at"}
    attr = attrs.get(order.get("field", ""), "number")
    return sorted(projects, key=lambda p: getattr(p, attr), reverse=order.get("direction") == "DESC")
