"""``sprint init``: lay out a new learner workspace from the installed library.

Built in a temporary sibling folder and renamed into place, so a failure leaves nothing behind. An
empty folder that already exists is kept (it may be the learner's current directory, with its own
permissions): the staged entries are moved into it, and moved back out if one move fails.
Starters only: a ``.meta/`` folder (references, cheats, hidden data) is never copied.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from graders.paths import default_roadmap, exercise_dir
from tracker.errors import WorkspaceError
from tracker.roadmap.loader import load_roadmap
from tracker.templates import render
from tracker.workspace import IGNORED_NAMES

__all__ = ["PROGRESS_END", "PROGRESS_START", "scaffold"]

PROGRESS_START = "<!-- llm-sprint:progress:start -->"
PROGRESS_END = "<!-- llm-sprint:progress:end -->"
_START_LINE = re.compile(r"^start_date:.*$", re.MULTILINE)

GITIGNORE = """\
# llm-sprint local state: the board and ledger database, caches
.sprint/
__pycache__/
*.pyc
.ipynb_checkpoints/
.venv/
# written by the GitHub workflow's grade step (uploaded as an artifact, never committed)
sprint-results*.json
"""

SPRINT_TOML = """\
# llm-sprint settings for this workspace (tokens never go here: use GITHUB_TOKEN / PROJECT_TOKEN).

[grading]
# cpu: tiny local models; gpu: the real-scale targets; auto: gpu when CUDA is present.
profile = "auto"

# The gpu profile grades some exercises on your own local models (Hugging Face folders), e.g.:
# [grading.gpu_models]
# lora-finetune = "/models/Meta-Llama-3-8B"   # QLoRA of an 8B model
# quantize = "/models/Mistral-7B-v0.1"        # a 7B model in 6 GB of VRAM

[github]
# Sync the board to GitHub Issues (+ a Projects v2 board) of this repository:
# repo = "your-name/llm-sprint"
# project = 1                  # an existing project number, or:
# create_project = "LLM sprint"
"""


def _copy_starter(slug: str, dest: Path) -> None:
    src = exercise_dir(slug)
    shutil.copytree(src, dest, ignore=lambda d, names: [n for n in names if n in IGNORED_NAMES])


def scaffold(target: Path, *, start: dt.date, extra: Callable[[Path], None] | None = None) -> list[str]:
    """Create a workspace at ``target`` (absent or empty). Returns the slugs whose starters were copied.

    ``extra`` may add files (e.g. the GitHub workflow) to the staging folder before it is moved.
    """
    target = target.expanduser().resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        what = "a workspace already" if (target / "roadmap.yaml").exists() else "not empty"
        raise WorkspaceError(f"{target} is {what}; choose a new or empty folder")
    roadmap_text = default_roadmap().read_text(encoding="utf-8")
    roadmap_text = _START_LINE.sub(f"start_date: {start.isoformat()}", roadmap_text, count=1)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-init-", dir=target.parent))
    try:
        (staging / "roadmap.yaml").write_text(roadmap_text, encoding="utf-8")
        roadmap = load_roadmap(staging / "roadmap.yaml")  # the shipped roadmap must be valid
        copied = []
        (staging / "exercises").mkdir()
        for ex in roadmap.exercises:
            if exercise_dir(ex.slug).is_dir():
                _copy_starter(ex.slug, staging / "exercises" / ex.slug)
                copied.append(ex.slug)
        (staging / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
        (staging / "sprint.toml").write_text(SPRINT_TOML, encoding="utf-8")
        (staging / ".sprint").mkdir()
        readme = render("workspace_readme.md.j2", roadmap=roadmap, start=PROGRESS_START, end=PROGRESS_END,
                        exercises=copied)
        (staging / "README.md").write_text(readme, encoding="utf-8")
        if extra is not None:
            extra(staging)
        if target.exists():
            _move_into(staging, target)
        else:
            staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # empty, or what is left after a failure
    return copied


def _move_into(staging: Path, target: Path) -> None:
    """Move every entry of ``staging`` into the empty folder ``target``; all or nothing.

    Replacing ``target`` itself would pull the folder out from under a learner who typed
    ``sprint init .``: their shell (and this process) would be left in a deleted directory.
    """
    moved: list[str] = []
    try:
        for entry in sorted(staging.iterdir()):
            entry.rename(target / entry.name)  # same parent filesystem: a rename, never a copy
            moved.append(entry.name)
    except BaseException:
        for name in moved:
            (target / name).rename(staging / name)
        raise
