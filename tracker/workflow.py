"""The learner's GitHub Actions workflow, installed by ``sprint init`` (SPEC §9)."""

from __future__ import annotations

from pathlib import Path

from tracker.templates import render

__all__ = ["WORKFLOW_PATH", "install_workflow", "render_workflow"]

WORKFLOW_PATH = Path(".github/workflows/sprint.yml")


def render_workflow(*, python: str = "3.11", package: str = "llm-sprint[all]") -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        pinned = f"{package}=={version('llm-sprint')}"
    except PackageNotFoundError:  # running from a source tree without metadata
        pinned = package
    return render("sprint_workflow.yml.j2", python=python, package=pinned)


def install_workflow(root: Path) -> None:
    path = root / WORKFLOW_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_workflow(), encoding="utf-8")
