"""The Docker side of kind ``deploy``: build the learner's image, run it, watch it, remove it all.

A thin shell over the ``docker`` CLI, so it works with whatever engine the learner has (Docker
Desktop, a Linux daemon, CI's offline one behind ``DOCKER_HOST``). One :class:`EngineRun` per grade:

* everything it creates carries the labels ``llm-sprint.grader=deploy`` and
  ``llm-sprint.run=<token>`` (a new token each run) and a name or tag holding the token;
  :meth:`EngineRun.cleanup` removes what carries *its* token — never anything found by a name
  pattern — and the intermediate images a failed legacy build left (read from its own output);
* builds use ``--no-cache``: a run never shares a layer with a grade running beside it, so removing
  its images cannot pull one out from under another build;
* **networking**: where the engine has a ``bridge`` network, the container port is published on
  127.0.0.1 (a free port the engine picks). Where it has none (CI's engine runs with
  ``--bridge=none --iptables=false``), the build and the container use the host's network: the
  container gets ``HOST=127.0.0.1`` (the exercise's app listens where ``HOST`` says), the container
  port must be free on this machine, and one grade at a time holds it (:func:`host_port`);
* a container is removed with ``docker rm -f`` (SIGKILL): one that hangs or ignores SIGTERM costs
  no grace period, one that exits at once is removed all the same;
* when ``sprint`` is stopped (:func:`graders.sandbox.stop_runs`: Ctrl-C, SIGTERM…) a build or a watch
  under way ends with :class:`~graders.sandbox.RunsStopped`; the caller's clean-up still runs.

Nothing here decides a verdict: :mod:`graders.kinds.deploy` turns what is seen into checks.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graders.kinds import deploy_secrets as secrets
from graders.paths import cache_dir
from graders.sandbox import RunsStopped, runs_stopping

__all__ = ["GRADER", "LABEL_GRADER", "LABEL_RUN", "Build", "EngineRun", "SecretScan", "Watch", "docker_cli",
           "engine_problem", "host_port", "legacy_intermediates"]

LABEL_GRADER = "llm-sprint.grader"
LABEL_RUN = "llm-sprint.run"
GRADER = "deploy"
_POLL_S = 0.5
_STEP = re.compile(r"^Step \d+/\d+ : (\S+)")
_COMMITTED = re.compile(r"^\s*---> ([0-9a-f]{12,64})\s*$")


def docker_cli() -> str | None:
    return shutil.which("docker")


def engine_problem(timeout: float = 15.0) -> str | None:
    """None when a Docker engine answers; otherwise why the Docker checks are pending."""
    docker = docker_cli()
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
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(argv, 124, "", f"timed out after {timeout:.0f} s")
    except OSError as exc:
        return subprocess.CompletedProcess(argv, 127, "", str(exc))


def _stop_point() -> None:
    if runs_stopping():
        raise RunsStopped("the grade was stopped: its container and image are being removed")


def _tail(text: str, lines: int = 3) -> str:
    return " / ".join(line.strip() for line in text.strip().splitlines()[-lines:] if line.strip())


def legacy_intermediates(output: str) -> list[str]:
    """The images a legacy ``docker build`` committed, from its output (BuildKit commits none).

    ``---> <id>`` after a ``FROM`` step names the base (or an earlier stage): not this build's.
    """
    ids: list[str] = []
    after_from = False
    for line in output.splitlines():
        step = _STEP.match(line)
        if step:
            after_from = step.group(1).upper() == "FROM"
            continue
        committed = _COMMITTED.match(line)
        if committed:
            if not after_from and committed.group(1) not in ids:
                ids.append(committed.group(1))
            after_from = False
    return ids


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is no conflict
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def host_port(port: int, wait_s: float) -> Iterator[str | None]:
    """Hold ``port`` of this machine for one container on the host's network: yields None, or why not.

    A lock file in the llm-sprint cache makes grades take turns (threads and processes alike: each
    opens its own file description); the port must then be free of anything else.
    """
    import fcntl

    folder = cache_dir() / "docker"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"host-port-{port}.lock", "a+b") as handle:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                _stop_point()
                if time.monotonic() >= deadline:
                    yield (f"another grade held port {port} of this machine for {wait_s:.0f} s (the engine has no "
                           "bridge network, so containers share the host's ports); grade again")
                    return
                time.sleep(_POLL_S)
        try:
            if _port_free(port):
                yield None
            else:
                yield (f"port {port} of this machine is taken by another program, and the engine has no bridge "
                       "network, so the container would have to listen there; free the port and grade again")
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class Build:
    ok: bool
    seconds: float
    output: str
    image_bytes: int | None = None
    added_bytes: int | None = None  # what the Dockerfile added to its base


@dataclass
class SecretScan:
    findings: list[str] = field(default_factory=list)
    layers: int = 0  # how many layers the Dockerfile added (the ones read)
    problem: str = ""  # why the image could not be read (the engine's fault, not the learner's)


@dataclass
class Watch:
    """What was seen of the running container."""

    started: bool = False
    problem: str = ""  # why it was not started
    pending: bool = False  # ... and that reason is this machine's, not the learner's
    url: str = ""
    running: bool = False  # still running when the watch ended
    exit_code: int | None = None
    oom_killed: bool = False
    waited_s: float = 0.0
    health: str = "none"  # Docker's health status: starting, healthy, unhealthy, or none (no HEALTHCHECK)
    health_output: str = ""  # the last probe's output
    healthy_after_s: float | None = None
    answered: int | None = None  # the HTTP status GET <health path> got; None when nothing answered
    answer_problem: str = ""
    uids: list[tuple[int, str]] = field(default_factory=list)  # (uid, command) of its processes, seen running
    uids_from: str = ""
    log: str = ""
    log_tail: str = ""  # the container log's last lines, for a message


class EngineRun:
    """One grade's build, container and clean-up on the engine ``docker`` talks to."""

    def __init__(self, docker: str, *, token: str | None = None) -> None:
        self.docker = docker
        self.token = token or uuid.uuid4().hex[:12]
        self.tag = f"llm-sprint-deploy:{self.token}"
        self.name = f"llm-sprint-deploy-{self.token}"
        inspect = _run([docker, "network", "inspect", "bridge", "--format", "{{.Driver}}"], 30)
        self.bridge = inspect.returncode == 0 and inspect.stdout.strip() == "bridge"
        self._intermediates: list[str] = []

    @property
    def labels(self) -> list[str]:
        return ["--label", f"{LABEL_GRADER}={GRADER}", "--label", f"{LABEL_RUN}={self.token}"]

    # --- build -------------------------------------------------------------------------------------

    def build(self, context: Path, dockerfile: Path, *, timeout: float) -> Build:
        argv = [self.docker, "build", "--no-cache", "--pull=false", "--rm", "--force-rm", "-t", self.tag,
                *self.labels, "-f", str(dockerfile)]
        if not self.bridge:
            argv += ["--network", "host"]
        argv.append(str(context))
        env = {**os.environ, "BUILDKIT_PROGRESS": "plain", "DOCKER_CLI_HINTS": "false"}
        _stop_point()
        with tempfile.TemporaryFile() as out:  # a file, not a pipe: a killed build's output is kept
            started = time.monotonic()
            proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env)
            code: int | None = None
            stopped = False
            try:
                while code is None and time.monotonic() - started < timeout and not stopped:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        code = proc.wait(timeout=_POLL_S)
                    stopped = runs_stopping()
            finally:
                if code is None:  # timed out, stopped, or interrupted: the engine cancels a build whose client goes
                    proc.kill()
                    proc.wait()
                seconds = time.monotonic() - started
                out.seek(0)
                text = out.read().decode("utf-8", errors="replace")
                self._intermediates = legacy_intermediates(text)
        _stop_point()
        if code is None:
            return Build(False, seconds, text + f"\n(docker build stopped after {timeout:.0f} s)")
        if code != 0:
            return Build(False, seconds, text)
        size = self.image(self.tag).get("Size")
        return Build(True, seconds, text, int(size) if isinstance(size, int) else None)

    def image(self, ref: str) -> dict[str, Any]:
        """``docker image inspect`` of ``ref`` ({} when the engine does not know it)."""
        proc = _run([self.docker, "image", "inspect", "--format", "{{json .}}", ref], 60)
        try:
            data = json.loads(proc.stdout) if proc.returncode == 0 else {}
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def _history(self, ref: str) -> list[str]:
        proc = _run([self.docker, "history", "--no-trunc", "--format", "{{.CreatedBy}}", ref], 60)
        return proc.stdout.splitlines() if proc.returncode == 0 else []

    # --- secrets -----------------------------------------------------------------------------------

    def find_secrets(self, base: str | None, *, timeout: float = 300.0) -> SecretScan:
        """Secret-looking files, build arguments and ENV entries the Dockerfile put in the image.

        ``base`` is the external image the final stage starts from (None for ``scratch``): its layers,
        history and environment are not the learner's and are left out.
        """
        image = self.image(self.tag)
        base_info = self.image(base) if base else {}
        layers = list((image.get("RootFS") or {}).get("Layers") or [])
        base_layers = list((base_info.get("RootFS") or {}).get("Layers") or [])
        shared = 0
        while shared < min(len(layers), len(base_layers)) and layers[shared] == base_layers[shared]:
            shared += 1
        scan = SecretScan(layers=len(layers) - shared)
        history = self._history(self.tag)
        own = history[: max(0, len(history) - len(self._history(base)))] if base else history
        scan.findings += [f"build argument {name} (kept in the image's history)"
                          for name in secrets.secret_build_args(own)]
        env = (image.get("Config") or {}).get("Env") or []
        base_env = (base_info.get("Config") or {}).get("Env") or []
        scan.findings += [f"ENV {name}" for name in secrets.secret_env(env, base=base_env)]
        with tempfile.TemporaryDirectory(prefix="llm-sprint-deploy-") as tmp:
            saved = Path(tmp) / "image.tar"
            proc = _run([self.docker, "save", "-o", str(saved), self.tag], timeout)
            if proc.returncode != 0:
                scan.problem = f"docker save failed: {_tail(proc.stderr)}"
                return scan
            try:
                for path in secrets.added_paths(saved, skip_layers=shared):
                    why = secrets.secret_path(path)
                    if why and f"file {why}" not in scan.findings:
                        scan.findings.append(f"file {why}")
            except (ValueError, OSError, EOFError, tarfile.TarError) as exc:
                scan.problem = f"the saved image could not be read: {exc}"
        return scan

    # --- run and watch -----------------------------------------------------------------------------

    def watch(self, *, port: int, health_path: str, timeout: float, grace: float = 10.0) -> Watch:
        """Run the image as built, wait for Docker's health status and for ``GET health_path``.

        Ends once the container has exited, or its health is settled and the app answered 200 (or
        4xx, which waiting does not change), or ``grace`` seconds after the health settled (healthy or
        unhealthy) without such an answer, or at ``timeout``. The container is then removed — on the
        host's network, before the port goes to the next grade; :meth:`cleanup` still looks for it.
        """
        if self.bridge:
            try:
                return self._watch(port, health_path, timeout, grace)
            finally:
                self._remove_container()
        with host_port(port, wait_s=timeout) as problem:
            if problem:
                return Watch(problem=problem, pending=True)
            try:
                return self._watch(port, health_path, timeout, grace)
            finally:
                self._remove_container()

    def _watch(self, port: int, health_path: str, timeout: float, grace: float) -> Watch:
        _stop_point()
        w = Watch()
        argv = [self.docker, "run", "-d", "--name", self.name, *self.labels, "--memory", "1g", "--pids-limit", "256"]
        argv += ["-p", f"127.0.0.1::{port}"] if self.bridge else ["--network", "host", "-e", "HOST=127.0.0.1"]
        started = _run([*argv, self.tag], 120)
        if started.returncode != 0:
            w.problem = f"docker run failed: {_tail(started.stderr)}"
            return w
        w.started = True
        t0 = time.monotonic()
        if self.bridge:
            mapped = _run([self.docker, "port", self.name, f"{port}/tcp"], 30).stdout
            address = next((line.strip() for line in mapped.splitlines() if line.strip().startswith("127.0.0.1:")), "")
            w.url = f"http://{address}{health_path}" if address else ""
            if not address:
                w.answer_problem = f"port {port} of the container is not published"
        else:
            w.url = f"http://127.0.0.1:{port}{health_path}"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never via a proxy
        settled_at: float | None = None
        while True:
            _stop_point()
            state = self._state()
            now = time.monotonic()
            w.running = bool(state.get("Running"))
            if not w.running:
                code = state.get("ExitCode")
                w.exit_code = code if isinstance(code, int) else None
                w.oom_killed = bool(state.get("OOMKilled"))
                break
            health = state.get("Health") or {}
            w.health = str(health.get("Status") or "none")
            probes = health.get("Log") or []
            if probes and isinstance(probes[-1], dict):
                w.health_output = str(probes[-1].get("Output", "")).strip()
            if w.health == "healthy" and w.healthy_after_s is None:
                w.healthy_after_s = now - t0
            if w.url and w.answered != 200:
                w.answered, w.answer_problem = _get(opener, w.url)
            if w.health in ("healthy", "unhealthy") and settled_at is None:
                settled_at = now
            answered = w.answered is not None and (w.answered == 200 or 400 <= w.answered < 500)  # 5xx may pass
            if answered and w.health != "starting":
                break
            if settled_at is not None and now - settled_at >= grace:
                break
            if now - t0 >= timeout:
                break
            time.sleep(_POLL_S)
        w.waited_s = time.monotonic() - t0
        if w.running:
            self._users(w)
        logs = _run([self.docker, "logs", "--tail", "100", self.name], 30)
        w.log = f"--- container log ---\n{logs.stdout}{logs.stderr}"
        w.log_tail = _tail(logs.stdout + logs.stderr, 2)[:300]
        return w

    def _state(self) -> dict[str, Any]:
        proc = _run([self.docker, "inspect", "--format", "{{json .State}}", self.name], 30)
        try:
            state = json.loads(proc.stdout or "{}")
        except ValueError:
            return {}
        return state if isinstance(state, dict) else {}

    def _users(self, w: Watch) -> None:
        """The UID of every process of the running container (``docker top``; else ``docker exec id -u``)."""
        top = _run([self.docker, "top", self.name, "-o", "uid,pid,args"], 30)  # the engine needs the pid column
        rows = top.stdout.splitlines()[1:] if top.returncode == 0 else []
        for row in rows:
            uid, _, command = [*row.split(None, 2), "", ""][:3]
            if uid.isdigit():
                w.uids.append((int(uid), command.strip()))
        if w.uids:
            w.uids_from = "docker top"
            return
        exe = _run([self.docker, "exec", self.name, "id", "-u"], 30)
        if exe.returncode == 0 and exe.stdout.strip().isdigit():
            w.uids = [(int(exe.stdout.strip()), "docker exec id -u")]
            w.uids_from = "docker exec id -u"

    # --- clean-up ----------------------------------------------------------------------------------

    def _remove_container(self) -> None:
        """``docker rm -f`` (SIGKILL) the run's container, found by its name and by the run's label."""
        containers = self._ids("ps", "-aq", "--no-trunc", "--filter", f"label={LABEL_RUN}={self.token}")
        exists = _run([self.docker, "container", "inspect", "--format", "{{.Id}}", self.name], 30)
        if exists.returncode == 0 and exists.stdout.strip():
            containers.append(exists.stdout.strip())
        if containers:
            _run([self.docker, "rm", "-f", "-v", *sorted(set(containers))], 120)

    def cleanup(self) -> list[str]:
        """Remove every container and image of this run, whatever state they are in.

        Returns what is still there afterwards (for the log; empty when all went).
        """
        label = f"label={LABEL_RUN}={self.token}"
        self._remove_container()
        images = self._ids("images", "-aq", "--no-trunc", "--filter", label)
        _run([self.docker, "rmi", "-f", self.tag, *images], 120)
        self._remove_intermediates()
        left = [f"container {c[:12]}" for c in self._ids("ps", "-aq", "--filter", label)]
        left += [f"image {i[:19]}" for i in self._ids("images", "-aq", "--filter", label)]
        return left

    def _remove_intermediates(self, wait_s: float = 30.0) -> None:
        """A failed build's own images, newest first. A build stopped mid-RUN still has its container on
        the last of them for a moment (the engine removes it, ``--force-rm``): wait for that, briefly."""
        remaining = list(reversed(self._intermediates))
        deadline = time.monotonic() + wait_s
        while remaining:
            for image in remaining:
                _run([self.docker, "rmi", image], 60)
            remaining = [i for i in remaining if _run([self.docker, "image", "inspect", "--format", "{{.Id}}", i],
                                                      30).returncode == 0]
            if not remaining or time.monotonic() >= deadline:
                return
            time.sleep(_POLL_S)

    def _ids(self, *args: str) -> list[str]:
        proc = _run([self.docker, *args], 60)
        return [line.strip() for line in proc.stdout.splitlines() if line.strip()] if proc.returncode == 0 else []


def _get(opener: urllib.request.OpenerDirector, url: str) -> tuple[int | None, str]:
    try:
        with contextlib.closing(opener.open(url, timeout=2)) as resp:
            return int(resp.status), ""
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code, f"answered {exc.code}"
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, str(reason)
