"""Warm start: a trusted *zygote* that has imported the heavy libraries once and forks each run.

A learner worker or measurer that imports torch + transformers + peft spends ~5.5 s of CPU doing so,
in every run. With the warm start on (:func:`enabled`), the sandbox asks a zygote instead of
executing a fresh supervisor:

``python -I -m graders.zygote MODULES`` is started by the tracker (:class:`Zygote`, one per set of
preloaded modules and interpreter, for the life of the tracker's process), with the sandbox's clean
environment, non-dumpable, in its own session. It imports ``MODULES`` — imports only: it runs no
torch operation, so no intra-op thread pool exists to be broken by a fork — and then forks one
process per run, on request: that process becomes the run's **supervisor** (``graders.supervisor``,
:func:`graders.supervisor.warm_main`) with the descriptors the tracker sent over the control
socket, exactly where a freshly executed supervisor would have them. The supervisor reads the
*public* half of the plan (processes, limits; no key, no seed, no stdin), forks every process
named fork-able (``python -I -m <module>``) with :class:`ForkedPopen`, and only then reads the
*secret* half (each process's stdin: a harness's key and arguments). So:

* **the zygote holds no key, no answers and no seed**: nothing secret is ever sent to it; what it
  holds is its imports and the descriptors of requests it forwards (closed once forked);
* **every forked child's heap is the zygote's imports plus its run's public plan**, forked before
  the run's key or seed existed in any process it descends from;
* **every forked child is set up as a freshly executed one**: its own stdin/stdout/stderr pipes,
  only the descriptors it was given (every other one closed), the run's environment, working
  directory, signal dispositions and mask of a fresh interpreter, the same ``preexec`` (new
  session, CPU and core limits, parent-death signal, no capabilities, read-only ``/proc``), a
  learner process dumpable as after ``exec`` (so the measurer can read its ``/proc``) and a trusted
  one never dumpable, fresh random state (``random``, numpy's global generator), ``tempfile``'s
  directory forgotten, and the command line a fresh one would show;
* **it stays in the run's process tree**: the forked supervisor is the run's subreaper, network
  namespace and memory poller as before; the zygote itself dies with the tracker (its control
  socket is its lifeline; a parent-death signal too when started from the main thread), is
  ended by :func:`shutdown` (registered at exit), and ends by itself after ``IDLE_S`` with nothing
  to fork (the next warm run starts a new one).

If the zygote is gone or fails, the sandbox starts the run cold (:class:`ZygoteUnavailable`): a
grading run gives the same results with the warm start off. What a fresh process computes at import
time from its environment (a library's cache path derived from ``HOME``) is computed in the zygote
with its own private ``HOME``/``TMPDIR`` and the sandbox's clean environment, not the run's: a kind
whose processes set a variable a preloaded library reads at import (``OMP_NUM_THREADS``) in
``ProcessSpec.env`` must not preload that library. docs/threat-model.md lists what differs.

Standard library only (plus ``graders.privileges``): the supervisor imports it.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import runpy
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any, NoReturn

from graders.privileges import make_undumpable

__all__ = ["ENV_SWITCH", "ForkedPopen", "WarmProcess", "Zygote", "ZygoteUnavailable", "drop", "enabled",
           "fork_argv", "shutdown", "zygote_for"]

#: ``LLM_SPRINT_WARM_START=1`` turns the warm start on, ``0`` (or unset) leaves every run cold.
ENV_SWITCH = "LLM_SPRINT_WARM_START"
PR_SET_DUMPABLE = 4
PR_SET_PDEATHSIG = 1
_CMDLINE_ROOM = 160  # bytes of filler on the zygote's command line: room for a child's own
_READY_TIMEOUT_S = 600.0
_REQUEST_TIMEOUT_S = 30.0
IDLE_S = 600.0  # a zygote with nothing to fork for this long ends (a dashboard left open keeps no 0.5 GB)


class ZygoteUnavailable(Exception):
    """The zygote could not start or answer: the caller starts the run cold."""


def enabled(setting: bool | None = None) -> bool:
    """Whether runs start warm: ``setting`` when given, else the ``LLM_SPRINT_WARM_START`` switch."""
    if setting is not None:
        return setting
    return os.environ.get(ENV_SWITCH, "0").strip().lower() in ("1", "true", "yes", "on")


def fork_argv(argv: Sequence[str], python: str) -> list[str] | None:
    """``[module, *args]`` when ``argv`` is ``python -I -m module args…`` of the zygote's interpreter
    (the only command a forked child can stand for); None otherwise (that process starts cold)."""
    if len(argv) >= 4 and argv[0] == python and list(argv[1:3]) == ["-I", "-m"]:
        return [str(a) for a in argv[3:]]
    return None


# --- a forked child: made to look, from inside and outside, like a freshly executed interpreter ---


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _fresh_signals() -> None:
    """Dispositions of a fresh ``python`` (SIGPIPE and SIGXFSZ ignored, SIGINT → KeyboardInterrupt,
    everything else default) and an empty mask, whatever the zygote or supervisor had set."""
    for sig in signal.valid_signals():
        if sig in (signal.SIGKILL, signal.SIGSTOP):
            continue
        with contextlib.suppress(OSError, ValueError):
            signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def _close_all_but(keep: set[int]) -> None:
    for name in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else []:
        fd = int(name)
        if fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)


def _set_cmdline(argv: Sequence[str]) -> None:
    """Write ``argv`` over this process's command line (``/proc/<pid>/cmdline``, ``ps``), in the room
    the zygote's own command line left; cut if it does not fit. Best effort (Linux)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open("/proc/self/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        start, end = int(fields[45]), int(fields[46])  # arg_start, arg_end (fields 48, 49 of stat)
        text = b"\0".join(a.encode() for a in argv) + b"\0"
        room = end - start
        data = text[:room].ljust(room, b"\0")
        ctypes.memmove(start, data, room)


def _fresh_library_state() -> None:
    """What a library computed once and a forked child must not share with its siblings."""
    import random

    random.seed()  # CPython also does this after fork; repeated for clarity
    tempfile.tempdir = None  # recomputed from this run's TMPDIR on first use
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        with contextlib.suppress(Exception):
            numpy.random.seed()  # the legacy global generator is not reseeded after fork


def _become(argv: Sequence[str], env: Mapping[str, str], cwd: str, preexec: Callable[[], None] | None,
            learner: bool, go_fd: int | None) -> None:
    """Everything between fork and the module's first line, in a forked child (see the module)."""
    _fresh_signals()
    os.chdir(cwd)
    if preexec is not None:
        preexec()
    if sys.platform.startswith("linux"):
        # exec makes a learner process dumpable again; a trusted one stays closed from its first instant
        _libc().prctl(PR_SET_DUMPABLE, 1 if learner else 0, 0, 0, 0)
    os.environ.clear()
    os.environ.update(env)
    if go_fd is not None:  # a learner process waits until every trusted one has read its key
        ok = os.read(go_fd, 1)
        os.close(go_fd)
        if not ok:
            os._exit(125)
    _fresh_library_state()
    _set_cmdline(argv)


def run_as_main(module_argv: Sequence[str]) -> NoReturn:
    """Run ``python -m module args…`` in this (forked) process and exit with its status, never
    returning into the caller's frames."""
    code = 0
    try:
        sys.argv = ["-m", *module_argv[1:]]
        runpy.run_module(module_argv[0], run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


class ForkedPopen(subprocess.Popen[bytes]):
    """A ``subprocess.Popen`` whose child is forked from this process instead of executed: it runs
    ``python -I -m module args`` (``module_argv``) on the imports already here. Everything else is
    Popen's — pipes, ``poll``, ``wait``, signals. ``gated``: the child waits for :meth:`release`
    before its module starts (a learner process until every trusted one has read its key)."""

    def __init__(self, argv: Sequence[str], module_argv: Sequence[str], *, learner: bool, gated: bool,
                 **kwargs: Any) -> None:
        self._module_argv = list(module_argv)
        self._shown_argv = list(argv)
        self._learner = learner
        self._go: tuple[int, int] | None = os.pipe() if gated else None
        super().__init__(list(argv), **kwargs)

    def release(self) -> None:
        """Let a gated child start its module (idempotent)."""
        if self._go is not None:
            _, w = self._go
            with contextlib.suppress(OSError):
                os.write(w, b"g")
                os.close(w)
            self._go = None

    def _execute_child(self, args: Any, executable: Any, preexec_fn: Any, close_fds: Any, pass_fds: Any,
                       cwd: Any, env: Any, startupinfo: Any, creationflags: Any, shell: Any,
                       p2cread: int, p2cwrite: int, c2pread: int, c2pwrite: int, errread: int, errwrite: int,
                       *rest: Any) -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        go_read = self._go[0] if self._go is not None else None
        pid = os.fork()
        if pid == 0:  # the child: never returns
            try:
                for fd, target in ((p2cread, 0), (c2pwrite, 1), (errwrite, 2)):
                    if fd != -1:
                        os.dup2(fd, target)
                keep = {0, 1, 2, *pass_fds, *([go_read] if go_read is not None else [])}
                _close_all_but(keep)
                for fd in pass_fds:
                    os.set_inheritable(fd, True)
                _become(self._shown_argv, dict(env or {}), str(cwd or "."), preexec_fn, self._learner, go_read)
            except BaseException:
                with contextlib.suppress(Exception):
                    os.write(2, ("graders.zygote: could not set up the forked process:\n"
                                 + traceback.format_exc()).encode())
                os._exit(126)
            run_as_main(self._module_argv)
        self.pid = pid
        self._child_created = True
        for theirs in (p2cread, c2pwrite, errwrite, go_read):
            if theirs is not None and theirs != -1:
                with contextlib.suppress(OSError):
                    os.close(theirs)


# --- the zygote process ---


def _place_fds(fds: Sequence[int], targets: Sequence[int]) -> None:
    """Put received descriptor ``fds[i]`` at number ``targets[i]`` and close every other one."""
    base = max([*fds, *targets, 2]) + 1
    high = [int(__import__("fcntl").fcntl(fd, __import__("fcntl").F_DUPFD, base)) for fd in fds]
    _close_all_but(set(high))
    for fd, target in zip(high, targets, strict=True):
        os.dup2(fd, target)
        os.close(fd)


def _tracker_state(umask: int, limits: Mapping[str, Sequence[int]], nice: int) -> None:
    """The tracker's umask, resource limits and niceness at request time (the zygote inherited
    them when it started; a supervisor executed now would inherit today's)."""
    os.umask(umask)
    for name, (soft, hard) in limits.items():
        with contextlib.suppress(OSError, ValueError, AttributeError):
            resource.setrlimit(getattr(resource, name), (soft, hard))
    with contextlib.suppress(OSError):
        now = os.getpriority(os.PRIO_PROCESS, 0)
        if nice > now:
            os.setpriority(os.PRIO_PROCESS, 0, nice)


_RLIMITS = ("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_NOFILE",
            "RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_MEMLOCK")


def _current_umask() -> int:
    with contextlib.suppress(OSError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # not thread-safe, hence only without /proc
    os.umask(mask)
    return mask


def _spawn_supervisor(request: dict[str, Any], fds: list[int], python: str) -> int:
    """Fork the run's supervisor: descriptors placed as the tracker would have handed them."""
    stdin_r, stdout_w, stderr_w, _status_w, *handed = fds
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    pid = os.fork()
    if pid:
        return pid
    try:
        _place_fds([stdin_r, stdout_w, stderr_w, *handed], [0, 1, 2, *request["handed"]])
        os.setsid()
        _fresh_signals()
        _tracker_state(int(request["umask"]), request["rlimits"], int(request["nice"]))
        _set_cmdline([python, "-I", "-m", "graders.supervisor"])
        from graders.supervisor import warm_main

        warm_main()
        sys.stdout.flush()
        os._exit(0)
    except BaseException:
        with contextlib.suppress(Exception):
            os.write(2, ("graders.zygote: the forked supervisor failed:\n" + traceback.format_exc()).encode())
    os._exit(3)


def serve(sock: socket.socket, preload: Sequence[str]) -> None:
    """The zygote's life: import ``preload``, say so, then fork a supervisor per request until the
    control socket closes (the tracker is gone or done)."""
    import importlib

    try:
        # The supervisor each fork becomes, then what the runs' processes import.
        for name in ("graders.supervisor", *preload):
            importlib.import_module(name)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            _send(sock, {"error": f"importing {name}: {type(exc).__name__}: {exc}"})
        return
    threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else 1
    _send(sock, {"ready": True, "pid": os.getpid(), "threads": threads})
    children: dict[int, int] = {}  # supervisor pid → the descriptor its exit status is written to
    while True:
        readable, _, _ = select.select([sock], [], [], 0.05 if children else IDLE_S)
        if not readable and not children and not select.select([sock], [], [], 0)[0]:
            _remove_own_folder()  # idle: give the memory back; the tracker starts a new one when it needs one
            return
        for pid, status_fd in list(children.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                with contextlib.suppress(OSError):
                    os.write(status_fd, f"{status}\n".encode())
                os.close(status_fd)
                del children[pid]
        if not readable:
            continue
        try:
            data, fds, _, _ = socket.recv_fds(sock, 1 << 16, 64)
        except OSError:
            return
        if not data:
            _remove_own_folder()
            return
        try:
            request = json.loads(data)
            pid = _spawn_supervisor(request, fds, str(request["python"]))
        except Exception as exc:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            _send(sock, {"error": f"{type(exc).__name__}: {exc}"})
            continue
        children[pid] = fds[3]
        for fd in (*fds[:3], *fds[4:]):  # the run's descriptors are the supervisor's now
            os.close(fd)
        _send(sock, {"pid": pid})


def _remove_own_folder() -> None:
    """The tracker is gone or done: remove the private folder it made for us (our working directory)."""
    import shutil

    here = os.getcwd()
    if os.path.basename(here).startswith("llm-sprint-zygote-"):
        shutil.rmtree(here, ignore_errors=True)


def _send(sock: socket.socket, message: Mapping[str, Any]) -> None:
    sock.sendall(json.dumps(message).encode() + b"\n")


def main(argv: list[str]) -> int:
    """``python -I -m graders.zygote FD MODULES [FILLER]``: serve on control socket ``FD``."""
    make_undumpable()  # before anything else: no process of the learner's may look in or write here
    if len(argv) < 3 or not argv[1].isdigit():
        print("usage: python -I -m graders.zygote FD MODULE,MODULE,… [FILLER]", file=sys.stderr)
        return 2
    def end(signum: int, frame: object) -> None:  # the tracker died (parent-death signal) or stops us
        _remove_own_folder()
        os._exit(0)

    signal.signal(signal.SIGTERM, end)
    if sys.platform.startswith("linux") and os.environ.get("LLM_SPRINT_ZYGOTE_PDEATHSIG") == "1":
        _libc().prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    sock = socket.socket(fileno=int(argv[1]))
    os.set_inheritable(sock.fileno(), False)
    serve(sock, [m for m in argv[2].split(",") if m])
    return 0


# --- the tracker's side ---


class WarmProcess:
    """The tracker's handle on a supervisor the zygote forked: the subset of ``subprocess.Popen``
    the sandbox uses. Its exit status arrives from the zygote on a pipe; if the zygote dies first,
    the pipe ends without one and the supervisor is taken as failed (it is killed by its
    parent-death signal then)."""

    def __init__(self, pid: int, stdin: IO[bytes], stdout: IO[bytes], stderr: IO[bytes], status_fd: int,
                 parent_pid: int) -> None:
        self.pid = pid
        self.parent_pid = parent_pid  # the zygote
        self.stdin: IO[bytes] | None = stdin
        self.stdout: IO[bytes] | None = stdout
        self.stderr: IO[bytes] | None = stderr
        self.returncode: int | None = None
        self._status_fd = status_fd
        self._status = b""

    def _collect(self, timeout: float | None) -> int | None:
        if self.returncode is not None:
            return self.returncode
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            readable, _, _ = select.select([self._status_fd], [], [], left)
            if not readable:
                return None
            chunk = os.read(self._status_fd, 64)
            if chunk:
                self._status += chunk
                continue
            os.close(self._status_fd)
            text = self._status.decode().strip()
            self.returncode = os.waitstatus_to_exitcode(int(text)) if text.isdigit() else 255
            return self.returncode

    def poll(self) -> int | None:
        return self._collect(0.0)

    def wait(self, timeout: float | None = None) -> int:
        code = self._collect(timeout)
        if code is None:
            raise subprocess.TimeoutExpired(["graders.supervisor (warm)"], timeout or 0.0)
        return code

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.pid, sig)


class Zygote:
    """One zygote process (``python -I -m graders.zygote``), started here and ready to fork.

    ``env`` is its environment (the sandbox's clean environment, with its own private ``HOME`` and
    ``TMPDIR``). Blocks until the imports are done; :class:`ZygoteUnavailable` if they fail."""

    def __init__(self, python: str, preload: Sequence[str], env: Mapping[str, str], root: str) -> None:
        self.python = python
        self.preload = tuple(preload)
        self.root = root
        self._lock = threading.Lock()
        ours, theirs = socket.socketpair()
        self._sock = ours
        env = dict(env)
        if threading.current_thread() is threading.main_thread():
            # PDEATHSIG follows the thread that started the zygote: only the main thread lives as long as we do
            env["LLM_SPRINT_ZYGOTE_PDEATHSIG"] = "1"
        try:
            self.proc = subprocess.Popen(
                [python, "-I", "-m", "graders.zygote", str(theirs.fileno()), ",".join(self.preload),
                 "#" * _CMDLINE_ROOM],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),), env=env, cwd=root, start_new_session=True)
        except OSError as exc:
            ours.close()
            raise ZygoteUnavailable(f"could not start: {exc}") from None
        finally:
            theirs.close()
        self._buffer = b""
        ready = self._reply(_READY_TIMEOUT_S)
        if not ready.get("ready"):
            self.close()
            raise ZygoteUnavailable(str(ready.get("error", "it did not start")))
        self.pid = int(ready["pid"])
        self.threads = int(ready.get("threads", 0))

    def _reply(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            readable, _, _ = select.select([self._sock], [], [], max(0.0, left))
            if not readable:
                raise ZygoteUnavailable("it did not answer in time")
            chunk = self._sock.recv(1 << 16)
            if not chunk:
                raise ZygoteUnavailable("it is gone")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        message: dict[str, Any] = json.loads(line)
        return message

    def alive(self) -> bool:
        return self.proc.poll() is None

    def spawn_supervisor(self, handed: Sequence[int]) -> WarmProcess:
        """Fork a supervisor holding ``handed`` at the same numbers as here (the plan names them),
        with new pipes for its stdin (plan and lifeline), stdout (report) and stderr."""
        stdin_r, stdin_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        status_r, status_w = os.pipe()
        ours = [stdin_w, out_r, err_r, status_r]
        theirs = [stdin_r, out_w, err_w, status_w]
        request = {"python": self.python, "handed": list(handed), "umask": _current_umask(),
                   "rlimits": {name: list(resource.getrlimit(getattr(resource, name))) for name in _RLIMITS
                               if hasattr(resource, name)},
                   "nice": os.getpriority(os.PRIO_PROCESS, 0)}
        try:
            with self._lock:
                if not self.alive():
                    raise ZygoteUnavailable("it is gone")
                try:
                    socket.send_fds(self._sock, [json.dumps(request).encode()], [*theirs, *handed])
                except OSError as exc:
                    raise ZygoteUnavailable(f"it is gone ({exc})") from None
                reply = self._reply(_REQUEST_TIMEOUT_S)
            if "pid" not in reply:
                raise ZygoteUnavailable(str(reply.get("error", "no supervisor")))
        except BaseException:
            for fd in ours:
                os.close(fd)
            raise
        finally:
            for fd in theirs:
                os.close(fd)
        global forked_supervisors
        forked_supervisors += 1
        return WarmProcess(int(reply["pid"]), os.fdopen(stdin_w, "wb"), os.fdopen(out_r, "rb"),
                           os.fdopen(err_r, "rb"), status_r, self.pid)

    def close(self) -> None:
        """End the zygote (closing its control socket is its end) and remove its folder."""
        with contextlib.suppress(OSError):
            self._sock.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        import shutil

        shutil.rmtree(self.root, ignore_errors=True)


#: How many supervisors this process's zygotes forked (tests check that a warm run was warm).
forked_supervisors = 0
_pool: dict[tuple[str, tuple[str, ...]], Zygote] = {}
_failed: set[tuple[str, tuple[str, ...]]] = set()
_pool_lock = threading.Lock()


def zygote_for(python: str, preload: Sequence[str], env_for: Callable[[str, str], Mapping[str, str]]) -> Zygote:
    """This process's zygote for ``python`` and ``preload``, started on first use (``env_for(home,
    tmp)`` gives its environment). One that died is replaced; one whose imports failed is not
    retried: :class:`ZygoteUnavailable`."""
    key = (python, tuple(preload))
    with _pool_lock:
        if key in _failed:
            raise ZygoteUnavailable("its imports failed earlier in this process")
        zygote = _pool.get(key)
        if zygote is not None and zygote.alive():
            return zygote
        if zygote is not None:
            zygote.close()
            del _pool[key]
        root = tempfile.mkdtemp(prefix="llm-sprint-zygote-")
        os.mkdir(os.path.join(root, "home"))
        os.mkdir(os.path.join(root, "tmp"))
        try:
            zygote = Zygote(python, preload, env_for(os.path.join(root, "home"), os.path.join(root, "tmp")), root)
        except ZygoteUnavailable:
            _failed.add(key)
            import shutil

            shutil.rmtree(root, ignore_errors=True)
            raise
        if not _pool:
            import atexit

            atexit.register(shutdown)  # idempotent: shutdown() of an empty pool does nothing
        _pool[key] = zygote
        return zygote


def drop(zygote: Zygote) -> None:
    """Forget and end ``zygote`` (it failed a request: stopped, or gone); the next warm run starts a new one."""
    with _pool_lock:
        for key, known in list(_pool.items()):
            if known is zygote:
                del _pool[key]
    with contextlib.suppress(OSError):
        zygote.proc.kill()
    zygote.close()


def shutdown() -> None:
    """End every zygote of this process (at exit, and for tests that stop what they start)."""
    with _pool_lock:
        zygotes = list(_pool.values())
        _pool.clear()
        _failed.clear()
    for zygote in zygotes:
        zygote.close()


if __name__ == "__main__":
    # One module, whatever the name: the forked supervisor imports graders.zygote (ForkedPopen).
    sys.modules.setdefault("graders.zygote", sys.modules["__main__"])
    os._exit(main(sys.argv))
