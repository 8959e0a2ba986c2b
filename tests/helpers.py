"""Helpers for tests (import as ``from tests.helpers import ...``)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIBRARY_EXERCISES = REPO / "exercises"
FIXED_TODAY = dt.date(2026, 11, 22)


def solve(workspace: Path, slug: str, variant: str = "reference") -> None:
    """Overlay an exercise's reference (or a cheat) from the library onto the workspace's copy."""
    src = LIBRARY_EXERCISES / slug / ".meta" / variant
    dest = workspace / "exercises" / slug
    if not src.is_dir():
        raise FileNotFoundError(src)
    shutil.copytree(src, dest, dirs_exist_ok=True)


def sprint(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
           timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the real `sprint` console script (via this interpreter) and capture its output."""
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "160", "SPRINT_TODAY": FIXED_TODAY.isoformat(),
                **(env or {})}
    return subprocess.run([sys.executable, "-m", "tracker", *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout)


def sprint_json(*args: str, cwd: Path | None = None) -> object:
    proc = sprint(*args, "--json", cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)
