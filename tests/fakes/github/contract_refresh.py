"""Refresh the bundled GitHub contract from GitHub's published descriptions.

Usage (from the repository root, with the two published files downloaded by hand)::

    python -m tests.fakes.github.contract_refresh \\
        --rest path/to/api.github.com.json --graphql path/to/schema.graphql

``--rest`` is GitHub's REST description (github/rest-api-description,
``descriptions/api.github.com/api.github.com.json``, or the copy npm ``@octokit/openapi``
redistributes as ``generated/api.github.com.json``); ``--graphql`` is GitHub's public schema in SDL
(``https://docs.github.com/public/fpt/schema.docs.graphql``, or ``schema.graphql`` of
octokit/graphql-schema). Either may be left out to refresh only the other.

The REST file is cut down to :data:`OPERATIONS` — the operations the fake serves — plus every
component they reference, transitively, so no ``$ref`` dangles; Octokit's ``x-octokit`` keys are
dropped and GitHub's own ``x-github*`` keys kept. The GraphQL schema is copied byte for byte. Update
``contract/README.md`` (source, version, date, sha256) in the same commit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent / "contract"
REST_FILE = "github-rest-openapi-subset.json"
GRAPHQL_FILE = "github-graphql-schema.graphql"

#: The REST operations the fake GitHub serves and validates (``operationId``s).
OPERATIONS: tuple[str, ...] = (
    "repos/get",
    "issues/list-for-repo",
    "issues/create",
    "issues/get",
    "issues/update",
    "issues/create-comment",
    "issues/list-labels-for-repo",
    "issues/create-label",
    "issues/list-milestones",
    "issues/create-milestone",
    "git/create-ref",
    "repos/create-release",
    "repos/get-release-by-tag",
    "rate-limit/get",
)

_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_TITLE = "GitHub REST API (subset for roadmap sync contract tests)"


def _refs(node: Any) -> Iterator[str]:
    """Every ``#/components/...`` reference anywhere under ``node``."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            yield ref
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _strip_octokit(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_octokit(v) for k, v in node.items() if k != "x-octokit"}
    if isinstance(node, list):
        return [_strip_octokit(v) for v in node]
    return node


def extract_rest_subset(full: dict[str, Any], operations: tuple[str, ...] = OPERATIONS, *,
                        source: str | None = None) -> dict[str, Any]:
    """The part of GitHub's REST description that ``operations`` need, and nothing else.

    Raises ``KeyError`` naming any operation id the description does not have.
    """
    wanted = set(operations)
    paths: dict[str, Any] = {}
    for path, item in full["paths"].items():
        kept = {m: op for m, op in item.items() if m in _HTTP_METHODS and op.get("operationId") in wanted}
        if kept:
            shared = {k: v for k, v in item.items() if k not in _HTTP_METHODS}
            paths[path] = {**shared, **kept}
    found = {op["operationId"] for item in paths.values() for m, op in item.items() if m in _HTTP_METHODS}
    if missing := wanted - found:
        raise KeyError(f"operations not in the REST description: {', '.join(sorted(missing))}")

    components: dict[str, dict[str, Any]] = {}
    pending = list(_refs(paths))
    while pending:
        _, _, kind, name = pending.pop().split("/", 3)
        if name in components.setdefault(kind, {}):
            continue
        node = full["components"][kind][name]
        components[kind][name] = node
        pending.extend(_refs(node))
    info = {
        "title": _TITLE,
        "version": source or full.get("info", {}).get("version", "unknown"),
        "license": {"name": "MIT", "url": "https://spdx.org/licenses/MIT"},
    }
    subset = {
        "openapi": full["openapi"],
        "info": info,
        "servers": full.get("servers", [{"url": "https://api.github.com"}]),
        "paths": paths,
        "components": {kind: dict(sorted(entries.items())) for kind, entries in sorted(components.items())},
    }
    return dict(_strip_octokit(subset))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rest", type=Path, help="GitHub's full REST description (JSON)")
    parser.add_argument("--source", help="what --rest is, recorded as info.version (e.g. '@octokit/openapi 23.0.2')")
    parser.add_argument("--graphql", type=Path, help="GitHub's public GraphQL schema (SDL)")
    parser.add_argument("--out", type=Path, default=HERE, help="where to write (default: the bundled contract/ folder)")
    args = parser.parse_args(argv)
    if not args.rest and not args.graphql:
        parser.error("give --rest, --graphql or both")
    if args.rest:
        full = json.loads(args.rest.read_text(encoding="utf-8"))
        subset = extract_rest_subset(full, source=args.source)
        target = args.out / REST_FILE
        target.write_text(json.dumps(subset, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"{target}: {len(subset['paths'])} paths, sha256 {_sha256(target)}")
    if args.graphql:
        target = args.out / GRAPHQL_FILE
        shutil.copyfile(args.graphql, target)
        print(f"{target}: sha256 {_sha256(target)}")
    print("now update README.md beside the files: source, version, date, sha256")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
