"""GitHub's REST contract (the OpenAPI subset in ``contract/`` beside this module), as jsonschema checks.

:func:`contract_for` returns a :class:`Contract` for one REST API version. It answers two
questions for an operation id such as ``issues/create``:

* :meth:`Contract.check_request` — do these path/query parameters and this JSON body satisfy
  the description? (A "no" is the *client's* fault: the server answers 422.)
* :meth:`Contract.check_response` — is this status declared, and does this body match the
  schema declared for it? (A "no" is the *fake's* fault: the fixture fails the test.)

Both return a list of human-readable problems; empty means "conforms".

Translating OpenAPI 3.0 to JSON Schema (Draft 4 semantics, which OpenAPI 3.0 schemas follow):

* ``nullable: true`` becomes ``type: [T, "null"]`` (and ``None`` joins an ``enum``); when there is
  no ``type`` (``$ref``/``oneOf``/``allOf``) the schema becomes ``anyOf: [{type: null}, schema]``.
* ``$ref: "#/components/..."`` is rewritten to an absolute ``urn:github-contract#/...`` so inline
  schemas resolve against the document through a :mod:`referencing` registry.
* ``x-github-breaking-changes`` patches (JSON merge patches) whose ``version`` is not after the
  requested API version are applied first, so ``2026-03-10`` drops e.g. ``issue.assignee``.
* Formats ``date-time`` and ``uri`` are checked; others (``int64``, ``timestamp``) are ignored.

Request bodies are checked strictly: a top-level property the description does not declare is
reported (GitHub silently ignores it, which hides typos in a client).
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT4

#: API versions GitHub accepts in ``X-GitHub-Api-Version``; the first is the default.
SUPPORTED_API_VERSIONS: tuple[str, ...] = ("2022-11-28", "2026-03-10")
DEFAULT_API_VERSION = SUPPORTED_API_VERSIONS[0]

_BASE_URI = "urn:github-contract"
_DROP_KEYS = frozenset({"nullable", "example", "examples", "description", "title", "externalDocs", "deprecated"})


#: The copy the tests read: inside the repository, so a fresh clone runs its own tests (contract/README.md
#: says where each file comes from and how to refresh it).
BUNDLED_CONTRACT_DIR = Path(__file__).resolve().parent / "contract"


def contract_dir() -> Path:
    """The folder holding GitHub's REST subset and GraphQL schema.

    The bundled copy (:data:`BUNDLED_CONTRACT_DIR`) unless ``LLM_SPRINT_GITHUB_CONTRACT`` names
    another folder, e.g. to try a newer schema; that folder must hold both files under the same names.
    """
    override = os.environ.get("LLM_SPRINT_GITHUB_CONTRACT")
    return Path(override) if override else BUNDLED_CONTRACT_DIR


@cache
def _raw_openapi() -> dict[str, Any]:
    with open(contract_dir() / "github-rest-openapi-subset.json", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch (``null`` deletes a key)."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


def _apply_breaking_changes(node: Any, version: str) -> Any:
    """Apply every ``x-github-breaking-changes`` merge patch dated on or before ``version``."""
    if isinstance(node, list):
        return [_apply_breaking_changes(x, version) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _apply_breaking_changes(v, version) for k, v in node.items() if k != "x-github-breaking-changes"}
    for change in node.get("x-github-breaking-changes", []):
        if change.get("version", "9999") <= version and isinstance(change.get("patch"), Mapping):
            out = _merge_patch(out, change["patch"])
    return out


def to_json_schema(schema: Any) -> Any:
    """Translate one OpenAPI 3.0 schema object into JSON Schema (see the module docstring)."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DROP_KEYS or key.startswith("x-"):
            continue
        if key in ("properties", "patternProperties"):
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = to_json_schema(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [to_json_schema(sub) for sub in value]
        elif key == "$ref" and isinstance(value, str) and value.startswith("#"):
            out[key] = _BASE_URI + value
        else:
            out[key] = value
    if schema.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [{"type": "null"}, out]}
    return out


def _is_date_time(value: object) -> bool:
    if isinstance(value, str):
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        if "T" not in value:
            raise ValueError(f"{value!r} has no time part")
    return True


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    scheme = urlsplit(value).scheme
    return bool(scheme) and len(value) > len(scheme) + 1


#: Only the formats the contract relies on; jsonschema's optional format packages are not needed.
FORMATS = FormatChecker(formats=())
FORMATS.checks("date-time", raises=ValueError)(_is_date_time)
FORMATS.checks("uri")(_is_uri)


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "path" or "query"
    required: bool
    schema: dict[str, Any]


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    parameters: tuple[Parameter, ...]
    body_required: bool
    body_schema: dict[str, Any] | None
    #: status code -> JSON schema of the body (``None``: the status carries no body)
    responses: Mapping[int, dict[str, Any] | None]


def _coerce(raw: str, schema: Mapping[str, Any]) -> object:
    kind = schema.get("type")
    if kind == "integer":
        return int(raw)
    if kind == "number":
        return float(raw)
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise ValueError(raw)
        return raw == "true"
    return raw


def _describe(error: Any) -> str:
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{where or '(root)'}: {error.message}"


class Contract:
    """The REST description for one API version, with validators built on first use."""

    def __init__(self, version: str) -> None:
        self.version = version
        document = _apply_breaking_changes(_raw_openapi(), version)
        self._document = document
        schemas = {name: to_json_schema(s) for name, s in document["components"]["schemas"].items()}
        resource = DRAFT4.create_resource({"components": {"schemas": schemas}})
        self._registry: Registry[Any] = Registry().with_resource(_BASE_URI, resource)
        self.operations: dict[str, Operation] = {}
        for path, item in document["paths"].items():
            for method, raw_op in item.items():
                if method in ("get", "post", "patch", "put", "delete"):
                    op = self._operation(path, method.upper(), raw_op)
                    self.operations[op.operation_id] = op
        self._validators: dict[int, Draft4Validator] = {}

    def _deref(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self._document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def _operation(self, path: str, method: str, raw: dict[str, Any]) -> Operation:
        params = []
        for p in raw.get("parameters", []):
            p = self._deref(p)
            params.append(Parameter(p["name"], p["in"], bool(p.get("required")), to_json_schema(p.get("schema", {}))))
        body = self._deref(raw.get("requestBody")) if raw.get("requestBody") else None
        body_schema = None
        if body is not None:
            body_schema = to_json_schema(body["content"]["application/json"]["schema"])
        responses: dict[int, dict[str, Any] | None] = {}
        for status, resp in raw["responses"].items():
            content = self._deref(resp).get("content", {})
            media = content.get("application/json")
            responses[int(status)] = to_json_schema(media["schema"]) if media and "schema" in media else None
        return Operation(
            operation_id=raw["operationId"],
            method=method,
            path=path,
            parameters=tuple(params),
            body_required=bool(body and body.get("required")),
            body_schema=body_schema,
            responses=responses,
        )

    def _validator(self, schema: dict[str, Any]) -> Draft4Validator:
        key = id(schema)
        validator = self._validators.get(key)
        if validator is None:
            validator = Draft4Validator(schema, registry=self._registry, format_checker=FORMATS)
            self._validators[key] = validator
        return validator

    def _problems(self, schema: dict[str, Any], instance: object, prefix: str) -> list[str]:
        errors = sorted(self._validator(schema).iter_errors(instance), key=lambda e: list(e.absolute_path))
        return [f"{prefix} {_describe(e)}" for e in errors]

    def check_request(
        self,
        operation_id: str,
        path_params: Mapping[str, str],
        query: Mapping[str, str],
        body: object,
        *,
        has_body: bool,
    ) -> list[str]:
        """Problems with a request for ``operation_id`` (empty list: it conforms)."""
        op = self.operations[operation_id]
        problems: list[str] = []
        for param in op.parameters:
            source = path_params if param.location == "path" else query
            if param.name not in source:
                if param.required:
                    problems.append(f"{param.location} parameter {param.name!r} is required")
                continue
            try:
                value = _coerce(source[param.name], param.schema)
            except ValueError:
                problems.append(
                    f"{param.location} parameter {param.name!r}: {source[param.name]!r} "
                    f"is not of type {param.schema.get('type')!r}"
                )
                continue
            problems += self._problems(param.schema, value, f"{param.location} parameter {param.name!r}")
        if op.body_schema is None:
            if has_body and body not in (None, {}):
                problems.append("request body: this operation takes no body")
            return problems
        if not has_body:
            if op.body_required:
                problems.append("request body is required")
            return problems
        problems += self._problems(op.body_schema, body, "request body")
        declared = op.body_schema.get("properties")
        if isinstance(body, dict) and isinstance(declared, dict):
            for key in body:
                if key not in declared:
                    problems.append(f"request body: property {key!r} is not declared by {operation_id}")
        return problems

    def check_response(self, operation_id: str, status: int, body: object) -> list[str]:
        """Problems with the fake's response for ``operation_id`` (empty list: it conforms)."""
        op = self.operations[operation_id]
        if status not in op.responses:
            return [f"status {status} is not declared for {operation_id} (declared: {sorted(op.responses)})"]
        schema = op.responses[status]
        if schema is None:
            return [] if body is None else [f"status {status} must not have a body"]
        return self._problems(schema, body, f"response {status}")


@cache
def contract_for(version: str = DEFAULT_API_VERSION) -> Contract:
    """The (cached, process-wide) contract for one supported API version."""
    if version not in SUPPORTED_API_VERSIONS:
        raise ValueError(f"unsupported API version {version!r}")
    return Contract(version)
