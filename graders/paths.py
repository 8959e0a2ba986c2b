"""Where things live on disk: the user cache and the installed exercise library.

The exercise library (``roadmap.yaml`` and ``exercises/``) ships inside the wheel under
``graders/_library``; an editable install reads it from the repository root instead.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir", "default_roadmap", "exercise_dir", "library_is_installed", "library_root"]


def cache_dir() -> Path:
    """``$LLM_SPRINT_CACHE``, else ``$XDG_CACHE_HOME/llm-sprint``, else ``~/.cache/llm-sprint``."""
    if explicit := os.environ.get("LLM_SPRINT_CACHE"):
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "llm-sprint"


def library_root() -> Path:
    """The folder holding the default ``roadmap.yaml`` and the ``exercises/`` library."""
    if explicit := os.environ.get("LLM_SPRINT_LIBRARY"):
        return Path(explicit).expanduser()
    here = Path(__file__).resolve().parent
    shipped = here / "_library"
    if (shipped / "roadmap.yaml").is_file():
        return shipped
    return here.parent  # editable install: the repository root


def library_is_installed() -> bool:
    """True when the library in use is the one a wheel installed: it carries no references or cheats."""
    return library_root() == Path(__file__).resolve().parent / "_library"


def default_roadmap() -> Path:
    return library_root() / "roadmap.yaml"


def exercise_dir(slug: str) -> Path:
    """The library folder of an exercise (it may not exist: the exercise is not yet available)."""
    return library_root() / "exercises" / slug
