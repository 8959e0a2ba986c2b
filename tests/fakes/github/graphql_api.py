"""The GraphQL endpoint: parse, validate against GitHub's schema, analyse, execute.

:func:`prepare` turns a request body into a :class:`Prepared` document or a GitHub-shaped
error body (syntax errors, schema validation errors, bad variables, pagination errors): such
documents never execute and are answered with HTTP 200 and ``{"errors": [...]}``, as GitHub does.
:func:`scope_errors` applies the token's project scopes; :func:`execute` runs a prepared document
with graphql-core against :mod:`graphql_views` and :mod:`graphql_mutations`.

The schema is GitHub's public SDL (``contract/github-graphql-schema.graphql`` beside this module),
built once per process with ``assume_valid_sdl=True`` (the file defines two fields twice).
Error messages come from graphql-core, reshaped to GitHub's layout for the common validation
rules (``Field 'x' doesn't exist on type 'Y'`` with ``extensions.code: undefinedField`` …).
"""

from __future__ import annotations

import copy
import re
import traceback
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    default_field_resolver,
    execute_sync,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values

from .auth import Token, insufficient_scopes_message
from .contract import contract_dir
from .graphql_analysis import Analysis, analyze
from .graphql_base import FieldNotModelled, GitHubError, GraphQLContext, View
from .graphql_mutations import Mutations
from .graphql_views import Views

DOCS = "https://docs.github.com/graphql"


@cache
def github_schema() -> GraphQLSchema:
    """GitHub's GraphQL schema (about 0.6 s to build; cached for the whole test session).

    ``assume_valid_sdl`` skips SDL validation (the file defines two fields twice) and
    ``assume_valid`` skips graphql-core 3.3's schema validation, which rejects GitHub's schema
    because implementations deprecate fields (``Project.id``) their interfaces do not.
    """
    sdl = (contract_dir() / "github-graphql-schema.graphql").read_text(encoding="utf-8")
    return build_schema(sdl, assume_valid_sdl=True, assume_valid=True)


@dataclass
class Prepared:
    document: DocumentNode
    operation: OperationDefinitionNode
    variables: Any  # graphql-core's coerced variable values
    raw_variables: dict[str, Any]
    analysis: Analysis


@dataclass
class Executed:
    body: dict[str, Any]
    #: fake-side problems: ("contract", msg) for output that breaks the schema, ("unsupported", msg)
    problems: list[tuple[str, str]] = field(default_factory=list)


def errors_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"errors": errors}


@lru_cache(maxsize=256)
def _parse_and_validate(query: str) -> DocumentNode | dict[str, Any]:
    """The parsed document, or the error body. Validation depends only on the text (the schema is fixed), so a
    client sending the same document with other variables — a batched read, page after page — is validated
    once; graphql-core's rule for overlapping fields is quadratic in the aliases of a batch."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        return errors_body([_locate({"message": exc.message}, exc)])
    errors = validate(github_schema(), document)
    if errors:
        return errors_body([_validation_error(e) for e in errors])
    return document


def prepare(payload: Any) -> Prepared | dict[str, Any]:
    """A validated, analysed document, or the GitHub-shaped error body to answer with."""
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return errors_body([{"message": "A query attribute must be specified and must be a string."}])
    raw_variables = payload.get("variables") or {}
    if not isinstance(raw_variables, dict):
        return errors_body([{"message": "Variables must be an object."}])
    schema = github_schema()
    parsed = _parse_and_validate(payload["query"])
    if isinstance(parsed, dict):
        return copy.deepcopy(parsed)
    document = parsed
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    name = payload.get("operationName")
    chosen = [o for o in operations if name is None or (o.name and o.name.value == name)]
    if len(chosen) != 1:
        message = f'No operation named "{name}"' if name else "An operation name is required for several operations."
        return errors_body([{"message": message}])
    operation = chosen[0]
    coerced = get_variable_values(schema, operation.variable_definitions or (), raw_variables)
    if isinstance(coerced, list):
        return errors_body([_locate({"message": e.message}, e) for e in coerced])
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    analysis = analyze(schema, operation, fragments, coerced)
    if analysis.errors:
        return errors_body(analysis.errors)
    return Prepared(document, operation, coerced, raw_variables, analysis)


def scope_errors(prepared: Prepared, token: Token) -> list[dict[str, Any]]:
    """``INSUFFICIENT_SCOPES`` errors when a classic token lacks the project scopes the document needs."""
    field_name = prepared.analysis.project_field
    if field_name is None:
        return []
    missing = token.project_scope_problem(write=prepared.analysis.is_mutation)
    if missing is None:
        return []
    return [{"type": "INSUFFICIENT_SCOPES", "message": insufficient_scopes_message(field_name, missing, token)}]


def execute(prepared: Prepared, ctx: GraphQLContext) -> Executed:
    """Run the document; data and GitHub-shaped errors, plus any fake-side problems seen."""
    views = Views(ctx)
    root = Mutations(views).root() if prepared.analysis.is_mutation else views.query()
    result = execute_sync(
        github_schema(),
        prepared.document,
        root_value=root,
        context_value=ctx,
        variable_values=prepared.raw_variables,
        operation_name=prepared.operation.name.value if prepared.operation.name else None,
        field_resolver=_resolve_field,
        type_resolver=lambda value, _info, _type: value.get("__typename") if isinstance(value, dict) else None,
    )
    executed = Executed(body={"data": result.data})
    errors = []
    for error in result.errors or []:
        entry, problem = _execution_error(error)
        errors.append(entry)
        if problem:
            executed.problems.append(problem)
    if errors:
        executed.body["errors"] = errors
    return executed


def _resolve_field(source: Any, info: Any, **args: Any) -> Any:
    if isinstance(source, View):
        if info.field_name not in source:
            raise FieldNotModelled(f"{info.parent_type.name}.{info.field_name}")
        value = source[info.field_name]
        return value(**args) if callable(value) else value
    return default_field_resolver(source, info, **args)


def _locate(entry: dict[str, Any], error: GraphQLError) -> dict[str, Any]:
    if error.locations:
        entry["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    return entry


_RESHAPE: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(r"Cannot query field '(?P<field>\w+)' on type '(?P<type>\w+)'"),
        "Field '{field}' doesn't exist on type '{type}'",
        "undefinedField",
    ),
    (
        re.compile(r"Unknown argument '(?P<arg>\w+)' on field '(?P<type>\w+)\.(?P<field>\w+)'"),
        "Field '{field}' doesn't accept argument '{arg}'",
        "argumentNotAccepted",
    ),
    (
        re.compile(r"Argument '(?P<type>\w+)\.(?P<field>\w+)\((?P<arg>\w+):\)' of type .* is required"),
        "Field '{field}' is missing required arguments: {arg}",
        "missingRequiredArguments",
    ),
    (  # graphql-core 3.2 wording
        re.compile(r"Field '(?P<type>\w+)\.(?P<field>\w+)' argument '(?P<arg>\w+)' of type .* is required"),
        "Field '{field}' is missing required arguments: {arg}",
        "missingRequiredArguments",
    ),
    (
        re.compile(r"Variable '\$(?P<var>\w+)' is never used"),
        "Variable ${var} is declared by {operation} but not used",
        "variableNotUsed",
    ),
)


#: errors graphql-core raises when resolved data does not fit the schema's output types
_OUTPUT_ERROR = re.compile(r"Cannot return null for non-nullable field|cannot represent|Expected Iterable|must resolve")


def _validation_error(error: GraphQLError) -> dict[str, Any]:
    """graphql-core's validation error, reshaped like graphql-ruby's (GitHub's) where known."""
    for pattern, template, code in _RESHAPE:
        m = pattern.search(error.message)
        if m:
            names = {**m.groupdict(), "operation": "anonymous query"}
            extensions = {"code": code, **{k: v for k, v in m.groupdict().items() if k in ("field", "type", "arg")}}
            return _locate({"message": template.format(**names), "extensions": extensions}, error)
    return _locate({"message": error.message}, error)


def _execution_error(error: GraphQLError) -> tuple[dict[str, Any], tuple[str, str] | None]:
    entry: dict[str, Any] = {}
    original = error.original_error
    problem: tuple[str, str] | None = None
    if isinstance(original, GitHubError):
        entry["type"] = original.type
        message = original.message
    elif isinstance(original, FieldNotModelled):
        message = f"The fake GitHub does not model the field {original}."
        problem = ("unsupported", f"GraphQL field not modelled by the fake: {original}")
    elif original is None or _OUTPUT_ERROR.search(error.message):
        message = error.message
        problem = ("contract", f"GraphQL response breaks the schema at {error.path}: {error.message}")
    else:
        message = "Something went wrong while executing your query."
        trace = "".join(traceback.format_exception(original))
        problem = ("unsupported", f"fake crashed resolving {error.path}: {trace}")
    if error.path:
        entry["path"] = list(error.path)
    _locate(entry, error)
    entry["message"] = message
    return entry, problem
