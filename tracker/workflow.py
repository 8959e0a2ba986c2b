"""The learner's GitHub Actions workflow, installed by ``sprint init`` (SPEC §9).

``sprint init`` writes ``.github/workflows/sprint.yml``, ``.github/sprint-requirements.txt``
(the llm-sprint the workflow installs, pinned to the *running* version, so CI grades with the
grader the learner graded with locally; it is also the key of the pip cache) and
``.github/actionlint.yaml`` (declares the ``gpu`` runner label for actionlint). ``sprint upgrade``
(tracker/upgrade.py) rewrites them for a newer llm-sprint.
"""

from __future__ import annotations

from pathlib import Path

from tracker._version import __version__
from tracker.templates import render

__all__ = ["ACTIONLINT_CONFIG_PATH", "PACKAGE", "REQUIREMENTS_PATH", "WORKFLOW_PATH", "install_workflow",
           "render_workflow", "requirement", "requirements_text", "workflow_files"]

WORKFLOW_PATH = Path(".github/workflows/sprint.yml")
REQUIREMENTS_PATH = Path(".github/sprint-requirements.txt")
ACTIONLINT_CONFIG_PATH = Path(".github/actionlint.yaml")
# actionlint reports unknown runner labels; the optional gpu job runs on `[self-hosted, gpu]`.
ACTIONLINT_CONFIG = "self-hosted-runner:\n  labels: [gpu]\n"
TORCH_CPU = "torch==2.13.0"
PACKAGE = "llm-sprint"
REQUIREMENTS_HEADER = (
    "# The llm-sprint that .github/workflows/sprint.yml installs: the version you ran `sprint init`\n"
    "# with, so CI grades with the grader you graded with. `sprint upgrade` moves it to the\n"
    "# llm-sprint you run (and `sprint status` says when the two differ).\n"
)


def requirement(version: str = __version__, extras: str = "all") -> str:
    """``llm-sprint[all]==<version>``: the pin the workflow installs."""
    return f"{PACKAGE}[{extras}]=={version}" if extras else f"{PACKAGE}=={version}"


def requirements_text(version: str = __version__) -> str:
    return f"{REQUIREMENTS_HEADER}{requirement(version)}\n"


def render_workflow(*, python: str = "3.11", version: str = __version__) -> str:
    return render("sprint_workflow.yml.j2", python=python, torch=TORCH_CPU, requirements=REQUIREMENTS_PATH.as_posix(),
                  version=version)


def workflow_files(version: str = __version__) -> dict[Path, str]:
    """Every file the workflow needs, by path relative to the workspace, as ``version`` writes it."""
    return {WORKFLOW_PATH: render_workflow(version=version), REQUIREMENTS_PATH: requirements_text(version),
            ACTIONLINT_CONFIG_PATH: ACTIONLINT_CONFIG}


def install_workflow(root: Path) -> None:
    for path, text in workflow_files().items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
