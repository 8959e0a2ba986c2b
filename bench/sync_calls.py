"""Requests (and GraphQL cost) of `sprint sync` against the fake GitHub, next to a naive baseline.

Phases, on the default roadmap with a Projects (v2) board created by the sync:

1. first sync: labels, milestones, the project (created, Status options set), every issue, every card;
2. no-op re-sync, twice: the first after our own writes (the issue list changed: a 200), the second
   with nothing changed anywhere (the issue list is a free 304);
3. one status change: csv-to-json's reference solution is graded, P0 goes Done (checklist ticked,
   card moved, metrics comment, issue closed).

The naive baseline reads the same state one request per field, as a straightforward client would:
the repository, every issue, every issue's comments, every card's status (one GraphQL query each),
every label and every milestone.

Usage (from the repository root): python bench/sync_calls.py. Last line: key=value pairs.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.fakes.github.server import FakeGitHub  # noqa: E402
from tracker.db import connect  # noqa: E402
from tracker.grading import grade_and_record  # noqa: E402
from tracker.roadmap.loader import load_roadmap  # noqa: E402
from tracker.scaffold import scaffold  # noqa: E402
from tracker.sync.github import GitHubTarget, sync_github  # noqa: E402
from tracker.workspace import Workspace  # noqa: E402

REPO = "octo-learner/roadmap"


def phase(fake: FakeGitHub) -> dict[str, Any]:
    c = fake.counters.as_dict()
    out = {"requests": c["requests"], "not_modified": c["not_modified"], "writes": c["writes"],
           "graphql_documents": c["graphql_documents"], "graphql_cost": c["graphql_cost"],
           "rest_charged": c["requests"] - c["graphql_documents"] - c["not_modified"]}
    fake.counters.reset()
    return out


def naive_noop(fake: FakeGitHub) -> int:
    """One request per field: what reading the board costs without list-with-ETag and batching."""
    gh = fake.github(retry=None)
    req = gh.requester
    req.requestJsonAndCheck("GET", f"/repos/{REPO}")
    numbers = sorted(fake.repo.issues)
    project = fake.state.projects[0]
    items = {it.content.number: it.node_id for it in project.items}
    for n in numbers:
        req.requestJsonAndCheck("GET", f"/repos/{REPO}/issues/{n}")
        req.requestJsonAndCheck("GET", f"/repos/{REPO}/issues/{n}/comments")
        req.graphql_query('query($id: ID!) { node(id: $id) { ... on ProjectV2Item { fieldValueByName(name: "Status")'
                          " { ... on ProjectV2ItemFieldSingleSelectValue { name } } } } }", {"id": items[n]})
    for label in fake.repo.labels.values():
        req.requestJsonAndCheck("GET", f"/repos/{REPO}/labels/{label.name}")
    for number in fake.repo.milestones:
        req.requestJsonAndCheck("GET", f"/repos/{REPO}/milestones/{number}")
    count = fake.counters.requests
    fake.counters.reset()
    return count


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeGitHub() as fake:
        root = Path(tmp) / "ws"
        scaffold(root, start=dt.date.today() - dt.timedelta(days=14))
        ws = Workspace(root)
        roadmap = load_roadmap(ws.roadmap_path)
        conn = connect(ws.db_path)
        target = GitHubTarget(repo=REPO, api_url=fake.url, graphql_url=fake.graphql_url, create_project="LLM sprint")

        def sync() -> dict[str, Any]:
            result = sync_github(ws, roadmap, conn, target, env=fake.env())
            counts = phase(fake)
            counts["changes"] = len(result.actions)
            return counts

        first = sync()
        noop_after_writes = sync()
        noop = sync()
        shutil.copy(REPO_ROOT / "exercises/csv-to-json/.meta/reference/data_loader.py",
                    root / "exercises/csv-to-json/data_loader.py")
        [(graded, _)] = grade_and_record(ws, roadmap, conn, ["csv-to-json"], "cpu", seed=1)
        assert graded.status == "pass", graded.message
        change = sync()
        naive = naive_noop(fake)
        conn.close()
        assert fake.duplicates() == {}
        fake.assert_clean()

    sprints = len(fake.repo.issues)
    print(f"default roadmap: {sprints} sprints; project board created by the sync\n")
    print(f"{'phase':<28}{'requests':>9}{'304 (free)':>11}{'writes':>8}{'GraphQL docs':>14}{'GraphQL cost':>14}"
          f"{'changes':>9}")
    for name, row in (("first sync", first), ("no-op after our writes", noop_after_writes),
                      ("no-op (nothing changed)", noop), ("one status change (P0 Done)", change)):
        print(f"{name:<28}{row['requests']:>9}{row['not_modified']:>11}{row['writes']:>8}{row['graphql_documents']:>14}"
              f"{row['graphql_cost']:>14}{row['changes']:>9}")
    print(f"{'naive no-op (per field)':<28}{naive:>9}")
    print(f"\nno-op: {noop['requests']} requests ({noop['not_modified']} free 304, "
          f"{noop['graphql_cost']} GraphQL point) vs {naive} one request per field")
    print(f"first_requests={first['requests']} noop_requests={noop['requests']} change_requests={change['requests']} "
          f"naive_noop_requests={naive}")


if __name__ == "__main__":
    main()
