"""Kind ``deploy`` against a real Docker engine: the reference builds, turns healthy and answers; what a
learner's container does (hang, ignore SIGTERM, exit at once, never finish building), or stopping
`sprint` mid-grade, cannot keep the grader from removing every container and image it made; secrets in
build arguments, ENV and deleted files are caught.

These tests need an engine and the base image the reference pins: `.ci/docker-up` provides both, offline
(CI runs it and sets LLM_SPRINT_EXPECT_DOCKER=1, which turns a missing engine into a failure here).
Elsewhere they skip, saying why. Every grade is followed by a look for what its run left: by the run's
own label, never by a name pattern, so grades running beside these tests are never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from graders.contract import GradeContext, GradeResult
from graders.kinds import deploy, deploy_static
from graders.kinds.deploy import ENGINE_CHECKS, DeployGrader, DeployParams
from graders.kinds.deploy_engine import LABEL_RUN, EngineRun, docker_cli, engine_problem
from graders.sandbox import Limits, RunsStopped, Sandbox, resume_runs, stop_runs
from tests.graders.kinds.golden import assert_golden
from tests.helpers import LIBRARY_EXERCISES

SLUG = "deploy"
LIBRARY = LIBRARY_EXERCISES / SLUG
REFERENCE = LIBRARY / ".meta" / "reference"


def _base_image() -> str:
    stages, _ = deploy_static.parse_dockerfile((REFERENCE / "Dockerfile").read_text(encoding="utf-8"))
    base = deploy_static.final_base(stages)
    assert base is not None
    return base


@pytest.fixture(scope="module")
def docker() -> str:
    """The docker client, once an engine answers and holds the reference's base image; else skip (or fail in CI)."""
    reason = engine_problem()
    docker = docker_cli()
    if reason is None and docker is not None:
        base = _base_image()
        found = subprocess.run([docker, "image", "inspect", base], capture_output=True, text=True, timeout=60)
        if found.returncode != 0:
            reason = f"the engine has no {base} (the base image the reference pins): run .ci/docker-up"
    if reason is not None:
        if os.environ.get("LLM_SPRINT_EXPECT_DOCKER"):
            pytest.fail(f"LLM_SPRINT_EXPECT_DOCKER is set (CI started an engine), but: {reason}")
        pytest.skip(reason)
    assert docker is not None
    return docker


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch, docker: str) -> list[EngineRun]:
    """Every EngineRun the grader makes during the test, to look for what each left behind."""
    made: list[EngineRun] = []

    class Recorded(EngineRun):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(deploy, "EngineRun", Recorded)
    monkeypatch.setenv("LLM_SPRINT_NO_FETCH", "1")
    return made


def left_behind(docker: str, run: EngineRun) -> list[str]:
    """Containers and images of ``run`` still on the engine: by its label, its tag, its build's own images."""
    label = f"label={LABEL_RUN}={run.token}"
    found = [f"container {c}" for c in _lines(docker, "ps", "-aq", "--filter", label)]
    found += [f"image {i}" for i in _lines(docker, "images", "-aq", "--filter", label)]
    for ref in (run.tag, *run._intermediates):
        if subprocess.run([docker, "image", "inspect", ref], capture_output=True, timeout=60).returncode == 0:
            found.append(f"image {ref}")
    return found


def _lines(docker: str, *args: str) -> list[str]:
    out = subprocess.run([docker, *args], capture_output=True, text=True, timeout=60, check=True).stdout
    return [line for line in out.splitlines() if line.strip()]


def learner(tmp_path: Path, dockerfile: str | None = None, files: dict[str, str] | None = None) -> Path:
    folder = tmp_path / "learner"
    shutil.copytree(LIBRARY, folder, ignore=shutil.ignore_patterns(".meta"))
    shutil.copytree(REFERENCE, folder, dirs_exist_ok=True)
    if dockerfile is not None:
        (folder / "Dockerfile").write_text(dockerfile.replace("BASE", _base_image()), encoding="utf-8")
    for name, text in (files or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def grade(folder: Path, **params: Any) -> GradeResult:
    ctx = GradeContext(slug=SLUG, params=DeployParams(**params), thresholds={}, profile="cpu", seed=1,
                       learner_dir=folder, library_dir=LIBRARY, sandbox=Sandbox(Limits(wall_s=600)))
    return DeployGrader().grade(ctx)


def statuses(result: GradeResult) -> dict[str, str]:
    return {name: result.check(name).status for name in ENGINE_CHECKS}


def test_the_reference_builds_turns_healthy_answers_and_leaves_nothing(tmp_path: Path, docker: str,
                                                                       runs: list[EngineRun]) -> None:
    result = grade(learner(tmp_path))
    assert statuses(result) == dict.fromkeys(ENGINE_CHECKS, "pass"), result.message
    assert result.status == "pass", result.message
    metrics = result.metrics
    assert isinstance(metrics["build_s"], float) and 0 < metrics["build_s"] < 300
    assert isinstance(metrics["image_bytes"], float) and metrics["image_bytes"] > 1e6
    assert isinstance(metrics["healthy_after_s"], float) and 0 < metrics["healthy_after_s"] < 120
    assert "UID 10001" in result.check("runs_as_non_root").message
    assert [left_behind(docker, run) for run in runs] == [[]]


HANGS = """\
FROM BASE
WORKDIR /app
COPY app.py .
USER 10001
# PID 1 with SIGTERM ignored, serving nothing, with no health check: only SIGKILL ends it
CMD ["python", "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(1e9)"]
"""
EXITS = """\
FROM BASE
USER 10001
HEALTHCHECK --interval=2s CMD ["true"]
CMD ["python", "-c", "raise SystemExit('crashed on start')"]
"""
BUILD_HANGS = """\
FROM BASE
RUN echo one layer > /first
RUN sleep 1000
CMD ["python", "app.py"]
"""


def test_a_container_that_ignores_sigterm_and_never_answers_is_removed(tmp_path: Path, docker: str,
                                                                      runs: list[EngineRun]) -> None:
    result = grade(learner(tmp_path, HANGS), health_timeout=6)
    assert statuses(result) == {"image_builds": "pass", "no_secrets_in_image": "pass", "container_healthy": "fail",
                                "answers_on_port": "fail", "runs_as_non_root": "pass"}
    assert "no HEALTHCHECK" in result.check("container_healthy").message
    assert "nothing answered within" in result.check("answers_on_port").message
    assert [left_behind(docker, run) for run in runs] == [[]]


def test_stopping_sprint_mid_grade_ends_the_grade_and_removes_its_container(tmp_path: Path, docker: str,
                                                                           runs: list[EngineRun]) -> None:
    """Ctrl-C or SIGTERM (graders.sandbox.stop_runs) while a container runs: no verdict, nothing left."""
    folder = learner(tmp_path, HANGS)
    outcome: dict[str, object] = {}

    def grade_it() -> None:
        try:
            outcome["result"] = grade(folder, health_timeout=120)
        except RunsStopped as exc:
            outcome["stopped"] = exc

    thread = threading.Thread(target=grade_it)
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while not (runs and _lines(docker, "ps", "-q", "--filter", f"label={LABEL_RUN}={runs[0].token}")):
            assert time.monotonic() < deadline and thread.is_alive(), "the container never started"
            time.sleep(0.5)
        stop_runs()
        thread.join(timeout=60)
    finally:
        resume_runs()
        thread.join(timeout=120)
    assert "stopped" in outcome and "result" not in outcome
    assert [left_behind(docker, run) for run in runs] == [[]]


def test_a_container_that_exits_at_once_is_removed(tmp_path: Path, docker: str, runs: list[EngineRun]) -> None:
    result = grade(learner(tmp_path, EXITS))
    check = result.check("container_healthy")
    assert check is not None and check.status == "fail"
    assert "exited (code 1)" in check.message and "crashed on start" in check.message
    assert result.check("answers_on_port").status == "fail"
    assert [left_behind(docker, run) for run in runs] == [[]]


def test_a_build_that_never_ends_is_stopped_and_its_own_layers_removed(tmp_path: Path, docker: str,
                                                                       runs: list[EngineRun]) -> None:
    result = grade(learner(tmp_path, BUILD_HANGS), build_timeout=15)
    check = result.check("image_builds")
    assert check is not None and check.status == "fail" and "stopped after 15 s" in check.message
    assert {s for n, s in statuses(result).items() if n != "image_builds"} == {"fail"}
    (run,) = runs
    assert run._intermediates or "---> Running in" not in result.log  # a BuildKit engine commits none
    assert left_behind(docker, run) == []
    builders = [line for line in _lines(docker, "ps", "-a", "--no-trunc", "--format", "{{.Image}} {{.Command}}")
                if any(line.startswith(image) for image in run._intermediates)]
    assert builders == []  # the container running `sleep 1000` went with the build


def test_secrets_in_build_arguments_env_and_deleted_files_are_caught(tmp_path: Path, docker: str,
                                                                     runs: list[EngineRun]) -> None:
    reference = (REFERENCE / "Dockerfile").read_text(encoding="utf-8")
    leaky = reference.replace("WORKDIR /app\n", "WORKDIR /app\nARG PYPI_TOKEN=pypi-not-a-real-one\n"
                              "RUN echo \"$PYPI_TOKEN\" > /dev/null\nENV DB_PASSWORD=hunter2\n"
                              "COPY id_ed25519 /root/.ssh/id_ed25519\nRUN rm -rf /root/.ssh\n")
    assert leaky != reference
    result = grade(learner(tmp_path, leaky, {"id_ed25519": "-----BEGIN OPENSSH PRIVATE KEY-----\n"}))
    check = result.check("no_secrets_in_image")
    assert check is not None and check.status == "fail", check
    for words in ("build argument PYPI_TOKEN", "ENV DB_PASSWORD", "file /root/.ssh/id_ed25519"):
        assert words in check.message
    assert statuses(result)["answers_on_port"] == "pass"  # the image works; it just keeps what it should not
    assert [left_behind(docker, run) for run in runs] == [[]]


# Every variant's checks that fail with CI's offline engine (the golden record holds every status).
FAILING = {
    "reference": set(),
    "starter": {"hadolint", "non_root", "healthcheck", "pinned_base", "workflow_ghcr", "workflow_permissions",
                *ENGINE_CHECKS},  # `FROM python` cannot be pulled offline: nothing builds
    "cheat-runs-as-root": {"non_root", "runs_as_non_root"},
    "cheat-root-at-the-end": {"non_root", "hadolint", "runs_as_non_root"},
    "cheat-latest-base": {"pinned_base", "hadolint", *ENGINE_CHECKS},  # likewise python:latest
    "cheat-no-healthcheck": {"healthcheck", "container_healthy"},
    "cheat-write-all": {"workflow_permissions"},
    "cheat-build-only": {"workflow_ghcr"},
    "cheat-cmd-crashes": {"container_healthy", "answers_on_port"},
    "cheat-health-always-passes": {"answers_on_port"},
    "cheat-secret-in-layer": {"no_secrets_in_image"},
}


@pytest.mark.slow  # re-grades every variant: CI's `sprint dev check --golden` covers the verdicts
def test_deploy_verdicts_match_golden_and_leave_nothing(docker: str, runs: list[EngineRun]) -> None:
    verdicts = assert_golden(SLUG)
    failing = {name: {check for check, status in v["checks"].items() if status == "fail"}
               for name, v in verdicts.items()}
    assert failing == FAILING
    assert {name: v["status"] for name, v in verdicts.items() if name == "reference"} == {"reference": "pass"}
    assert len(runs) == len(FAILING)  # every variant has a Dockerfile: each is built (or tried) and run
    assert [run.token for run in runs if left_behind(docker, run)] == []
