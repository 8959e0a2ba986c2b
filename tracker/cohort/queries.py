"""Pure: the GraphQL documents a cohort read sends, and what it makes of the answers.

Two views of a learner repository, as fragments on ``Repository``:

* ``Learner`` — everything the cohort shows: ``progress.json`` on the default branch (``object(expression:
  "HEAD:progress.json") { ... on Blob { text } }``), the sprint issues (label ``llm-sprint``, 100 at most:
  one per sprint), the last 20 releases, ``isArchived``/``isPrivate``;
* ``Stamp`` — just enough to know whether the ``Learner`` view changed: the blob id of ``progress.json``,
  the newest issue update and issue count, the newest release and release count, the two flags.

A :class:`RepoSnapshot`'s :attr:`~RepoSnapshot.stamp` is computed from either view identically, so a
warm read asks for stamps (100 repositories a document) and reads in full only what changed (50 a
document). Batches are aliases (``r0: repository(owner: $o0, name: $n0) { ...Learner }``); an
organization's repositories and a topic search are connections paged with the same fragments.
Costs, by GitHub's formula: a 50-repository ``Learner`` document is 1 point, a 100-repository
``Stamp`` document 2.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = [
    "FULL_BATCH",
    "SPRINT_LABEL",
    "STAMP_BATCH",
    "IssueRef",
    "Page",
    "ReleaseRef",
    "RepoSnapshot",
    "batch_document",
    "listing_document",
    "parse_batch",
    "parse_listing",
    "snapshot_from_json",
]

FULL_BATCH = 50  # repositories per Learner document: at most one query per 50 repositories
STAMP_BATCH = 100  # repositories per Stamp document
SPRINT_LABEL = "llm-sprint"  # tracker.sync.desired.IDENTITY_LABEL (a test keeps them equal)
PROGRESS_PATH = "progress.json"
_SPRINT_TITLE = re.compile(r"^\[(P\d+|\d+\.\d+)\]")

View = Literal["full", "stamp"]
Status = Literal["ok", "missing", "forbidden", "error"]

STAMP_FRAGMENT = f"""
fragment Stamp on Repository {{
  nameWithOwner isArchived isPrivate
  progress: object(expression: "HEAD:{PROGRESS_PATH}") {{ ... on Blob {{ oid }} }}
  sprintIssues: issues(first: 1, labels: ["{SPRINT_LABEL}"], orderBy: {{field: UPDATED_AT, direction: DESC}}) {{
    totalCount nodes {{ updatedAt }}
  }}
  releases(first: 1, orderBy: {{field: CREATED_AT, direction: DESC}}) {{
    totalCount nodes {{ tagName publishedAt isDraft }}
  }}
}}
"""

LEARNER_FRAGMENT = f"""
fragment Learner on Repository {{
  nameWithOwner isArchived isPrivate url
  progress: object(expression: "HEAD:{PROGRESS_PATH}") {{ ... on Blob {{ oid byteSize isTruncated text }} }}
  sprintIssues: issues(first: 100, labels: ["{SPRINT_LABEL}"], orderBy: {{field: UPDATED_AT, direction: DESC}}) {{
    totalCount nodes {{ number title state closedAt updatedAt url }}
  }}
  releases(first: 20, orderBy: {{field: CREATED_AT, direction: DESC}}) {{
    totalCount nodes {{ tagName name url publishedAt isDraft }}
  }}
}}
"""


@dataclass(frozen=True)
class IssueRef:
    number: int
    sprint: str | None  # from the title "[3.1] …" the sync writes
    state: str  # OPEN / CLOSED
    url: str
    updated_at: str
    closed_at: str | None = None


@dataclass(frozen=True)
class ReleaseRef:
    tag: str
    name: str
    url: str
    published_at: str | None
    draft: bool = False


@dataclass
class RepoSnapshot:
    """One repository as a cohort read saw it (plain data, stored as JSON between looks)."""

    repo: str  # OWNER/NAME as the cohort named it (or GitHub spelled it, when discovered)
    status: Status = "ok"
    message: str = ""  # why the repository could not be read (status != ok)
    url: str = ""
    private: bool = False
    archived: bool = False
    progress_oid: str | None = None
    progress_text: str | None = None
    progress_truncated: bool = False
    issues: list[IssueRef] = field(default_factory=list)
    issues_total: int = 0
    releases: list[ReleaseRef] = field(default_factory=list)
    releases_total: int = 0
    stamp: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def key(self) -> str:
        return self.repo.lower()


def snapshot_from_json(data: dict[str, Any]) -> RepoSnapshot:
    issues = [IssueRef(**i) for i in data.pop("issues", [])]
    releases = [ReleaseRef(**r) for r in data.pop("releases", [])]
    return RepoSnapshot(**data, issues=issues, releases=releases)


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:24]


def stamp_of(node: dict[str, Any]) -> str:
    """The same digest from a ``Learner`` or a ``Stamp`` answer: does the full view need reading again?"""
    progress = node.get("progress") or {}
    issues = node.get("sprintIssues") or {}
    releases = node.get("releases") or {}
    newest_issue = ((issues.get("nodes") or [{}])[:1] or [{}])[0] or {}
    newest_release = ((releases.get("nodes") or [{}])[:1] or [{}])[0] or {}
    return _digest({
        "archived": bool(node.get("isArchived")), "private": bool(node.get("isPrivate")),
        "progress": progress.get("oid"),
        "issues": [issues.get("totalCount", 0), newest_issue.get("updatedAt")],
        "releases": [releases.get("totalCount", 0), newest_release.get("tagName"),
                     newest_release.get("publishedAt"), newest_release.get("isDraft")],
    })


def error_stamp(status: Status, message: str) -> str:
    return f"{status}:{_digest(message)}"


# ---- documents ----------------------------------------------------------------------------------


def batch_document(count: int, view: View) -> str:
    """``count`` aliased repositories (``r0…``), variables ``$o0 $n0 …`` (owner, name)."""
    fragment = "Learner" if view == "full" else "Stamp"
    params = ", ".join(f"$o{i}: String!, $n{i}: String!" for i in range(count))
    body = "\n".join(f"  r{i}: repository(owner: $o{i}, name: $n{i}) {{ ...{fragment} }}" for i in range(count))
    return f"query({params}) {{\n{body}\n}}\n" + (LEARNER_FRAGMENT if view == "full" else STAMP_FRAGMENT)


def batch_variables(names: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, name in enumerate(names):
        owner, repo = name.split("/", 1)
        out[f"o{i}"], out[f"n{i}"] = owner, repo
    return out


def listing_document(kind: Literal["organization", "search"], view: View) -> str:
    """One page of an organization's repositories, or of a repository search, in the given view."""
    fragment = "Learner" if view == "full" else "Stamp"
    size = FULL_BATCH if view == "full" else STAMP_BATCH
    page = "totalCount pageInfo { hasNextPage endCursor }"
    if kind == "organization":
        root = (f"organization(login: $login) {{\n    repositories(first: {size}, after: $after) {{\n"
                f"      {page}\n      nodes {{ ...{fragment} }}\n    }}\n  }}")
        head = "query($login: String!, $after: String)"
    else:
        root = (f"search(query: $q, type: REPOSITORY, first: {size}, after: $after) {{\n"
                f"    repositoryCount pageInfo {{ hasNextPage endCursor }}\n"
                f"    nodes {{ ... on Repository {{ ...{fragment} }} }}\n  }}")
        head = "query($q: String!, $after: String)"
    return f"{head} {{\n  {root}\n}}\n" + (LEARNER_FRAGMENT if view == "full" else STAMP_FRAGMENT)


# ---- answers ------------------------------------------------------------------------------------


def parse_node(name: str, node: dict[str, Any], view: View) -> RepoSnapshot:
    """A repository node (either view) → a snapshot. The stamp view fills only what it has."""
    snap = RepoSnapshot(repo=name, private=bool(node.get("isPrivate")), archived=bool(node.get("isArchived")),
                        url=str(node.get("url") or ""), stamp=stamp_of(node))
    progress = node.get("progress") or {}
    snap.progress_oid = progress.get("oid")
    if view == "stamp":
        return snap
    snap.progress_text = progress.get("text") if progress else None
    snap.progress_truncated = bool(progress.get("isTruncated"))
    issues = node.get("sprintIssues") or {}
    snap.issues_total = int(issues.get("totalCount") or 0)
    for i in issues.get("nodes") or []:
        if not isinstance(i, dict):
            continue
        title = str(i.get("title") or "")
        m = _SPRINT_TITLE.match(title)
        snap.issues.append(IssueRef(number=int(i["number"]), sprint=m.group(1) if m else None,
                                    state=str(i.get("state") or ""), url=str(i.get("url") or ""),
                                    updated_at=str(i.get("updatedAt") or ""), closed_at=i.get("closedAt")))
    releases = node.get("releases") or {}
    snap.releases_total = int(releases.get("totalCount") or 0)
    snap.releases = [ReleaseRef(tag=str(r.get("tagName") or ""), name=str(r.get("name") or ""),
                                url=str(r.get("url") or ""), published_at=r.get("publishedAt"),
                                draft=bool(r.get("isDraft")))
                     for r in releases.get("nodes") or [] if isinstance(r, dict)]
    return snap


def _error_for(errors: list[dict[str, Any]], alias: str) -> tuple[Status, str] | None:
    mine = [e for e in errors if [str(p) for p in e.get("path") or []][:1] == [alias]]
    if not mine:
        return None
    e = mine[0]
    kind = str(e.get("type") or "")
    message = str(e.get("message") or kind or "error")
    if kind == "NOT_FOUND":
        return "missing", message
    if kind in ("FORBIDDEN", "INSUFFICIENT_SCOPES"):
        return "forbidden", message
    return "error", message


def failed(name: str, status: Status, message: str) -> RepoSnapshot:
    return RepoSnapshot(repo=name, status=status, message=message, stamp=error_stamp(status, message))


def parse_batch(names: list[str], data: dict[str, Any], errors: list[dict[str, Any]], view: View) -> list[RepoSnapshot]:
    """The answer to :func:`batch_document` → one snapshot per name, in order (errors per repository)."""
    out = []
    for i, name in enumerate(names):
        alias = f"r{i}"
        node = data.get(alias)
        problem = _error_for(errors, alias)
        if isinstance(node, dict):
            out.append(parse_node(name, node, view))
        elif problem is not None:
            out.append(failed(name, *problem))
        else:
            out.append(failed(name, "error", "GitHub returned nothing for this repository"))
    return out


@dataclass
class Page:
    """One page of a listing: the repositories on it, where the next starts, or why there is none."""

    snapshots: list[RepoSnapshot]
    next_cursor: str | None
    total: int
    problem: str | None = None


def parse_listing(kind: Literal["organization", "search"], data: dict[str, Any], errors: list[dict[str, Any]],
                  view: View) -> Page:
    if kind == "organization":
        root = (data.get("organization") or {}).get("repositories") if data.get("organization") else None
    else:
        root = data.get("search")
    if not isinstance(root, dict):
        message = "; ".join(str(e.get("message") or e.get("type")) for e in errors[:2]) or "no answer"
        return Page([], None, 0, problem=message)
    snaps = [parse_node(str(n.get("nameWithOwner") or ""), n, view) for n in root.get("nodes") or []
             if isinstance(n, dict) and n.get("nameWithOwner")]
    info = root.get("pageInfo") or {}
    cursor = str(info["endCursor"]) if info.get("hasNextPage") and info.get("endCursor") else None
    total = int(root.get("totalCount") or root.get("repositoryCount") or 0)
    return Page(snaps, cursor, total)
