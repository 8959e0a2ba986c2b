"""Workspace settings: ``sprint.toml``, overridden by the environment, overridden by flags.

::

    [grading]
    profile = "auto"          # cpu | gpu | auto (gpu when CUDA is present)

    [github]
    repo = "owner/name"       # GITHUB_REPOSITORY in Actions; no repo → the local board only
    project = 3               # a Projects (v2) number; or create_project = "LLM sprint"
    project_owner = "owner"   # defaults to the repo's owner
    # With PROJECT_TOKEN set and neither project setting, the project "LLM sprint" is found or created.

Tokens are never stored here: ``GITHUB_TOKEN`` (issues, labels, milestones, tags) and optionally
``PROJECT_TOKEN`` (a classic token with the ``project`` scope, needed for user-owned projects).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tracker.errors import ConfigError

__all__ = ["DEFAULT_PROJECT_TITLE", "Config", "GitHubSettings", "GradingSettings", "load_config"]

DEFAULT_PROJECT_TITLE = "LLM sprint"


class GradingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    profile: Literal["cpu", "gpu", "auto"] = "auto"


class GitHubSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    repo: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    project: int | None = Field(default=None, ge=1)
    create_project: str | None = None
    project_owner: str | None = None
    api_url: str | None = None
    graphql_url: str | None = None


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grading: GradingSettings = Field(default_factory=GradingSettings)
    github: GitHubSettings = Field(default_factory=GitHubSettings)


def load_config(path: Path, env: dict[str, str] | None = None) -> Config:
    """Read ``path`` (missing is fine: defaults) and apply environment overrides."""
    env = dict(os.environ) if env is None else env
    data: dict[str, object] = {}
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}; fix the TOML syntax") from None
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        lines = [f"{path} [{'.'.join(map(str, e['loc']))}]: {e['msg']}" for e in exc.errors()]
        raise ConfigError("invalid settings:\n  " + "\n  ".join(lines)) from None
    gh = config.github
    if not gh.repo and env.get("GITHUB_REPOSITORY"):
        gh.repo = env["GITHUB_REPOSITORY"]
    if env.get("PROJECT_TOKEN") and gh.project is None and not gh.create_project:
        # A project token without a project setting: the board everyone expects, found by title or created.
        gh.create_project = DEFAULT_PROJECT_TITLE
    gh.api_url = env.get("GITHUB_API_URL") or gh.api_url
    gh.graphql_url = env.get("GITHUB_GRAPHQL_URL") or gh.graphql_url
    if env.get("SPRINT_PROFILE"):
        profile = env["SPRINT_PROFILE"]
        if profile not in ("cpu", "gpu", "auto"):
            raise ConfigError(f"SPRINT_PROFILE={profile!r}: use cpu, gpu or auto")
        config.grading.profile = profile  # type: ignore[assignment]
    return config
