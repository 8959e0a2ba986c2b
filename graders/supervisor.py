"""The supervisor: a small process between the tracker and learner code.

``python -I -m graders.supervisor`` reads one JSON plan on stdin, and:

1. becomes a *child subreaper* (Linux), so every process the learner starts — even one that calls
   ``setsid()`` or double-forks to escape its process group — is re-parented to it and can be found
   and killed at the end;
2. moves into a new network namespace with only ``lo`` up, when the OS permits (loopback only:
   nothing can leave the machine, and a server on the host's loopback is out of reach);
3. starts the planned processes — trusted ones first, and learner ones only once every trusted
   process has read its stdin (where a key arrives) — learner processes with CPU-time and core-dump
   limits, a new session, ``PDEATHSIG``, no capabilities (``graders.privileges``); feeds their
   stdin, and reads their stdout/stderr keeping head and tail;
4. enforces the wall-clock limit and the memory limit (summed RSS of all learner processes, polled);
5. when the *main* process ends (or a limit trips) stops everything: SIGTERM to background
   processes with a short grace, then SIGKILL to every descendant until none is left;
6. writes one JSON report on stdout.

Its life is tied to the tracker's (:func:`tie_to_parent`): it ends the run and exits when the
process that started it dies, however it died — a parent-death signal on Linux, and on every
platform a *lifeline*: stdin stays open for the whole run, and its end-of-file means the tracker
is gone. SIGTERM (sent by the tracker to stop a run) does the same: every descendant is killed.

It imports only the standard library and psutil, so it starts in milliseconds. It never imports
learner code, and makes itself non-dumpable before it reads the plan (which holds the run's key).
See ``graders.sandbox`` for the parent side and ``docs/threat-model.md``.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import resource
import selectors
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psutil

from graders.privileges import confine_learner, make_undumpable

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
LIFELINE_FD = 0  # stdin: the tracker holds its write end open until it has our report
CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1

_libc: Any = None


def _prctl(option: int, arg: int) -> int:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return int(_libc.prctl(option, arg, 0, 0, 0))


class ParentGone(Exception):
    """The tracker that started this run is gone (the lifeline reached end-of-file)."""


def tie_to_parent(parent_pid: int | None) -> bool:
    """Be sent SIGTERM when our parent dies (Linux); False if it is already gone.

    ``PR_SET_PDEATHSIG`` fires when the *thread* that forked us ends, not the process: the
    sandbox's caller waits for this process in the thread that started it, so that thread cannot
    end first. It is set after the fork, so a parent that died in between is missed: hence the
    ``getppid()`` check against the pid the parent wrote in the plan (we are re-parented on its
    death). Where there is no parent-death signal (macOS), the lifeline alone ends the run.
    """
    if sys.platform.startswith("linux"):
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    return parent_pid is None or os.getppid() == parent_pid


def keep_niceness() -> None:
    """Carry this process's nice value into the scheduling group of its (new) session.

    With Linux's autogroup scheduling (``/proc/sys/kernel/sched_autogroup_enabled``), every session
    is a scheduling group that competes as nice 0 with all the others, whatever its processes' nice
    values. Each sandboxed run starts new sessions, so ``nice sprint dev check`` would not yield to
    anything: measured in CI, a niced background check slowed the foreground tests threefold.
    Call right after ``setsid()``; best effort (no autogroups, no /proc: nothing to do).
    """
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError):
        niceness = os.getpriority(os.PRIO_PROCESS, 0)
        if niceness > 0:
            with open("/proc/self/autogroup", "w") as autogroup:
                autogroup.write(str(niceness))


def _bring_loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifreq = struct.pack("16sH14s", b"lo", 0, b"\0" * 14)
        flags = struct.unpack("16sH14s", fcntl.ioctl(s.fileno(), SIOCGIFFLAGS, ifreq))[1]
        fcntl.ioctl(s.fileno(), SIOCSIFFLAGS, struct.pack("16sH14s", b"lo", flags | IFF_UP, b"\0" * 14))


def isolate_network() -> str:
    """Enter a fresh network namespace with ``lo`` up. Returns a description of what was enforced."""
    if not sys.platform.startswith("linux"):
        return f"not isolated: network namespaces need Linux (this is {sys.platform})"
    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWNET) != 0:
        # Unprivileged: a user namespace grants the capability inside it.
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            return f"not isolated: unshare() refused ({os.strerror(err)}); the host network is reachable"
        with contextlib.suppress(OSError):
            with open("/proc/self/setgroups", "w") as f:
                f.write("deny")
            with open("/proc/self/uid_map", "w") as f:
                f.write(f"{uid} {uid} 1")
            with open("/proc/self/gid_map", "w") as f:
                f.write(f"{gid} {gid} 1")
    try:
        _bring_loopback_up()
    except OSError as exc:
        return f"isolated, but loopback could not be brought up ({exc})"
    return "isolated: new network namespace, loopback only"


@dataclass
class Output:
    """Keeps the first and last ``limit // 2`` bytes of a stream and counts the rest."""

    limit: int
    head: bytearray = field(default_factory=bytearray)
    tail: bytearray = field(default_factory=bytearray)
    total: int = 0

    def feed(self, chunk: bytes) -> None:
        self.total += len(chunk)
        half = self.limit // 2
        room = half - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self.tail += chunk
            if len(self.tail) > half:
                del self.tail[: len(self.tail) - half]

    def text(self) -> str:
        kept = len(self.head) + len(self.tail)
        head = self.head.decode("utf-8", "replace")
        if self.total <= kept:
            return head + self.tail.decode("utf-8", "replace")
        cut = self.total - kept
        return f"{head}\n… [{cut} bytes of output cut] …\n{self.tail.decode('utf-8', 'replace')}"


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    main: bool
    learner: bool
    stdout: Output
    stderr: Output
    started: float
    ended: float | None = None


def _learner_preexec(cpu_s: float | None, readonly_proc: bool = False) -> Any:
    def preexec() -> None:
        os.setsid()
        keep_niceness()
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if cpu_s:
            soft = max(1, int(cpu_s))
            resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 2))
        if sys.platform.startswith("linux"):
            _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        confine_learner(readonly_proc=readonly_proc)  # last: it drops the capabilities the steps above may use

    return preexec


def _stdin_read(proc: subprocess.Popen[bytes], timeout_s: float = 10.0) -> None:
    """Wait until ``proc`` has read everything we wrote to its stdin, then close our end. A trusted
    process makes itself non-dumpable before it reads its key there; until then the key sits in the
    pipe, where a learner process of the same user could read it (``/proc/<pid>/fd/0``)."""
    assert proc.stdin is not None
    deadline = time.monotonic() + timeout_s
    with contextlib.suppress(OSError, ValueError):
        while time.monotonic() < deadline and proc.poll() is None:
            left = struct.unpack("i", fcntl.ioctl(proc.stdin.fileno(), termios.FIONREAD, b"\0" * 4))[0]
            if left == 0:
                break
            time.sleep(0.002)
    with contextlib.suppress(BrokenPipeError):
        proc.stdin.close()


def _trusted_preexec() -> None:
    os.setsid()
    keep_niceness()
    if sys.platform.startswith("linux"):
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _descendants() -> list[psutil.Process]:
    try:
        children: list[psutil.Process] = psutil.Process().children(recursive=True)
        return children
    except psutil.Error:
        return []


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _running(p: psutil.Process) -> bool:
    """False for a zombie or a process that is already gone (it may exit while we look)."""
    try:
        return bool(p.status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def _kill_all(keep: set[int] | None = None) -> int:
    """SIGKILL every descendant (a fork bomb keeps spawning: repeat until none is left)."""
    killed: set[int] = set()
    for _ in range(200):
        alive = [p for p in _descendants() if _running(p) and p.pid not in (keep or set())]
        if not alive:
            break
        for p in alive:
            with contextlib.suppress(psutil.Error):
                p.kill()
                killed.add(p.pid)
        time.sleep(0.01)
        _reap()
    _reap()
    return len(killed)


def _tree_rss(procs: list[Proc], trusted: set[int]) -> int:
    total = 0
    for p in _descendants():
        if p.pid in trusted:
            continue
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def read_line(fd: int) -> bytes:
    """One line from ``fd``, read a byte at a time: nothing past its newline leaves the pipe (the
    secret half of a warm plan must not be in this process when it forks). ``b""`` at end-of-file."""
    line = bytearray()
    while True:
        byte = os.read(fd, 1)
        if not byte:
            return b""
        if byte == b"\n":
            return bytes(line)
        line += byte


def _fork_before_secrets(order: list[dict[str, Any]]) -> dict[str, subprocess.Popen[bytes]]:
    """Warm start: fork every process the plan marks ``fork`` (``python -I -m module`` on this
    process's imports, ``graders.zygote.ForkedPopen``), before the plan's secret half is read. A
    learner process waits, gated, until the trusted ones have read their stdin."""
    from graders.zygote import ForkedPopen

    forked: dict[str, subprocess.Popen[bytes]] = {}
    for spec in order:
        if not spec.get("fork"):
            continue
        learner = bool(spec.get("learner", True))
        forked[spec["name"]] = ForkedPopen(
            spec["argv"], spec["fork"], learner=learner, gated=learner,
            cwd=spec["cwd"], env=spec["env"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            pass_fds=tuple(spec.get("pass_fds", ())),
            preexec_fn=_learner_preexec(spec.get("cpu_s"), bool(spec.get("readonly_proc"))) if learner
            else _trusted_preexec)
    return forked


def run(plan: dict[str, Any], lifeline: int | None = None,
        secrets: Callable[[], dict[str, Any]] | None = None) -> dict[str, Any]:
    """Carry out ``plan``; returns the report. Raises :class:`ParentGone` when ``lifeline`` (a
    pipe's read end) reaches end-of-file: the caller then kills every descendant.

    ``secrets`` (warm start, ``graders.zygote``): ``plan`` is the public half, without any
    process's stdin; the processes marked ``fork`` are forked from this process first, and only then
    is ``secrets()`` called for the other half, ``{"stdin": [text per process, in plan order]}``."""
    t0 = time.monotonic()
    if sys.platform.startswith("linux"):
        _prctl(PR_SET_CHILD_SUBREAPER, 1)
    if plan.get("network", "loopback") == "loopback":
        network = isolate_network()
        tie_to_parent(None)  # re-armed: the kernel clears it on some credential changes
    else:
        network = "not isolated: host network requested"
    output_limit = int(plan.get("output_bytes", 64 * 1024))
    wall_s = float(plan["wall_s"])
    memory_limit = int(plan["memory_bytes"])
    poll_s = float(plan.get("poll_s", 0.03))

    procs: list[Proc] = []
    sel = selectors.DefaultSelector()
    if lifeline is not None:
        sel.register(lifeline, selectors.EVENT_READ, None)  # data None: not an output stream
    # Trusted processes first; learner processes only once the trusted ones have read their stdin.
    order = sorted(plan["processes"], key=lambda spec: bool(spec.get("learner", True)))
    trusted_started: list[subprocess.Popen[bytes]] = []
    forked: dict[str, subprocess.Popen[bytes]] = {}
    if secrets is not None:
        forked = _fork_before_secrets(order)
        for spec, text in zip(plan["processes"], secrets()["stdin"], strict=True):
            spec["stdin"] = text
    for spec in order:
        learner = bool(spec.get("learner", True))
        if learner:
            while trusted_started:
                _stdin_read(trusted_started.pop())
        popen = forked.pop(spec["name"], None) or subprocess.Popen(
            spec["argv"],
            cwd=spec["cwd"],
            env=spec["env"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=tuple(spec.get("pass_fds", ())),
            preexec_fn=_learner_preexec(spec.get("cpu_s"), bool(spec.get("readonly_proc"))) if learner
            else _trusted_preexec,
        )
        proc = Proc(spec["name"], popen, bool(spec.get("main")), learner, Output(output_limit), Output(output_limit),
                    time.monotonic())
        procs.append(proc)
        assert popen.stdin and popen.stdout and popen.stderr
        with contextlib.suppress(BrokenPipeError):
            popen.stdin.write(spec.get("stdin", "").encode())
            popen.stdin.flush()
        if learner:
            with contextlib.suppress(BrokenPipeError):
                popen.stdin.close()
            release = getattr(popen, "release", None)
            if release is not None:  # a forked learner process, gated until now
                release()
        else:
            trusted_started.append(popen)
        sel.register(popen.stdout, selectors.EVENT_READ, proc.stdout)
        sel.register(popen.stderr, selectors.EVENT_READ, proc.stderr)
    while trusted_started:  # a run of trusted processes only
        _stdin_read(trusted_started.pop())
    # Our copies of the inherited descriptors (the result channel) must close, or the parent
    # would never see end-of-file on them.
    for spec in plan["processes"]:
        for fd in spec.get("pass_fds", ()):
            with contextlib.suppress(OSError):
                os.close(fd)

    trusted = {p.popen.pid for p in procs if not p.learner}
    main = next(p for p in procs if p.main)
    timed_out = memory_exceeded = False
    peak_rss = 0
    last_poll = 0.0

    def drain(timeout: float) -> None:
        for key, _ in sel.select(timeout):
            data = os.read(key.fd, 65536)
            if key.data is None:  # the lifeline: nothing is ever written to it, so this is its end
                if not data:
                    raise ParentGone
            elif data:
                key.data.feed(data)
            else:
                sel.unregister(key.fileobj)

    def streams_open() -> bool:
        return any(key.data is not None for key in sel.get_map().values())

    while True:
        drain(poll_s)
        now = time.monotonic()
        for p in procs:
            if p.ended is None and p.popen.poll() is not None:
                p.ended = now
        if main.ended is not None:
            break
        if any(p.ended is not None and not p.learner for p in procs):
            break  # a trusted process (e.g. the grader's client) died: nothing left to measure
        if now - t0 > wall_s:
            timed_out = True
            break
        if now - last_poll >= poll_s:
            last_poll = now
            rss = _tree_rss(procs, trusted)
            peak_rss = max(peak_rss, rss)
            if rss > memory_limit:
                memory_exceeded = True
                break

    # Background processes (servers) get a polite SIGTERM first; then nothing survives.
    for p in procs:
        if p.popen.poll() is None and not p.main and not timed_out and not memory_exceeded:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(p.popen.pid, signal.SIGTERM)
    grace = time.monotonic() + float(plan.get("grace_s", 2.0))
    while time.monotonic() < grace and any(p.popen.poll() is None for p in procs if not p.main):
        drain(0.02)
    cpu_s = 0.0
    with contextlib.suppress(psutil.Error):
        t = psutil.Process().cpu_times()
        cpu_s = t.children_user + t.children_system
    leftovers = _kill_all()
    end_drain = time.monotonic() + 0.5
    while streams_open() and time.monotonic() < end_drain:
        drain(0.02)
    for p in procs:
        if p.popen.returncode is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.popen.wait(timeout=1)
        if p.ended is None:
            p.ended = time.monotonic()
    with contextlib.suppress(psutil.Error):
        t = psutil.Process().cpu_times()
        cpu_s = max(cpu_s, t.children_user + t.children_system)
    report: dict[str, Any] = {
        "network": network,
        "timed_out": timed_out,
        "memory_exceeded": memory_exceeded,
        "peak_rss": peak_rss,
        "cpu_s": cpu_s,
        "wall_s": time.monotonic() - t0,
        "leftovers_killed": leftovers,
        "processes": {},
    }
    for p in sorted(procs, key=lambda p: [s["name"] for s in plan["processes"]].index(p.name)):  # plan order
        rc = p.popen.returncode
        report["processes"][p.name] = {
            "returncode": rc if rc is None or rc >= 0 else None,
            "signal": -rc if rc is not None and rc < 0 else None,
            "stdout": p.stdout.text(),
            "stderr": p.stderr.text(),
            "output_bytes": p.stdout.total + p.stderr.total,
            "wall_s": (p.ended or time.monotonic()) - p.started,
        }
    return report


def main(warm: bool = False) -> None:
    """Run one plan from stdin. ``warm``: this process was forked by ``graders.zygote``; the plan
    comes in two lines, public then secret (see :func:`run`), and its parent is the zygote."""
    # SIGTERM — from the tracker stopping the run, or the parent-death signal — must still clean
    # up the children, not leave them running.
    def stop(signum: int, frame: object) -> None:
        _kill_all()
        os._exit(3)

    signal.signal(signal.SIGTERM, stop)
    tie_to_parent(None)  # armed first, so the window before the check below is as short as it can be
    make_undumpable()  # before the plan (and the run's key) is read: see graders.privileges
    keep_niceness()  # the sandbox started us in a new session
    line = read_line(LIFELINE_FD) if warm else sys.stdin.readline()
    if not line:  # the tracker died before it handed us a plan
        os._exit(3)
    plan = json.loads(line)
    if not tie_to_parent(plan.get("parent_pid")):
        os._exit(3)  # it died before the parent-death signal was armed; nothing is started yet

    def secrets() -> dict[str, Any]:
        text = read_line(LIFELINE_FD)
        if not text:
            raise ParentGone
        hidden: dict[str, Any] = json.loads(text)
        return hidden

    try:
        report = run(plan, lifeline=LIFELINE_FD, secrets=secrets if warm else None)
    except ParentGone:
        _kill_all()
        os._exit(3)
    sys.stdout.write(json.dumps(report) + "\n")
    sys.stdout.flush()


def warm_main() -> None:
    """The supervisor in a process ``graders.zygote`` forked (descriptors already in place)."""
    main(warm=True)


if __name__ == "__main__":
    main()
