"""Static checks of kind ``deploy``: a Dockerfile and a GitHub Actions workflow, read but never run.

Pure functions over text (no Docker, no network), so they are fast and unit-tested directly:

* :func:`parse_dockerfile` → stages and instructions (line continuations, heredocs, comments, the
  ``escape`` directive, ``ARG`` defaults before ``FROM``);
* :func:`check_non_root`, :func:`check_healthcheck`, :func:`check_pinned_base` → ``(ok, note)``;
* :func:`check_workflow_push` and :func:`check_workflow_permissions` on the parsed workflow YAML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Instruction",
    "Stage",
    "check_healthcheck",
    "check_non_root",
    "check_pinned_base",
    "check_workflow_permissions",
    "check_workflow_push",
    "final_base",
    "load_workflow",
    "parse_dockerfile",
]

Verdict = tuple[bool, str]

_DIRECTIVE = re.compile(r"^#\s*(\w+)\s*=\s*(\S+)\s*$")
_HEREDOC = re.compile(r"<<-?\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
_ALLOWED_WRITES = frozenset({"packages", "id-token", "attestations"})


@dataclass(frozen=True)
class Instruction:
    line: int
    keyword: str  # upper case
    args: str


@dataclass
class Stage:
    image: str  # after substituting ARG defaults
    name: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, joined text) of every instruction; comments and blank lines dropped."""
    lines = text.splitlines()
    escape = "\\"
    for raw in lines:  # parser directives come first, before any instruction or other comment
        match = _DIRECTIVE.match(raw.strip())
        if not match:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("\\", "`"):
            escape = match.group(2)
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start = i
        parts = []
        current = lines[i].rstrip()
        while current.endswith(escape):
            parts.append(current[: -len(escape)])
            i += 1
            while i < len(lines) and lines[i].strip().startswith("#"):
                i += 1  # comments inside a continued instruction are skipped
            if i >= len(lines):
                current = ""
                break
            current = lines[i].rstrip()
        parts.append(current)
        joined = " ".join(p.strip() for p in parts if p.strip())
        i += 1
        for delimiter in _HEREDOC.findall(joined):  # RUN <<EOF … EOF: the body is part of the instruction
            body = []
            while i < len(lines) and lines[i].strip() != delimiter:
                body.append(lines[i])
                i += 1
            i += 1
            joined += "\n" + "\n".join(body)
        out.append((start + 1, joined))
    return out


def _substitute(text: str, values: dict[str, str]) -> str:
    def repl(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(3)
        default = match.group(2)
        if name in values:
            return values[name]
        return default if default is not None else match.group(0)

    return _VAR.sub(repl, text)


def parse_dockerfile(text: str) -> tuple[list[Stage], list[str]]:
    """Stages of a Dockerfile, and problems found while parsing (e.g. no FROM)."""
    stages: list[Stage] = []
    global_args: dict[str, str] = {}
    problems: list[str] = []
    for line, joined in _logical_lines(text):
        keyword, _, args = joined.partition(" ")
        keyword = keyword.upper()
        args = args.strip()
        if keyword == "FROM":
            words = [w for w in args.split() if not w.startswith("--")]
            if not words:
                problems.append(f"line {line}: FROM without an image")
                continue
            image = _substitute(words[0], global_args)
            name = words[2].lower() if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image, name, line))
        elif not stages:
            if keyword == "ARG":
                for item in args.split():
                    key, _, value = item.partition("=")
                    global_args[key] = value.strip("\"'")
            else:
                problems.append(f"line {line}: {keyword} before the first FROM")
        else:
            stages[-1].instructions.append(Instruction(line, keyword, args))
    if not stages:
        problems.append("no FROM instruction")
    return stages, problems


def _stage_values(stage: Stage) -> dict[str, str]:
    values: dict[str, str] = {}
    for ins in stage.instructions:
        if ins.keyword in ("ARG", "ENV"):
            for item in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|\S+)", ins.args):
                values[item[0]] = item[1].strip("\"'")
            if ins.keyword == "ENV" and "=" not in ins.args.split(" ", 1)[0]:
                key, _, value = ins.args.partition(" ")  # the legacy `ENV KEY value` form
                values[key] = value.strip()
    return values


def check_non_root(stages: list[Stage]) -> Verdict:
    """The final stage switches to a user other than root (by name or by id 0)."""
    if not stages:
        return False, "no stage to check"
    final = stages[-1]
    users = [ins for ins in final.instructions if ins.keyword == "USER"]
    if not users:
        return False, "the final stage sets no USER, so the container runs as root; add e.g. `USER 10001`"
    last = users[-1]
    user = _substitute(last.args.split()[0] if last.args.split() else "", _stage_values(final))
    name = user.split(":", 1)[0]
    if name in ("root", "0", ""):
        return False, f"line {last.line}: the last USER of the final stage is root ({last.args!r})"
    if "$" in name:
        return True, f"line {last.line}: USER {last.args} (a variable; make sure it is not root)"
    return True, f"runs as {user!r} (line {last.line})"


def check_healthcheck(stages: list[Stage]) -> Verdict:
    """The final stage declares a HEALTHCHECK with a command (not NONE)."""
    if not stages:
        return False, "no stage to check"
    checks = [ins for ins in stages[-1].instructions if ins.keyword == "HEALTHCHECK"]
    if not checks:
        return False, "the final stage has no HEALTHCHECK; add e.g. `HEALTHCHECK CMD curl -f http://localhost:8000/health`"
    last = checks[-1]
    words = last.args.split()
    if words and words[0].upper() == "NONE":
        return False, f"line {last.line}: HEALTHCHECK NONE switches the health check off"
    if not any(w.upper() == "CMD" for w in words):
        return False, f"line {last.line}: HEALTHCHECK needs a CMD"
    return True, f"line {last.line}"


def check_pinned_base(stages: list[Stage], *, require_digest: bool = False) -> Verdict:
    """Every external base image names a version (or a digest): never untagged or ``latest``."""
    if not stages:
        return False, "no FROM to check"
    names: set[str] = set()
    problems: list[str] = []
    pinned: list[str] = []
    for stage in stages:
        image = stage.image
        if image.lower() in names or image.lower() == "scratch":
            if stage.name:
                names.add(stage.name)
            continue
        if stage.name:
            names.add(stage.name)
        if "$" in image:
            problems.append(f"line {stage.line}: {image!r} depends on a variable without a default")
            continue
        if _DIGEST.search(image):
            pinned.append(f"{image.split('@')[0]} by digest")
            continue
        if require_digest:
            problems.append(f"line {stage.line}: {image!r} is not pinned by digest (@sha256:…)")
            continue
        last = image.rsplit("/", 1)[-1]
        tag = last.split(":", 1)[1] if ":" in last else ""
        if not tag:
            problems.append(f"line {stage.line}: {image!r} has no tag, which means :latest; name a version")
        elif tag == "latest":
            problems.append(f"line {stage.line}: {image!r} floats with every release; name a version")
        elif not any(ch.isdigit() for ch in tag):
            problems.append(f"line {stage.line}: the tag {tag!r} of {image!r} names no version")
        else:
            pinned.append(image)
    if problems:
        return False, "; ".join(problems)
    return True, "pinned: " + ", ".join(pinned)


def final_base(stages: list[Stage]) -> str | None:
    """The external image the final stage is built on, following ``FROM <earlier stage>``.

    None for ``scratch`` (or no stage). Stages are named case-insensitively, or by their index.
    """
    if not stages:
        return None
    index = len(stages) - 1
    for _ in range(len(stages)):
        image = stages[index].image.lower()
        earlier = [i for i, s in enumerate(stages[:index]) if s.name == image or str(i) == image]
        if not earlier:
            break
        index = earlier[-1]
    image = stages[index].image
    return None if image.lower() == "scratch" else image


# --- the workflow ----------------------------------------------------------------------------


def load_workflow(text: str) -> tuple[dict[str, Any] | None, str]:
    """The workflow as a mapping (``on`` normalised: YAML 1.1 reads it as ``True``), or why not."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return None, f"the workflow is not valid YAML: {str(exc).splitlines()[0]}"
    if not isinstance(data, dict):
        return None, "the workflow is not a YAML mapping"
    if True in data and "on" not in data:
        data["on"] = data.pop(True)
    if not isinstance(data.get("jobs"), dict) or not data["jobs"]:
        return None, "the workflow has no jobs"
    return data, ""


_ENV_REF = re.compile(r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_STEP_OUT = re.compile(r"steps\.([A-Za-z0-9_-]+)\.outputs\.")


def _expand(value: Any, env: dict[str, str]) -> str:
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    for _ in range(3):
        text = _ENV_REF.sub(lambda m: env.get(m.group(1), m.group(0)), text)
    return text


def _env(*maps: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in maps:
        if isinstance(m, dict):
            out.update({str(k): str(v) for k, v in m.items()})
    return out


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    steps = job.get("steps")
    return [s for s in steps if isinstance(s, dict)] if isinstance(steps, list) else []


def _pushes(job: dict[str, Any], workflow_env: dict[str, str], registry: str) -> tuple[bool, bool, bool]:
    """(pushes an image, to ``registry``, logs in to ``registry``) for one job."""
    env = _env(workflow_env, job.get("env"))
    steps = _steps(job)
    by_id = {str(s.get("id")): s for s in steps if s.get("id")}
    pushes = to_registry = login = False
    for step in steps:
        step_env = _env(env, step.get("env"))
        uses = str(step.get("uses") or "")
        with_: dict[str, Any] = step["with"] if isinstance(step.get("with"), dict) else {}
        run = _expand(step.get("run"), step_env)
        if uses.startswith("docker/login-action@") and registry in _expand(with_.get("registry"), step_env).lower():
            login = True
        if re.search(r"docker\s+login\b", run) and registry in run.lower():
            login = True
        target = ""
        if uses.startswith("docker/build-push-action@"):
            push = with_.get("push")
            if push is True or str(push).strip().lower() == "true" or "${{" in str(push or ""):
                pushes = True
                target = _expand(with_.get("tags"), step_env) + " " + _expand(with_.get("outputs"), step_env)
                for ref in _STEP_OUT.findall(target):  # tags from docker/metadata-action
                    meta = by_id.get(ref)
                    if meta is not None:
                        meta_with: dict[str, Any] = meta["with"] if isinstance(meta.get("with"), dict) else {}
                        target += " " + _expand(meta_with.get("images"), _env(step_env, meta.get("env")))
        elif re.search(r"docker\s+(image\s+)?push\s", run + " ") or ("build" in run and "--push" in run):
            pushes = True
            target = run
        if target and registry in target.lower():
            to_registry = True
    return pushes, to_registry, login


def check_workflow_push(data: dict[str, Any], registry: str = "ghcr.io") -> Verdict:
    """Some job logs in to ``registry`` and builds and pushes an image there."""
    workflow_env = _env(data.get("env"))
    seen_push = seen_registry = False
    for name, job in data["jobs"].items():
        if not isinstance(job, dict):
            continue
        pushes, to_registry, login = _pushes(job, workflow_env, registry)
        seen_push |= pushes
        seen_registry |= to_registry
        if to_registry and login:
            return True, f"job {name!r} logs in to {registry} and pushes the image"
        if to_registry:
            return False, (f"job {name!r} pushes to {registry} without logging in: add docker/login-action with "
                           f"`registry: {registry}` and the GITHUB_TOKEN")
    if seen_push and not seen_registry:
        return False, f"an image is pushed, but not to {registry} (tag it {registry}/<owner>/<name>)"
    return False, (f"no job pushes an image to {registry}: use docker/build-push-action with `push: true` and "
                   f"{registry}/… tags (or `docker push {registry}/…`)")


def check_workflow_permissions(data: dict[str, Any], registry: str = "ghcr.io") -> Verdict:
    """Explicit, minimal token permissions: no ``write-all``, writes only where pushing needs them."""
    top = data.get("permissions")
    problems: list[str] = []
    if isinstance(top, str):
        problems.append(f"`permissions: {top}` at the top is not minimal; list the scopes (contents: read)")
    workflow_env = _env(data.get("env"))
    for name, job in data["jobs"].items():
        if not isinstance(job, dict):
            continue
        effective = job.get("permissions", top)
        if effective is None:
            problems.append(f"job {name!r} declares no permissions, so it gets the repository's default token "
                            "(possibly write-all); add `permissions:` at the top or on the job")
            continue
        if isinstance(effective, str):
            if "permissions" in job:
                problems.append(f"job {name!r}: `permissions: {effective}` is not minimal; list the scopes")
            continue
        if not isinstance(effective, dict):
            problems.append(f"job {name!r}: permissions must be a mapping of scopes")
            continue
        writes = sorted(str(k) for k, v in effective.items() if str(v).lower() == "write")
        extra = [w for w in writes if w not in _ALLOWED_WRITES]
        if extra:
            problems.append(f"job {name!r} grants write access to {', '.join(extra)}; pushing an image needs only "
                            "`packages: write` (contents: read)")
        _, to_registry, _ = _pushes(job, workflow_env, registry)
        if to_registry and str(effective.get("packages", "")).lower() != "write":
            problems.append(f"job {name!r} pushes to {registry} but lacks `packages: write`")
    if problems:
        return False, "; ".join(problems[:3])
    return True, "explicit and minimal"
