"""Workspace settings: ``sprint.toml``, overridden by the environment, overridden by flags.

::

    [grading]
    profile = "auto"          # cpu | gpu | auto (gpu when CUDA is present)

    [grading.gpu_models]      # the gpu profile's models: local Hugging Face folders, per exercise
    lora-finetune = "/models/Meta-Llama-3-8B"   # relative paths: from this file's folder; ~ expands
    quantize = "/models/Mistral-7B-v0.1"        # or SPRINT_GPU_MODEL_QUANTIZE=/models/… in the environment

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
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from graders.contract import GPU_MODEL_ENV_PREFIX, gpu_model_env
from tracker.errors import ConfigError

__all__ = ["DEFAULT_PROJECT_TITLE", "Config", "GitHubSettings", "GradingSettings", "load_config"]

DEFAULT_PROJECT_TITLE = "LLM sprint"
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _exercise_slug(value: str) -> str:
    if not _SLUG.match(value):
        raise PydanticCustomError("slug", "{value} is not an exercise slug (lowercase words joined by dashes, "
                                  "as in the roadmap: lora-finetune)", {"value": repr(value)})
    return value


def _folder_text(value: Any) -> Any:
    # A number or a table here is a typo; an empty string would silently mean the workspace itself.
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("model_folder", 'expected the path of a local model folder as a string, '
                                  'e.g. "/models/Meta-Llama-3-8B"')
    return value


ExerciseSlug = Annotated[str, AfterValidator(_exercise_slug)]
ModelFolder = Annotated[Path, BeforeValidator(_folder_text)]


# defer_build: validators are built when a sprint.toml is first read, not when a command imports this.
class GradingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    profile: Literal["cpu", "gpu", "auto"] = "auto"
    # exercise slug → the learner's local model folder for that exercise's gpu profile. Existence is
    # checked when grading (a CPU machine need not have the folders), not here.
    gpu_models: dict[ExerciseSlug, ModelFolder] = Field(default_factory=dict)


class GitHubSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    repo: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    project: int | None = Field(default=None, ge=1)
    create_project: str | None = None
    project_owner: str | None = None
    api_url: str | None = None
    graphql_url: str | None = None


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
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
    config.grading.gpu_models = _gpu_models(config.grading.gpu_models, path.parent, env)
    return config


def _gpu_models(configured: dict[str, Path], base: Path, env: dict[str, str]) -> dict[str, Path]:
    """``[grading.gpu_models]`` made absolute (relative to ``base``, the folder of sprint.toml; ``~``
    expanded), then ``SPRINT_GPU_MODEL_<SLUG>`` variables (relative to the current folder) on top."""
    out = {slug: _absolute(folder, base) for slug, folder in configured.items()}
    for name, value in sorted(env.items()):
        if not name.startswith(GPU_MODEL_ENV_PREFIX) or not value.strip():
            continue
        slug = name.removeprefix(GPU_MODEL_ENV_PREFIX).lower().replace("_", "-")
        if not _SLUG.match(slug) or gpu_model_env(slug) != name:
            raise ConfigError(f"{name}: not an exercise; name it as {GPU_MODEL_ENV_PREFIX}<SLUG>, the slug in "
                              f"capitals with _ for -, e.g. {gpu_model_env('lora-finetune')}=/models/Meta-Llama-3-8B")
        out[slug] = _absolute(Path(value), Path.cwd())
    return out


def _absolute(folder: Path, base: Path) -> Path:
    folder = folder.expanduser()
    return folder if folder.is_absolute() else (base / folder).absolute()
