"""Helpers for the GitHub sync tests: a workspace wired to a fake GitHub, graded exercises, fake sleeps."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fakes.github.server import FakeGitHub
from tests.helpers import FIXED_TODAY, LIBRARY_EXERCISES
from tracker.db import connect
from tracker.roadmap.loader import load_roadmap
from tracker.roadmap.models import Roadmap, Sprint
from tracker.sync.github import GitHubSyncResult, GitHubTarget, sync_github
from tracker.workspace import Workspace

REPO = "octo-learner/roadmap"
PROJECT = "LLM sprint"


@dataclass
class Sleeps:
    """A ``sleep`` that records the waits asked for and returns at once."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@dataclass
class Learner:
    """A workspace, its roadmap and database — what ``sprint sync`` opens."""

    root: Path
    ws: Workspace
    roadmap: Roadmap
    conn: sqlite3.Connection

    @classmethod
    def open(cls, root: Path) -> Learner:
        ws = Workspace(root)
        return cls(root, ws, load_roadmap(ws.roadmap_path), connect(ws.db_path))

    def sprints(self) -> list[tuple[str, Sprint]]:
        """(label, sprint) of every sprint: the quarters' and the year-2 tracks'."""
        out = [(q.id, s) for q in self.roadmap.quarters for s in q.sprints]
        return out + [(f"track {t.id}", s) for t in self.roadmap.tracks for s in t.sprints]

    def sprint_ids(self) -> list[str]:
        return [s.id for _, s in self.sprints()]

    def manual_only(self) -> Sprint:
        return next(s for _, s in self.sprints() if s.checklist and all(c.manual for c in s.checklist))

    def grade(self, slug: str = "csv-to-json", variant: str | None = "reference") -> str:
        """Overlay a variant (None: restore the starter) and grade it; the result's status."""
        from tracker.grading import grade_and_record

        dest = self.root / "exercises" / slug
        if variant is None:
            shutil.rmtree(dest)
            shutil.copytree(LIBRARY_EXERCISES / slug, dest, ignore=shutil.ignore_patterns(".meta", "__pycache__"))
        else:
            shutil.copytree(LIBRARY_EXERCISES / slug / ".meta" / variant, dest, dirs_exist_ok=True)
        [(result, _)] = grade_and_record(self.ws, self.roadmap, self.conn, [slug], "cpu", seed=1234)
        return result.status


def target(fake: FakeGitHub, **kw: Any) -> GitHubTarget:
    kw.setdefault("create_project", PROJECT)
    return GitHubTarget(repo=REPO, api_url=fake.url, graphql_url=fake.graphql_url, **kw)


def run(fake: FakeGitHub, learner: Learner, *, env: dict[str, str] | None = None, cache: Path | None = None,
        sleep: Sleeps | None = None, **kw: Any) -> GitHubSyncResult:
    tgt = kw.pop("tgt", None) or target(fake, **{k: kw.pop(k) for k in ("project", "create_project") if k in kw})
    return sync_github(learner.ws, learner.roadmap, learner.conn, tgt, env=env or fake.env(), cache_path=cache,
                       sleep=sleep or Sleeps(), today=FIXED_TODAY, **kw)


def issues(fake: FakeGitHub) -> dict[str, dict[str, Any]]:
    """The fake's issues by sprint id (from the snapshot, with numbers)."""
    snap = fake.snapshot(with_numbers=True)["repos"][REPO]["issues"]
    return {i["key"].removeprefix("sprint="): i for i in snap if i["key"].startswith("sprint=")}


def statuses(fake: FakeGitHub) -> dict[str, str | None]:
    """Card status by sprint id on the (only) project."""
    [project] = fake.snapshot()["projects"]
    return {it["content"].split("#sprint=")[1]: it["values"].get("Status") for it in project["items"]
            if "#sprint=" in it["content"]}
