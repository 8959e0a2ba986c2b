"""``cohort.yaml`` → :class:`CohortFile`, or a :class:`~tracker.errors.CohortFileError` naming every problem.

A mentor's cohort file says which learner repositories to follow and which roadmap they follow::

    version: 1
    title: Spring 2026 cohort
    roadmap: roadmap.yaml          # relative to this file; the curriculum the cohort follows
    start: 2026-01-05              # optional: the cohort's week 1 (default: each learner's own start)
    repositories:                  # listed by hand …
      - alice/llm-sprint
      - {repo: bob/roadmap, name: Bob}
    organization: llm-sprint-2026  # … and/or every repository of an organization
    topic: llm-sprint-spring-2026  # … and/or every repository with a topic (with `organization`: both)
    exclude: [llm-sprint-2026/template]
    github:                        # optional; else GITHUB_API_URL / GITHUB_GRAPHQL_URL, else github.com
      api_url: https://github.example.com/api/v3

Every problem is reported as ``file:line:column [field]: message — hint`` (exit 2) and nothing is
read or written. Loading the cohort's roadmap is :func:`tracker.roadmap.load_roadmap`'s job (its own
problems, its own file).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from tracker.errors import CohortFileError, Problem
from tracker.roadmap.yamlpos import load_located

__all__ = ["CohortFile", "GitHubEndpoints", "Learner", "load_cohort", "parse_cohort"]

RepoName = Annotated[str, Field(pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")]
Login = Annotated[str, Field(pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")]
Topic = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,49}$")]

_HINTS = {
    "repositories": "write OWNER/NAME, e.g. alice/llm-sprint",
    "repo": "write OWNER/NAME, e.g. alice/llm-sprint",
    "exclude": "write OWNER/NAME, e.g. my-org/template",
    "organization": "an organization's login, e.g. llm-sprint-2026",
    "topic": "GitHub topics are lowercase letters, digits and dashes (at most 50), e.g. llm-sprint-2026",
    "start": "write a date as YYYY-MM-DD",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Learner(_Model):
    """A repository listed by hand, with an optional display name."""

    repo: RepoName
    name: str = ""


def _entry(value: Any) -> Any:
    return {"repo": value} if isinstance(value, str) else value


LearnerEntry = Annotated["Learner", BeforeValidator(_entry)]


class GitHubEndpoints(_Model):
    api_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    graphql_url: str | None = Field(default=None, pattern=r"^https?://\S+$")


class CohortFile(_Model):
    version: Literal[1] = 1
    title: str = Field(default="Cohort", min_length=1)
    roadmap: str = Field(min_length=1)
    start: dt.date | None = None
    repositories: list[LearnerEntry] = Field(default_factory=list)
    organization: Login | None = None
    topic: Topic | None = None
    exclude: list[RepoName] = Field(default_factory=list)
    github: GitHubEndpoints = Field(default_factory=GitHubEndpoints)
    #: where the file was read from (not a key of the file)
    path: Path = Field(default=Path("cohort.yaml"), exclude=True)

    @model_validator(mode="after")
    def _some_source(self) -> CohortFile:
        if not self.repositories and not self.organization and not self.topic:
            raise ValueError("the cohort names no repository: add `repositories:`, `organization:` or `topic:`")
        return self

    @property
    def learners(self) -> list[Learner]:
        """Listed repositories, duplicates (case-insensitive) and exclusions removed, in file order."""
        excluded = {e.lower() for e in self.exclude}
        seen: set[str] = set()
        out = []
        for learner in self.repositories:
            key = learner.repo.lower()
            if key not in seen and key not in excluded:
                seen.add(key)
                out.append(learner)
        return out

    @property
    def roadmap_path(self) -> Path:
        path = Path(self.roadmap).expanduser()
        return path if path.is_absolute() else self.path.parent / path

    @property
    def state_dir(self) -> Path:
        """``.sprint/`` beside the cohort file: the SQLite cache of earlier looks."""
        return self.path.parent / ".sprint"

    @property
    def search_query(self) -> str | None:
        """The repository search for ``topic`` (within ``organization`` when both are given)."""
        if not self.topic:
            return None
        return f"topic:{self.topic}" + (f" org:{self.organization}" if self.organization else "") + " fork:true"

    def names(self) -> dict[str, str]:
        """Display names of the listed learners, by lower-cased repository."""
        return {lr.repo.lower(): lr.name for lr in self.learners if lr.name}


def load_cohort(path: Path | str) -> CohortFile:
    """Read and validate a cohort file. Raises CohortFileError (exit code 2) listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CohortFileError([Problem(str(path), 0, 0, "", "file not found",
                                       "write one (README: For mentors) or pass its path")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CohortFileError([Problem(str(path), 0, 0, "", f"cannot read the file: {exc}")]) from None
    return parse_cohort(text, path)


def parse_cohort(text: str, path: Path | str = "cohort.yaml") -> CohortFile:
    filename = str(path)
    try:
        located = load_located(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise CohortFileError([Problem(filename, line, col, "", f"YAML syntax error: {exc.problem or exc}",
                                       "check indentation, colons and quoting around this spot")]) from None
    except yaml.YAMLError as exc:
        raise CohortFileError([Problem(filename, 0, 0, "", f"YAML error: {exc}")]) from None
    except ValueError as exc:  # a scalar YAML reads as a date, but is none (2026-13-01)
        line, col = _bad_scalar(text)
        raise CohortFileError([Problem(filename, line, col, "", f"not a valid date ({exc})",
                                       _HINTS["start"])]) from None
    problems: list[Problem] = []

    def report(loc: tuple[str | int, ...], message: str, hint: str = "", *, key: bool = False) -> None:
        pos = located.position(loc, key=key)
        dotted = ".".join(str(p) for p in loc)
        problems.append(Problem(filename, pos.line, pos.column, dotted, message, hint))

    for dup, pos in located.duplicates:
        problems.append(Problem(filename, pos.line, pos.column, ".".join(map(str, dup)), f"duplicate key {dup[-1]!r}",
                                "each key may appear once in a mapping"))
    if not isinstance(located.data, dict):
        report((), "a cohort file is a mapping with roadmap: and repositories:, organization: or topic:",
               "see README: For mentors")
        raise CohortFileError(problems)
    data = dict(located.data)
    data.pop("path", None)
    cohort: CohortFile | None = None
    try:
        cohort = CohortFile.model_validate({**data, "path": Path(path)})
    except ValidationError as exc:
        for err in exc.errors():
            _report(err, report)
    if "path" in located.data:
        report(("path",), "unknown key 'path'", _allowed(), key=True)
    for i, entry in enumerate(located.data.get("repositories") or []):
        name = entry.get("repo") if isinstance(entry, dict) else entry
        if isinstance(name, str):
            earlier = [j for j, e in enumerate(located.data["repositories"][:i])
                       if str(e.get("repo") if isinstance(e, dict) else e).lower() == name.lower()]
            if earlier:
                report(("repositories", i), f"{name} is listed twice (first as item {earlier[0] + 1})",
                       "remove one of them")
    if problems:
        raise CohortFileError(problems)
    assert cohort is not None
    return cohort


def _bad_scalar(text: str) -> tuple[int, int]:
    """Where the first scalar that YAML cannot construct (e.g. the date 2026-13-01) sits."""
    loader = yaml.SafeLoader(text)
    try:
        stack = [loader.get_single_node()]
        while stack:
            node = stack.pop()
            if isinstance(node, yaml.ScalarNode):
                try:
                    loader.construct_object(node, deep=True)
                except ValueError:
                    return node.start_mark.line + 1, node.start_mark.column + 1
            elif isinstance(node, yaml.MappingNode):
                stack.extend(v for pair in reversed(node.value) for v in reversed(pair))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(reversed(node.value))
    finally:
        loader.dispose()
    return 0, 0


def _allowed() -> str:
    return "allowed here: " + ", ".join(n for n in CohortFile.model_fields if n != "path")


def _report(err: Any, report: Any) -> None:
    loc: tuple[str | int, ...] = tuple(err["loc"])
    kind = err["type"]
    field = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "extra_forbidden":
        hint = _allowed() if len(loc) == 1 else "allowed here: " + (
            "repo, name" if loc[0] == "repositories" else "api_url, graphql_url")
        report(loc, f"unknown key {field!r}", hint, key=True)
    elif kind == "missing":
        hint = "the roadmap the cohort follows, e.g. roadmap: roadmap.yaml" if field == "roadmap" else "add it"
        report(loc, f"missing required key {field!r}", hint)
    elif kind == "string_pattern_mismatch":
        report(loc, f"{err.get('input')!r} is not a valid {field or 'value'}", _HINTS.get(field, ""))
    elif kind == "value_error":
        report(loc, str(err["msg"]).removeprefix("Value error, "), "see README: For mentors")
    elif kind == "literal_error" and field == "version":
        report(loc, f"unknown cohort file version {err.get('input')!r}", "this llm-sprint reads version: 1")
    elif kind.startswith("date") and field == "start":
        report(loc, f"{err.get('input')!r} is not a date", _HINTS["start"])
    else:
        report(loc, str(err["msg"]), _HINTS.get(field, ""))
