"""The fake's state as plain, comparable data — to prove two sync runs end in the same place.

:func:`snapshot` leaves out what legitimately differs between runs (database ids, node ids,
SHAs, timestamps, and — unless ``with_numbers=True`` — issue numbers) and sorts everything,
so ``snapshot(run_a) == snapshot(run_b)`` means "same issues, labels, milestones, comments,
refs, releases, projects, fields, options and statuses". :func:`duplicates` counts what must
be unique: issues per hidden marker (``<!-- llm-sprint:sprint=3.1 -->``, else per title), and
project items per content.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from .state import FakeState, Issue, Project, ProjectItem, Repository, iso

MARKER = re.compile(r"<!--\s*llm-sprint:sprint=([^\s>]+)\s*-->")


def issue_key(issue: Issue, marker: re.Pattern[str] = MARKER) -> str:
    """``sprint=3.1`` when the body carries the hidden marker, else ``title=<title>``."""
    found = marker.search(issue.body or "")
    return f"sprint={found.group(1)}" if found else f"title={issue.title}"


def snapshot(state: FakeState, *, with_numbers: bool = False) -> dict[str, Any]:
    with state.lock:
        return {
            "repos": {repo.full_name: _repo(repo, with_numbers) for repo in state.repos.values()},
            "projects": sorted((_project(p) for p in state.projects), key=lambda p: (p["owner"], p["title"])),
        }


def duplicates(state: FakeState, marker: re.Pattern[str] = MARKER) -> dict[str, int]:
    """``{"owner/repo sprint=3.1": 2, "project 1 item owner/repo#sprint=3.1": 2}`` — empty when none."""
    with state.lock:
        counts: Counter[str] = Counter()
        for repo in state.repos.values():
            counts.update(f"{repo.full_name} {issue_key(i, marker)}" for i in repo.issues.values())
        for project in state.projects:
            counts.update(f"project {project.number} item {_content(it)}" for it in project.items)
        return {key: n for key, n in counts.items() if n > 1}


def _repo(repo: Repository, with_numbers: bool) -> dict[str, Any]:
    def issue(i: Issue) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": issue_key(i),
            "title": i.title,
            "body": i.body,
            "state": i.state,
            "state_reason": i.state_reason,
            "labels": sorted(lb.name for lb in i.labels),
            "milestone": i.milestone.title if i.milestone else None,
            "comments": [c.body for c in i.comments],
        }
        if with_numbers:
            data["number"] = i.number
        return data

    def ref_target(sha: str) -> str:
        tag = repo.tags.get(sha)
        if tag is not None:
            return f"annotated tag {tag.tag!r}: {tag.message}"
        return "commit" if sha in repo.commits else "?"

    return {
        "labels": sorted(
            ({"name": lb.name, "color": lb.color, "description": lb.description} for lb in repo.labels.values()),
            key=lambda lb: str(lb["name"]).lower(),
        ),
        "milestones": sorted(
            (
                {"title": m.title, "state": m.state, "description": m.description, "due_on": iso(m.due_on)}
                for m in repo.milestones.values()
            ),
            key=lambda m: str(m["title"]),
        ),
        "issues": sorted((issue(i) for i in repo.issues.values()), key=lambda d: (d["key"], d.get("number", 0))),
        "refs": {name: ref_target(ref.sha) for name, ref in sorted(repo.refs.items())},
        "releases": sorted(
            (
                {"tag_name": r.tag_name, "name": r.name, "body": r.body, "draft": r.draft, "prerelease": r.prerelease}
                for r in repo.releases.values()
            ),
            key=lambda r: str(r["tag_name"]),
        ),
    }


def _content(item: ProjectItem) -> str:
    repo = item.content.repo
    return f"{repo.full_name if repo else '?'}#{issue_key(item.content)}"


def _project(project: Project) -> dict[str, Any]:
    def values(item: ProjectItem) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in project.fields:
            stored = item.values.get(f.node_id)
            if stored is None:
                continue
            option = f.option(stored) if isinstance(stored, str) else None
            out[f.name] = option.name if option else stored
        return out

    return {
        "owner": project.owner.login,
        "title": project.title,
        "closed": project.closed,
        "repositories": sorted(r.full_name for r in project.repositories),
        "fields": [
            {"name": f.name, "data_type": f.data_type, "options": [o.name for o in f.options]} for f in project.fields
        ],
        "items": sorted(
            ({"content": _content(it), "archived": it.archived, "values": values(it)} for it in project.items),
            key=lambda it: str(it["content"]),
        ),
    }
