"""Static analysis of a validated GraphQL operation, done before anything executes.

GitHub checks these on the document, not while resolving, and so does the fake:

* **Pagination boundaries** — every connection needs ``first`` or ``last`` in 1..100, else an
  error of type ``MISSING_PAGINATION_BOUNDARIES`` / ``EXCESSIVE_PAGINATION`` and no data;
  at most 500,000 nodes per call (``MAX_NODE_LIMIT_EXCEEDED``).
* **Cost** — GitHub's published formula: add up the requests needed to fulfil each connection
  (a connection nested in another costs the parent's ``first``/``last`` requests), divide by
  100, round, minimum 1. So ``{ viewer { login } }`` costs 1, a mutation costs 1, and
  ``projectsV2(first: 100) { nodes { items(first: 100) { … } } }`` costs 1 + 100 → 1.
* **Scopes** — the first field whose type is a ``ProjectV2*`` type (queries) or the first
  ``…ProjectV2…`` mutation, for the token check in :mod:`auth`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import get_argument_values

MAX_PER_PAGE = 100
MAX_NODES = 500_000


@dataclass
class Analysis:
    cost: int = 1
    node_count: int = 0
    #: GitHub-shaped errors (``type``, ``path``, ``locations``, ``message``); non-empty → reject
    errors: list[dict[str, Any]] = field(default_factory=list)
    #: first field needing project scopes, e.g. ``"projectsV2"``; ``None`` if no project field
    project_field: str | None = None
    is_mutation: bool = False
    #: ``"query.viewer"``, ``"mutation.addProjectV2ItemById"`` … (counters, fault predicates)
    root_fields: list[str] = field(default_factory=list)


def analyze(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: Any,
) -> Analysis:
    """Cost, pagination errors, project-scope needs and root fields of ``operation``."""
    kind = operation.operation.value  # "query" | "mutation" | "subscription"
    root = schema.mutation_type if kind == "mutation" else schema.query_type
    result = Analysis(is_mutation=kind == "mutation")
    requests = 0

    def walk(selection_set: SelectionSetNode, parent: Any, multiplier: int, path: list[str]) -> None:
        nonlocal requests
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                fields = getattr(parent, "fields", {})
                if name.startswith("__") or name not in fields:
                    continue
                field_def = fields[name]
                named = get_named_type(field_def.type)
                key = (selection.alias or selection.name).value
                here = [*path, key]
                if not path:
                    result.root_fields.append(f"{kind}.{name}")
                if result.project_field is None and (
                    named.name.startswith("ProjectV2") or (result.is_mutation and not path and "ProjectV2" in name)
                ):
                    result.project_field = name
                child = multiplier
                if named.name.endswith("Connection") and ("first" in field_def.args or "last" in field_def.args):
                    page = _page_size(field_def, selection, variables, name, here, result)
                    requests += multiplier
                    result.node_count += multiplier * page
                    child = multiplier * page
                if selection.selection_set:
                    walk(selection.selection_set, named, child, here)
            elif isinstance(selection, InlineFragmentNode):
                target = schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
                walk(selection.selection_set, target, multiplier, path)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    target = schema.get_type(fragment.type_condition.name.value)
                    walk(fragment.selection_set, target, multiplier, path)

    walk(operation.selection_set, root, 1, [])
    result.cost = max(1, int(requests / 100 + 0.5))
    if result.node_count > MAX_NODES and not result.errors:
        result.errors.append(
            {
                "type": "MAX_NODE_LIMIT_EXCEEDED",
                "message": f"This query requests up to {result.node_count:,} possible nodes "
                f"which exceeds the maximum limit of {MAX_NODES:,}.",
            }
        )
    return result


def _page_size(
    field_def: Any, selection: FieldNode, variables: Any, name: str, path: list[str], result: Analysis
) -> int:
    try:
        args = get_argument_values(field_def, selection, variables)
    except Exception:  # invalid argument values are reported by execution
        return 1
    first: int | None = args.get("first")
    last: int | None = args.get("last")
    start = selection.loc.start_token if selection.loc else None
    location = {"line": start.line, "column": start.column} if start else None

    def error(kind: str, message: str) -> None:
        entry: dict[str, Any] = {"type": kind, "path": path, "message": message}
        if location:
            entry["locations"] = [location]
        result.errors.append(entry)

    if first is None and last is None:
        error(
            "MISSING_PAGINATION_BOUNDARIES",
            f"You must provide a `first` or `last` value to properly paginate the `{name}` connection.",
        )
        return 1
    for arg, value in (("first", first), ("last", last)):
        if value is not None and (value < 0 or value > MAX_PER_PAGE):
            error(
                "EXCESSIVE_PAGINATION",
                f"Requesting {value} records on the `{name}` connection exceeds the `{arg}` limit "
                f"of {MAX_PER_PAGE} records.",
            )
    size = first if first is not None else last
    return max(1, min(MAX_PER_PAGE, size or 1))
