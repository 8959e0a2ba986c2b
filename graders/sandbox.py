"""Run learner code away from our process: a fresh copy, limits, a clean environment, no network.

Parent side of the sandbox. A run is planned here and carried out by ``graders.supervisor`` in a
child process; the learner's code runs in grandchildren. What each run gets:

* a **fresh temporary copy** of the learner's files (their originals are never touched);
* **wall-clock, CPU-time and memory limits** (memory: the summed RSS of every learner process);
* **no network but loopback** where the OS permits (Linux network namespace; see the report's
  ``network`` field for what was enforced);
* a **clean environment** built from an allow-list — no ``*TOKEN*``/``*SECRET*`` can leak in —
  with ``HF_HUB_OFFLINE=1`` and a private ``HOME``/``TMPDIR``;
* **captured output**, truncated to head and tail;
* an **authenticated result channel** (``graders.harness.channel``) that printing cannot forge;
* at the end, **every process it started is killed**, including ones that left the process group;
* with the **warm start** on (``graders.zygote``: ``Sandbox(warm=True)`` or
  ``LLM_SPRINT_WARM_START=1``), its supervisor and its ``python -I -m`` processes are forked from a
  zygote that has already imported ``preload`` (torch, transformers, peft…), under the same rules;
  off, or if the zygote is gone, they are executed fresh — the results are the same;
* a run **never outlives this process**: the supervisor ends it when we die, however we die (see
  ``graders.supervisor``), and :func:`stop_runs` ends every run of this process, in every thread —
  what a stop signal does (``tracker.stopping``).

:meth:`Sandbox.measure` runs a kind's trusted *measurer* beside a *learner worker* that alone
imports the learner's code (``graders.measurer``, ``graders.worker``): the learner's process then
holds no channel, key, seed or expected value. Trusted processes are non-dumpable and learner
processes hold no capability (``graders.privileges``), so neither can be read from the other.

Learner faults come back as data (:attr:`RunOutcome.fault`), never as exceptions. A
:class:`~graders.errors.SandboxError` means *our* machinery failed.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from graders.errors import SandboxError
from graders.harness.channel import verify_line
from graders.thresholds import format_value

__all__ = ["Limits", "ProcessSpec", "RunOutcome", "RunsStopped", "Sandbox", "clean_env", "copy_tree", "resume_runs",
           "runs_stopping", "stop_runs"]

GB = 1_000_000_000
_SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "API_KEY", "PRIVATE_KEY")
# Thread limits pass through too: on a busy machine (CI grades beside the tests) OpenMP threads
# that spin-wait for a descheduled sibling made a run up to 7× slower; one thread each avoids it.
_PASS_THROUGH = ("LANG", "LC_ALL", "TZ", "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "LD_LIBRARY_PATH",
                 "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
_IGNORED_NAMES = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".mypy_cache", ".git", ".sprint"}
_SIGNAL_HINTS = {
    signal.SIGSEGV: "crashed with a segmentation fault (SIGSEGV)",
    signal.SIGABRT: "aborted (SIGABRT)",
    signal.SIGBUS: "crashed with a bus error (SIGBUS)",
    signal.SIGFPE: "crashed with a floating-point exception (SIGFPE)",
    signal.SIGILL: "crashed with an illegal instruction (SIGILL)",
}


class RunsStopped(KeyboardInterrupt):
    """A run ended by :func:`stop_runs` (or refused because of it): there is no outcome to record.

    A ``KeyboardInterrupt``, so it passes through ``except Exception`` as Ctrl-C does: a grader
    cannot turn it into an ``error`` result.
    """


class _Supervisor(Protocol):
    """A run's supervisor as the sandbox drives it: a ``subprocess.Popen``, or a warm one
    (``graders.zygote.WarmProcess``)."""

    pid: int
    returncode: int | None
    stdin: IO[bytes] | None
    stdout: IO[bytes] | None
    stderr: IO[bytes] | None

    def poll(self) -> int | None: ...
    def wait(self, timeout: float | None = None) -> int: ...
    def send_signal(self, sig: int) -> None: ...


class _LiveRuns:
    """The supervisors of this process's runs, so that a stop can reach runs in every thread."""

    def __init__(self) -> None:
        self.lock = threading.RLock()  # re-entrant: stop_runs() may run in a signal handler of a holder
        self.supervisors: set[_Supervisor] = set()
        self.stopping = False


_live = _LiveRuns()


def stop_runs() -> int:
    """End every run of this process, in every thread, and refuse new ones until :func:`resume_runs`.

    Each run's supervisor gets SIGTERM (it kills the run's processes and exits); the call that
    started the run raises :class:`RunsStopped`. Safe in a signal handler. Returns how many runs
    were under way.
    """
    with _live.lock:
        _live.stopping = True
        supervisors = [p for p in _live.supervisors if p.returncode is None]
    for proc in supervisors:
        with contextlib.suppress(OSError):
            os.kill(proc.pid, signal.SIGTERM)
    return len(supervisors)


def runs_stopping() -> bool:
    """Whether :func:`stop_runs` has been called (and not yet :func:`resume_runs`). Work that runs a
    learner's code outside a sandbox run (kind ``deploy``: a Docker build or container) checks it and
    raises :class:`RunsStopped`, after removing what it started."""
    return _live.stopping


def resume_runs() -> None:
    """Allow runs again after :func:`stop_runs` (for a process that carries on, e.g. a test)."""
    with _live.lock:
        _live.stopping = False


@dataclass(frozen=True)
class Limits:
    """Per-run limits. ``cpu_s`` defaults to ``wall_s`` times the cores of this machine."""

    wall_s: float = 120.0
    cpu_s: float | None = None
    memory_bytes: int = 4 * GB
    output_bytes: int = 16 * 1024  # kept per stream: the first and last half

    def cpu_limit(self) -> float:
        return self.cpu_s if self.cpu_s is not None else self.wall_s * max(1, os.cpu_count() or 1)


@dataclass
class ProcessSpec:
    """One process of a run. ``learner=True`` processes run learner code and get the limits.

    The run lasts until the ``main`` process exits; the others (e.g. a learner's server) are then
    stopped. ``harness`` gives a learner process the authenticated result channel: its argv is
    replaced by the harness and ``harness`` is its ``(entry, args)``. ``pass_fds`` are descriptors
    of ours the process inherits (closed on our side once the run starts); ``link_fd``, one of them,
    is a harness process's link to a learner worker (its entry gets a ``graders.measurer.Worker``).
    ``readonly_proc`` gives a learner process a read-only ``/proc`` where the OS permits. ``env`` and
    ``argv`` are never secret: with the warm start (``graders.zygote``) they are in the part of the
    plan every forked process of the run holds; ``stdin`` is where a secret goes.
    """

    name: str
    argv: Sequence[str] = ()
    learner: bool = True
    main: bool = False
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str = "."
    stdin: str = ""
    harness: tuple[str, Mapping[str, Any]] | None = None
    pass_fds: Sequence[int] = ()
    link_fd: int | None = None
    readonly_proc: bool = False


@dataclass
class ProcessOutcome:
    returncode: int | None
    signal: int | None
    stdout: str
    stderr: str
    output_bytes: int
    wall_s: float


@dataclass
class RunOutcome:
    """What happened in one run, as data. ``fault`` is a learner-facing sentence, or None."""

    workdir: Path
    limits: Limits
    processes: dict[str, ProcessOutcome]
    messages: list[dict[str, Any]]
    forged_lines: int
    timed_out: bool
    memory_exceeded: bool
    peak_rss: int
    cpu_s: float
    wall_s: float
    network: str
    leftovers_killed: int
    main: str
    messages_expected: bool = True  # False when the main process is not a harness (e.g. a test script)

    @property
    def result(self) -> dict[str, Any] | None:
        """The last structured result sent by the harness, if any."""
        for msg in reversed(self.messages):
            if msg.get("type") == "result":
                data = msg.get("data")
                return data if isinstance(data, dict) else None
        return None

    @property
    def measurements(self) -> dict[str, Any]:
        return {m["name"]: m.get("value") for m in self.messages if m.get("type") == "measure"}

    @property
    def done(self) -> bool:
        return any(m.get("type") == "done" for m in self.messages)

    @property
    def learner_fault(self) -> dict[str, Any] | None:
        return next((m for m in self.messages if m.get("type") == "fault"), None)

    @property
    def internal_error(self) -> bool:
        fault = self.learner_fault
        return bool(fault and fault.get("detail") == "internal")

    def log(self, limit: int = 64 * 1024) -> str:
        """The learner's output (all processes), for the result's ``log`` field. Each stream is
        already cut to ``Limits.output_bytes`` by the supervisor, with a marker where it was cut."""
        parts = []
        for name, p in self.processes.items():
            for stream, text in (("stdout", p.stdout), ("stderr", p.stderr)):
                if text.strip():
                    label = f"{name} {stream}" if len(self.processes) > 1 else stream
                    parts.append(f"--- {label} ---\n{text.rstrip()}")
        text = "\n".join(parts)
        return text if len(text) <= limit else text[: limit // 2] + "\n…\n" + text[-limit // 2 :]

    @property
    def fault(self) -> str | None:
        """Why the run did not complete normally, in words a learner can act on; None if it did."""
        lim = self.limits
        if self.timed_out:
            return f"timed out after {format_value(lim.wall_s, 'seconds')} (the wall-clock limit for this exercise)"
        if self.memory_exceeded:
            return (f"used more than {format_value(float(lim.memory_bytes), 'bytes')} of memory "
                    "(the limit for this exercise); it was stopped")
        if self.forged_lines:
            return ("something other than the grader wrote to the grader's result channel; "
                    "results must come from the grader, not be printed")
        fault = self.learner_fault
        if fault is not None:
            if fault.get("detail") == "worker-ended" and (worker := self.processes.get("worker")) is not None:
                return _ended(worker, lim, self.cpu_s) or str(fault.get("message"))
            return str(fault.get("message", "your code failed"))
        main = self.processes.get(self.main)
        if main is None:
            return "the run did not start"
        if main.signal is not None:
            return _ended(main, lim, self.cpu_s)
        if self.messages_expected and not self.done:
            return (f"the process exited (code {main.returncode}) before the grader finished — does your code "
                    "call os._exit() or sys.exit(), or start something that kills the process?")
        return None



def _ended(p: ProcessOutcome, lim: Limits, cpu_s: float) -> str | None:
    """Why a learner process died of a signal, or how it exited; None when it did neither."""
    if p.signal is not None:
        sig = p.signal
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu_s >= lim.cpu_limit() - 0.5):
            return f"used more than {format_value(lim.cpu_limit(), 'seconds')} of CPU time; it was stopped"
        try:
            hint = _SIGNAL_HINTS.get(signal.Signals(sig), f"was killed by signal {sig}")
        except ValueError:
            hint = f"was killed by signal {sig}"
        return f"your code {hint}"
    if p.returncode is not None:
        return (f"the process running your code exited (code {p.returncode}) before it answered the grader — does "
                "your code call os._exit() or sys.exit(), or start something that kills the process?")
    return None


def clean_env(extra: Mapping[str, str] | None = None, *, home: Path, tmp: Path) -> dict[str, str]:
    """The environment of every sandboxed process: an allow-list, never a copy of ours.

    Raises ValueError if ``extra`` tries to pass anything that looks like a secret.
    """
    python_bin = str(Path(sys.executable).parent)
    env = {
        "PATH": os.pathsep.join([python_bin, "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONIOENCODING": "utf-8",
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "NO_COLOR": "1",
        "MPLBACKEND": "Agg",
    }
    for name in _PASS_THROUGH:
        if name in os.environ:
            env[name] = os.environ[name]
    # The tiny-model cache must stay shared: HOME moves, so name the cache explicitly.
    from graders.paths import cache_dir

    env["LLM_SPRINT_CACHE"] = str(cache_dir())
    for key, value in (extra or {}).items():
        if any(word in key.upper() for word in _SECRET_WORDS):
            raise ValueError(f"refusing to pass {key!r} into the sandbox: it looks like a secret")
        env[key] = value
    return env


def copy_tree(src: Path, dst: Path) -> None:
    """Copy a learner's exercise folder, skipping caches; symlinks are copied as links, not followed."""
    shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True,
                    ignore=lambda d, names: [n for n in names if n in _IGNORED_NAMES])


class Sandbox:
    """Plans runs and hands them to the supervisor. One instance can serve many runs.

    ``warm``: start runs from a zygote (``graders.zygote``) — True, False, or None for the
    ``LLM_SPRINT_WARM_START`` switch (off when unset). ``preload``: what that zygote imports, unless
    a run names its own (a kind whose processes import torch passes ``preload=("torch", …)``)."""

    def __init__(self, limits: Limits | None = None, *, network: Literal["loopback", "host"] = "loopback",
                 python: str | None = None, keep: bool = False, warm: bool | None = None,
                 preload: Sequence[str] = ()) -> None:
        self.limits = limits or Limits()
        self.network = network
        self.python = python or sys.executable
        self.keep = keep
        self.warm = warm
        self.preload = tuple(preload)

    @contextlib.contextmanager
    def workdir(self, files: Path | None = None) -> Iterator[Path]:
        """A fresh temporary folder holding a copy of ``files``; removed on exit."""
        root = Path(tempfile.mkdtemp(prefix="llm-sprint-run-"))
        work = root / "work"
        work.mkdir()
        (root / "home").mkdir()
        (root / "tmp").mkdir()
        try:
            if files is not None and files.is_dir():
                copy_tree(files, work)
            yield work
        finally:
            if not self.keep:
                shutil.rmtree(root, ignore_errors=True)

    def call(self, entry: str, args: Mapping[str, Any], *, workdir: Path, limits: Limits | None = None,
             env: Mapping[str, str] | None = None, preload: Sequence[str] | None = None) -> RunOutcome:
        """Run one harness entry point (``module:function``) on the learner's copy in ``workdir``."""
        spec = ProcessSpec(name="learner", main=True, harness=(entry, args), env=env or {})
        return self.run([spec], workdir=workdir, limits=limits, preload=preload)

    def measure(self, entry: str, args: Mapping[str, Any], *, workdir: Path, limits: Limits | None = None,
                env: Mapping[str, str] | None = None, preload: Sequence[str] | None = None) -> RunOutcome:
        """Run a trusted measurer beside a learner worker, linked by a socket pair.

        ``entry`` (``module:function``) is called as ``function(args, channel, worker)`` in a trusted
        process that alone holds the result channel and ``args`` (seed, expected values…), with the
        learner's folder *not* on its path. The learner's code runs only in the worker
        (``python -I -m graders.worker``), a learner process: it gets the limits (memory, CPU), a
        read-only ``/proc`` where permitted, ``env``, and nothing but what ``worker`` sends it. The
        run ends when the measurer returns. See ``graders.measurer`` for the measurer's side."""
        ours, theirs = socket.socketpair()
        ours_fd, theirs_fd = ours.detach(), theirs.detach()  # run() closes them once the supervisor has them
        specs = [
            ProcessSpec(name="measurer", main=True, learner=False, harness=(entry, args), pass_fds=(ours_fd,),
                        link_fd=ours_fd),
            ProcessSpec(name="worker", argv=[self.python, "-I", "-m", "graders.worker", str(theirs_fd)],
                        pass_fds=(theirs_fd,), env=env or {}, readonly_proc=True),
        ]
        return self.run(specs, workdir=workdir, limits=limits, preload=preload)

    def run(self, specs: Sequence[ProcessSpec], *, workdir: Path, limits: Limits | None = None,
            preload: Sequence[str] | None = None) -> RunOutcome:
        """Carry out one run of ``specs``. Descriptors named in their ``pass_fds`` are ours to close:
        they are closed here, whatever happens. ``preload``: what a warm start's zygote imports
        (default: the sandbox's)."""
        from graders.privileges import make_undumpable
        from graders.zygote import enabled, fork_argv

        limits = limits or self.limits
        warm = enabled(self.warm) and sys.platform.startswith("linux")
        extra_fds = [fd for spec in specs for fd in spec.pass_fds]
        if sum(1 for s in specs if s.main) != 1:
            for fd in extra_fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            raise ValueError("exactly one process of a run must be main")
        root = workdir.parent
        # The key and the channel's read end live in this process: no learner process may read it.
        make_undumpable()
        key = secrets.token_bytes(32)
        read_fd, write_fd = os.pipe()
        os.set_inheritable(write_fd, True)
        plan_processes = []
        try:
            for spec in specs:
                env = clean_env(spec.env, home=root / "home", tmp=root / "tmp")
                entry: dict[str, Any] = {
                    "name": spec.name,
                    "main": spec.main,
                    "learner": spec.learner,
                    "cwd": str((workdir / spec.cwd).resolve()),
                    "env": env,
                    "argv": list(spec.argv),
                    "stdin": spec.stdin,
                    "pass_fds": list(spec.pass_fds),
                    "readonly_proc": spec.readonly_proc,
                }
                if spec.learner:
                    entry["cpu_s"] = limits.cpu_limit()
                if spec.harness is not None:
                    target, args = spec.harness
                    entry["argv"] = [self.python, "-I", "-m", "graders.harness"]
                    entry["pass_fds"] = [write_fd, *spec.pass_fds]
                    payload = {"entry": target, "args": dict(args), "workdir": str(workdir.resolve()),
                               "result_fd": write_fd, "learner": spec.learner}
                    if spec.link_fd is not None:
                        payload.update(link_fd=spec.link_fd, wall_s=limits.wall_s)
                    entry["stdin"] = key.hex() + "\n" + json.dumps(payload) + "\n"
                if warm and (module_argv := fork_argv(entry["argv"], self.python)) is not None:
                    entry["fork"] = module_argv
                plan_processes.append(entry)
            plan = {
                "network": self.network,
                "wall_s": limits.wall_s,
                "memory_bytes": limits.memory_bytes,
                "output_bytes": limits.output_bytes,
                "processes": plan_processes,
            }
            # _supervise closes them: closing a number twice could hit a reused fd
            handed, write_fd, extra_fds = [write_fd, *extra_fds], -1, []
            report, lines = self._supervise(
                plan, read_fd, handed, tuple(self.preload if preload is None else preload) if warm else None)
        finally:
            for fd in (read_fd, write_fd, *extra_fds):
                if fd >= 0:
                    with contextlib.suppress(OSError):
                        os.close(fd)
        messages: list[dict[str, Any]] = []
        forged = 0
        for line in lines:
            msg = verify_line(key, line)
            if msg is None:
                forged += 1
            else:
                messages.append(msg)
        main = next(s.name for s in specs if s.main)
        outcome = RunOutcome(
            workdir=workdir,
            limits=limits,
            processes={name: ProcessOutcome(**p) for name, p in report["processes"].items()},
            messages=messages,
            forged_lines=forged,
            timed_out=report["timed_out"],
            memory_exceeded=report["memory_exceeded"],
            peak_rss=report["peak_rss"],
            cpu_s=report["cpu_s"],
            wall_s=report["wall_s"],
            network=report["network"],
            leftovers_killed=report["leftovers_killed"],
            main=main,
            messages_expected=next(s for s in specs if s.main).harness is not None,
        )
        return outcome

    def _warm_supervisor(self, preload: tuple[str, ...], handed: list[int]) -> _Supervisor | None:
        """A supervisor forked by this process's zygote for ``preload``; None when there is none to
        be had (it could not start, or died): the run then starts cold."""
        from graders.zygote import ZygoteUnavailable, drop, zygote_for

        try:
            zygote = zygote_for(self.python, preload, lambda home, tmp: clean_env(home=Path(home), tmp=Path(tmp)))
        except ZygoteUnavailable:
            return None
        try:
            return zygote.spawn_supervisor(handed)
        except ZygoteUnavailable:
            drop(zygote)  # stopped or dead (a learner process can signal it): a new one next time
            return None

    def _supervise(self, plan: dict[str, Any], read_fd: int, handed: list[int],
                   preload: tuple[str, ...] | None = None) -> tuple[dict[str, Any], list[str]]:
        proc: _Supervisor | None = None
        try:
            with _live.lock:  # a stop cannot slip in between this check and the registration
                if _live.stopping:
                    raise RunsStopped("runs are being stopped: this one was not started")
            if preload is not None:
                proc = self._warm_supervisor(preload, handed)
            with _live.lock:  # again: a stop may have come while a zygote started (stop_runs() did not see it)
                if _live.stopping:
                    if proc is not None:
                        proc.send_signal(signal.SIGTERM)
                        for stream in (proc.stdin, proc.stdout, proc.stderr):
                            if stream is not None:
                                stream.close()
                        with contextlib.suppress(subprocess.TimeoutExpired):
                            proc.wait(timeout=5)
                    raise RunsStopped("runs are being stopped: this one was not started")
                if proc is None:
                    proc = subprocess.Popen(
                        [self.python, "-I", "-m", "graders.supervisor"],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        pass_fds=tuple(handed), start_new_session=True,
                    )
                _live.supervisors.add(proc)
        finally:
            for fd in handed:  # only the run's processes hold the channel's write end and the worker link now
                os.close(fd)
        assert proc.stdin and proc.stdout and proc.stderr
        sel = selectors.DefaultSelector()
        try:
            # Its stdin stays open until it has finished: the supervisor's lifeline (EOF: we are gone).
            if isinstance(proc, subprocess.Popen):
                proc.stdin.write((json.dumps({**plan, "parent_pid": os.getpid()}) + "\n").encode())
            else:  # warm: the public half first (it forks), then the secret half; its parent is the zygote
                public = {**plan, "parent_pid": getattr(proc, "parent_pid", None),
                          "processes": [{k: v for k, v in p.items() if k != "stdin"} for p in plan["processes"]]}
                hidden = {"stdin": [p.get("stdin", "") for p in plan["processes"]]}
                proc.stdin.write((json.dumps(public) + "\n" + json.dumps(hidden) + "\n").encode())
            proc.stdin.flush()
            channel: list[bytes] = []
            out: list[bytes] = []
            err: list[bytes] = []
            sel.register(read_fd, selectors.EVENT_READ, channel)
            sel.register(proc.stdout, selectors.EVENT_READ, out)
            sel.register(proc.stderr, selectors.EVENT_READ, err)
            budget = float(plan["wall_s"]) + 30.0  # the supervisor enforces wall_s; this is our backstop
            deadline = _monotonic() + budget
            while sel.get_map() and _monotonic() < deadline:
                for key, _ in sel.select(timeout=0.5):
                    fd = key.fd
                    data = os.read(fd, 1 << 16)
                    if data:
                        key.data.append(data)
                    else:
                        sel.unregister(key.fileobj)
                if proc.poll() is not None and read_fd not in _fds(sel):
                    break
            try:
                proc.wait(timeout=max(1.0, deadline - _monotonic()))
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=10)
                raise SandboxError("the sandbox supervisor did not finish in time; it was stopped") from None
        except BaseException:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)  # the supervisor kills its children on SIGTERM
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)
            raise
        finally:
            sel.close()  # now, not whenever the garbage collector frees it (its fd number may be reused by then)
            with contextlib.suppress(OSError):
                proc.stdin.close()
            with _live.lock:
                _live.supervisors.discard(proc)
        if _live.stopping:
            raise RunsStopped("the run was stopped before it finished")
        if proc.returncode != 0 or not out:
            detail = b"".join(err).decode("utf-8", "replace")[-2000:]
            raise SandboxError(f"the sandbox supervisor failed (exit {proc.returncode}): {detail}")
        report: dict[str, Any] = json.loads(b"".join(out).decode())
        text = b"".join(channel).decode("utf-8", "replace")
        return report, [line for line in text.splitlines() if line.strip()]


def _fds(sel: selectors.BaseSelector) -> set[int]:
    return {key.fd for key in sel.get_map().values()}


def _monotonic() -> float:
    import time

    return time.monotonic()
