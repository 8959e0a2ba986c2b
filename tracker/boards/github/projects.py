"""Projects (v2) over GraphQL: the documents the board sends and what it makes of the answers.

One query reads everything a sync needs about the project — its id, the Status field and its
options, which repositories it is linked to, and every item with its Status (100 a page) — together
with the node ids of the repository and of the project's owner (needed to create and link).
Mutations are batched with aliases: adding N issues is one document, setting N statuses another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.board_model import COLUMNS, Column

__all__ = [
    "ADD_BATCH",
    "COLUMN_ALIASES",
    "OPTION_STYLE",
    "ProjectRecord",
    "add_items_document",
    "parse_project",
    "read_document",
    "set_status_document",
    "status_mapping",
]

ADD_BATCH = 50  # mutations per document

#: option names we accept for a column when a project's options cannot be replaced (it has items)
COLUMN_ALIASES: dict[Column, tuple[str, ...]] = {
    "To Learn": ("To Learn", "Todo", "To do", "To Do", "Backlog"),
    "In Progress": ("In Progress", "In progress", "Doing"),
    "Done": ("Done", "Completed"),
}
OPTION_STYLE: dict[Column, tuple[str, str]] = {
    "To Learn": ("GRAY", "Not started yet"),
    "In Progress": ("YELLOW", "Started: files changed or an attempt recorded"),
    "Done": ("GREEN", "Every exercise passes and every manual item is ticked"),
}

BOARD_FRAGMENT = """
fragment Board on ProjectV2 {
  id number title url closed
  repositories(first: 20) { nodes { nameWithOwner } }
  field(name: "Status") { ... on ProjectV2SingleSelectField { id options { id name } } }
  items(first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      content { ... on Issue { number repository { nameWithOwner } } }
      status: fieldValueByName(name: "Status") { ... on ProjectV2ItemFieldSingleSelectValue { name optionId } }
    }
  }
}
"""


def read_document(owner_kind: str, *, by_number: bool, same_owner: bool) -> str:
    """The snapshot's one query. ``owner_kind``: ``repo`` (the repository's owner), ``user`` or ``organization``."""
    find = "projectV2(number: $number) { ...Board }" if by_number else \
        "projectsV2(first: 10, query: $title) { nodes { ...Board } }"
    args = "$number: Int!" if by_number else "$title: String!"
    if same_owner:
        root = (f"repository(owner: $repoOwner, name: $repoName) {{\n"
                f"    id owner {{ id login ... on ProjectV2Owner {{ {find} }} }}\n  }}")
        return (f"query($repoOwner: String!, $repoName: String!, {args}, $after: String) {{\n  {root}\n}}"
                f"\n{BOARD_FRAGMENT}")
    root = (f"repository(owner: $repoOwner, name: $repoName) {{ id }}\n"
            f"  owner: {owner_kind}(login: $login) {{ id login {find} }}")
    return (f"query($repoOwner: String!, $repoName: String!, $login: String!, {args}, $after: String) {{\n  {root}\n}}"
            f"\n{BOARD_FRAGMENT}")


MORE_ITEMS = """
query($id: ID!, $after: String) {
  node(id: $id) { ... on ProjectV2 { ...Board } }
}
""" + BOARD_FRAGMENT

CREATE_PROJECT = """
mutation($owner: ID!, $repo: ID!, $title: String!) {
  createProjectV2(input: {ownerId: $owner, repositoryId: $repo, title: $title}) { projectV2 { ...Board } }
}
""" + BOARD_FRAGMENT.replace("$after", "null")

LINK_PROJECT = """
mutation($project: ID!, $repo: ID!) {
  linkProjectV2ToRepository(input: {projectId: $project, repositoryId: $repo}) { repository { id } }
}
"""

SET_OPTIONS = """
mutation($field: ID!, $options: [ProjectV2SingleSelectFieldOptionInput!]) {
  updateProjectV2Field(input: {fieldId: $field, singleSelectOptions: $options}) {
    projectV2Field { ... on ProjectV2SingleSelectField { id options { id name } } }
  }
}
"""

CREATE_STATUS_FIELD = """
mutation($project: ID!, $options: [ProjectV2SingleSelectFieldOptionInput!]) {
  createProjectV2Field(input: {projectId: $project, dataType: SINGLE_SELECT, name: "Status",
                               singleSelectOptions: $options}) {
    projectV2Field { ... on ProjectV2SingleSelectField { id options { id name } } }
  }
}
"""


def option_inputs() -> list[dict[str, str]]:
    return [{"name": c, "color": OPTION_STYLE[c][0], "description": OPTION_STYLE[c][1]} for c in COLUMNS]


def add_items_document(count: int) -> str:
    """``addProjectV2ItemById`` ×count, aliased ``a0…``; variables ``$project`` and ``$c0…``."""
    params = ", ".join(["$project: ID!", *(f"$c{i}: ID!" for i in range(count))])
    body = "\n".join(
        f"  a{i}: addProjectV2ItemById(input: {{projectId: $project, contentId: $c{i}}}) {{ item {{ id }} }}"
        for i in range(count))
    return f"mutation({params}) {{\n{body}\n}}"


def set_status_document(count: int) -> str:
    """``updateProjectV2ItemFieldValue`` ×count, aliased ``s0…``; variables ``$project $field $i0 $o0…``."""
    params = ", ".join(["$project: ID!", "$field: ID!",
                        *(f"$i{i}: ID!, $o{i}: String!" for i in range(count))])
    body = "\n".join(
        f"  s{i}: updateProjectV2ItemFieldValue(input: {{projectId: $project, itemId: $i{i}, fieldId: $field, "
        f"value: {{singleSelectOptionId: $o{i}}}}}) {{ projectV2Item {{ id }} }}"
        for i in range(count))
    return f"mutation({params}) {{\n{body}\n}}"


@dataclass
class ProjectRecord:
    """A project as the board knows it: ids, Status options, and our issues' items on it."""

    id: str
    number: int
    title: str
    url: str
    linked: bool
    status_field: str | None
    options: dict[str, str]  # option name → option id
    total_items: int
    items: dict[int, tuple[str, str | None]] = field(default_factory=dict)  # issue number → (item id, option name)
    next_cursor: str | None = None

    def mapping(self) -> dict[Column, str] | None:
        return status_mapping(self.options, allow_aliases=self.total_items > 0)


def status_mapping(options: dict[str, str], *, allow_aliases: bool) -> dict[Column, str] | None:
    """Column → option name. Exact names always; GitHub's defaults (Todo…) only when the options cannot be
    replaced. None when some column has no option."""
    exact: dict[Column, str] = {c: c for c in COLUMNS if c in options}
    if len(exact) == len(COLUMNS):
        return exact
    if not allow_aliases:
        return None
    lowered = {name.lower(): name for name in options}
    out: dict[Column, str] = {}
    for column in COLUMNS:
        found = next((lowered[a.lower()] for a in COLUMN_ALIASES[column] if a.lower() in lowered), None)
        if found is None:
            return None
        out[column] = found
    return out


def parse_project(node: dict[str, Any], repo: str) -> ProjectRecord:
    """A ``Board`` fragment answer → :class:`ProjectRecord` (the first page of items)."""
    status = node.get("field") or {}
    linked = any(str(r.get("nameWithOwner", "")).lower() == repo.lower()
                 for r in (node.get("repositories") or {}).get("nodes") or [] if isinstance(r, dict))
    record = ProjectRecord(
        id=str(node["id"]), number=int(node["number"]), title=str(node.get("title") or ""),
        url=str(node.get("url") or ""), linked=linked,
        status_field=str(status["id"]) if status.get("id") else None,
        options={str(o["name"]): str(o["id"]) for o in status.get("options") or []},
        total_items=int((node.get("items") or {}).get("totalCount") or 0),
    )
    add_items_page(record, node.get("items") or {}, repo)
    return record


def add_items_page(record: ProjectRecord, items: dict[str, Any], repo: str) -> None:
    for item in items.get("nodes") or []:
        content = item.get("content") or {}
        if not content or str((content.get("repository") or {}).get("nameWithOwner", "")).lower() != repo.lower():
            continue
        status = item.get("status") or {}
        record.items[int(content["number"])] = (str(item["id"]), status.get("name"))
    info = items.get("pageInfo") or {}
    record.next_cursor = str(info["endCursor"]) if info.get("hasNextPage") and info.get("endCursor") else None
