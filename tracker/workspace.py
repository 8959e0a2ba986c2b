"""A learner's workspace: where its roadmap, exercises, settings and ``.sprint/`` state live.

::

    DIR/
      roadmap.yaml          the learner's copy of the curriculum (they may edit thresholds, dates)
      sprint.toml           settings (GitHub repo/project, grading profile) — committed
      exercises/<slug>/     the learner's code: starters copied by `sprint init`, never a .meta/
      .sprint/              local state, git-ignored: sprint.db (board + ledger), caches
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tracker.errors import WorkspaceError

__all__ = ["IGNORED_NAMES", "Workspace", "content_hash", "iter_files"]

IGNORED_NAMES = frozenset({"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".mypy_cache", ".git", ".meta",
                           ".sprint", ".DS_Store", ".venv"})
ROADMAP = "roadmap.yaml"
STATE = ".sprint"


def iter_files(folder: Path) -> list[Path]:
    """Files under ``folder`` that belong to the exercise (caches and .meta excluded), sorted."""
    out: list[Path] = []
    if not folder.is_dir():
        return out
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_NAMES)
        for name in sorted(filenames):
            if name not in IGNORED_NAMES and not name.endswith((".pyc", ".pyo")):
                out.append(Path(dirpath) / name)
    return out


def content_hash(folder: Path) -> str:
    """sha256 over (relative path, bytes) of every exercise file: equal folders, equal hashes."""
    digest = hashlib.sha256()
    for path in iter_files(folder):
        rel = path.relative_to(folder).as_posix()
        digest.update(rel.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()


@dataclass(frozen=True)
class Workspace:
    root: Path

    @classmethod
    def find(cls, explicit: Path | None = None, start: Path | None = None) -> Workspace:
        """``explicit`` if given; else ``$SPRINT_WORKSPACE``; else the nearest folder upwards
        from ``start`` (the current directory) that holds a roadmap.yaml."""
        if explicit is None and (env := os.environ.get("SPRINT_WORKSPACE")):
            explicit = Path(env)
        if explicit is not None:
            root = explicit.expanduser().resolve()
            if not (root / ROADMAP).is_file():
                raise WorkspaceError(f"{root} is not an llm-sprint workspace (no {ROADMAP}); "
                                     f"create one with `sprint init {explicit}`")
            return cls(root)
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / ROADMAP).is_file():
                return cls(folder)
        raise WorkspaceError(f"no {ROADMAP} in {here} or any parent folder; run `sprint init DIR` to create a "
                             "workspace, or pass --workspace DIR")

    @property
    def roadmap_path(self) -> Path:
        return self.root / ROADMAP

    @property
    def state_dir(self) -> Path:
        return self.root / STATE

    @property
    def db_path(self) -> Path:
        return self.state_dir / "sprint.db"

    @property
    def config_path(self) -> Path:
        return self.root / "sprint.toml"

    def exercise_dir(self, slug: str) -> Path:
        return self.root / "exercises" / slug

    def commit(self) -> str | None:
        """HEAD of the workspace's git repository (``+dirty`` when exercise files are modified), or None."""
        try:
            head = subprocess.run(["git", "-C", str(self.root), "rev-parse", "HEAD"], capture_output=True,
                                  text=True, timeout=5, check=True).stdout.strip()
            dirty = subprocess.run(["git", "-C", str(self.root), "status", "--porcelain", "--", "exercises"],
                                   capture_output=True, text=True, timeout=5, check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
        return head + ("+dirty" if dirty else "") if head else None
