"""The learner's GitHub Actions workflow, installed by ``sprint init`` (SPEC §9).

``sprint init`` writes ``.github/workflows/sprint.yml``, ``.github/sprint-requirements.txt``
(the pinned llm-sprint the workflow installs; it is also the key of the pip cache) and
``.github/actionlint.yaml`` (declares the ``gpu`` runner label for actionlint).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from tracker.templates import render

__all__ = ["ACTIONLINT_CONFIG_PATH", "REQUIREMENTS_PATH", "WORKFLOW_PATH", "install_workflow", "render_workflow"]

WORKFLOW_PATH = Path(".github/workflows/sprint.yml")
REQUIREMENTS_PATH = Path(".github/sprint-requirements.txt")
ACTIONLINT_CONFIG_PATH = Path(".github/actionlint.yaml")
# actionlint reports unknown runner labels; the optional gpu job runs on `[self-hosted, gpu]`.
ACTIONLINT_CONFIG = "self-hosted-runner:\n  labels: [gpu]\n"
TORCH_CPU = "torch==2.13.0"


def _requirements() -> str:
    try:
        pinned = f"llm-sprint[all]=={version('llm-sprint')}"
    except PackageNotFoundError:  # a source tree without metadata
        pinned = "llm-sprint[all]"
    return f"# Installed by .github/workflows/sprint.yml; bump to upgrade.\n{pinned}\n"


def render_workflow(*, python: str = "3.11") -> str:
    return render("sprint_workflow.yml.j2", python=python, torch=TORCH_CPU, requirements=REQUIREMENTS_PATH.as_posix())


def install_workflow(root: Path) -> None:
    for path, text in ((WORKFLOW_PATH, render_workflow()), (REQUIREMENTS_PATH, _requirements()),
                       (ACTIONLINT_CONFIG_PATH, ACTIONLINT_CONFIG)):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
