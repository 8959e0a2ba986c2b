"""pytest plugin (entry point ``pytest11``): ``pytest --sprint`` grades the roadmap's exercises.

In a learner workspace, ``pytest --sprint [--sprint-profile cpu|gpu|auto]`` collects one test item
per available exercise of ``roadmap.yaml`` (``roadmap.yaml::P0::csv-to-json``). Each item grades
its exercise through the same sandbox as ``sprint grade``, records the attempt in the ledger, and
fails with a table of measured values against thresholds; a ``pending`` result is a skip with the
reason. With ``--sprint``, the exercise folders are not collected as ordinary tests (graders run
what is in them). Without ``--sprint`` the plugin does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graders.contract import GradeResult

__all__ = ["ExerciseItem", "RoadmapFile", "SprintFailure"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("llm-sprint", "grading the llm-sprint roadmap")
    group.addoption("--sprint", action="store_true", default=False,
                    help="collect the roadmap's exercises as test items and grade them")
    group.addoption("--sprint-profile", choices=("cpu", "gpu", "auto"), default=None,
                    help="grading profile (default: the workspace's sprint.toml, else auto)")


def _workspace_root(config: pytest.Config) -> Path | None:
    for folder in (config.rootpath, *config.rootpath.parents):
        if (folder / "roadmap.yaml").is_file():
            return folder
    return None


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if not config.getoption("sprint"):
        return None
    root = _workspace_root(config)
    if root is not None and collection_path == root / "exercises":
        return True
    return None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    config = parent.config
    if not config.getoption("sprint") or file_path.name != "roadmap.yaml":
        return None
    if _workspace_root(config) != file_path.parent:
        return None
    return RoadmapFile.from_parent(parent, path=file_path)


class SprintFailure(Exception):
    def __init__(self, result: GradeResult) -> None:
        super().__init__(result.message)
        self.result = result


class RoadmapFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from tracker.progress import is_available
        from tracker.roadmap.loader import load_roadmap

        roadmap = load_roadmap(self.path)
        sprint_of = {slug: s.id for _, s in roadmap.sprints() for slug in s.exercises}
        for ex in roadmap.exercises:
            if is_available(ex.slug) and (self.path.parent / "exercises" / ex.slug).is_dir():
                group = sprint_of.get(ex.slug, "targets")
                yield ExerciseItem.from_parent(self, name=f"{group}::{ex.slug}", slug=ex.slug)


class ExerciseItem(pytest.Item):
    def __init__(self, *, slug: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.slug = slug
        self.add_marker(pytest.mark.sprint)

    def runtest(self) -> None:
        from tracker.grading import grade_and_record
        from tracker.session import open_session

        session = open_session(self.path.parent)
        requested = self.config.getoption("sprint_profile") or session.config.grading.profile
        try:
            [(result, _)] = grade_and_record(session.ws, session.roadmap, session.conn, [self.slug], requested)
        finally:
            session.conn.close()
        self.user_properties.append(("sprint_result", result.model_dump_json()))
        if result.status == "pending":
            pytest.skip(f"{self.slug}: pending — {result.message}")
        if result.status != "pass":
            raise SprintFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if not isinstance(excinfo.value, SprintFailure):
            return str(super().repr_failure(excinfo))
        r = excinfo.value.result
        lines = [f"{r.slug}: {r.status} (profile {r.profile}, seed {r.seed}, {r.duration_s:.1f} s)"]
        width = max((len(c.name) for c in r.checks), default=5)
        for c in r.checks:
            measured = c.display or ("—" if c.measured is None else str(c.measured))
            need = c.threshold or "yes/no"
            note = f"  {c.message.splitlines()[0]}" if c.status != "pass" and c.message else ""
            lines.append(f"  {c.name:<{width}}  {c.status:<7}  measured {measured:<12} needs {need}{note}")
        lines.append(r.message)
        return "\n".join(lines)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"sprint grade {self.slug}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sprint: a roadmap exercise graded by llm-sprint")
