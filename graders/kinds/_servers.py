"""Helpers shared by the kinds that grade a learner's *server* (``service``, ``mcp``).

Used on both sides of the sandbox, so it imports only the standard library and psutil:

* parent side — :func:`pick_ports` chooses the loopback ports of a run: the conventional ones
  (``11434`` for Ollama, ``8000`` for MCP) when the run gets its own network namespace (ports are
  private there), free ports of the host's loopback otherwise;
* child side (the grader's trusted client, running in the same sandbox run as the server) —
  :func:`wait_ready` polls the server until it answers HTTP, :func:`server_alive` notices a server
  that died, :func:`run_learner` runs a learner command (their own tests, an MCP stdio server)
  under the learner limits, :class:`RecordingProxy` sees which requests the learner's tests sent.

``python -I -m graders.kinds._servers exec [--cpu S] -- ARGV…`` is the small launcher used for
learner processes that the trusted client starts itself: it puts the process in its own session,
applies the CPU-time and core-dump limits and ``PDEATHSIG``, then ``exec``s ``ARGV``. The
supervisor still counts their memory and kills them at the end of the run (it is a subreaper).
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import math
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "LearnerRun",
    "RecordingProxy",
    "free_port",
    "limited_argv",
    "network_isolated",
    "percentile",
    "pick_ports",
    "run_learner",
    "server_alive",
    "tail",
    "wait_ready",
]

LOOPBACK = "127.0.0.1"
_PR_SET_PDEATHSIG = 1


# --- parent side ------------------------------------------------------------------------------


@cache
def network_isolated() -> bool:
    """True when the sandbox's supervisor can give a run its own network namespace here.

    Probed once per process, the same way the supervisor does it (in a throwaway child).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        probe = subprocess.run(
            [sys.executable, "-I", "-c", "from graders.supervisor import isolate_network; print(isolate_network())"],
            capture_output=True, text=True, timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0 and probe.stdout.startswith("isolated:") and "could not" not in probe.stdout


def free_port() -> int:
    """A TCP port that is free on the loopback right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def pick_ports(preferred: Sequence[int], *, isolated: bool) -> list[int]:
    """The conventional ports inside a private network namespace, else distinct free ports."""
    if isolated:
        return list(preferred)
    ports: list[int] = []
    while len(ports) < len(preferred):
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


# --- child side: readiness ---------------------------------------------------------------------


def http_status(host: str, port: int, path: str, timeout: float) -> int | None:
    """The status code of ``GET path``, or None when nothing answered HTTP in time."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": "*/*"})
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def server_alive() -> bool:
    """True while a process started beside us (the learner's server) is still running.

    The trusted client and the learner's server are both children of the sandbox's supervisor,
    which is a subreaper: a server that daemonised itself is re-parented there and still counts.
    """
    try:
        parent = psutil_process(os.getppid())
        siblings = [c for c in parent.children() if c.pid != os.getpid()]
    except Exception:
        return True  # cannot tell: let the readiness timeout decide
    for proc in siblings:
        with contextlib.suppress(Exception):
            if proc.status() != "zombie":
                return True
    return False


def psutil_process(pid: int) -> Any:
    import psutil

    return psutil.Process(pid)


@dataclass
class Readiness:
    ready: bool
    seconds: float
    reason: str = ""  # "exited" | "timeout" when not ready
    status: int | None = None


def wait_ready(host: str, port: int, path: str, timeout: float, *,
               alive: Callable[[], bool] = server_alive) -> Readiness:
    """Poll ``http://host:port/path`` until any HTTP answer, the server's death, or ``timeout``."""
    t0 = time.monotonic()
    deadline = t0 + timeout
    while True:
        now = time.monotonic()
        if now >= deadline:
            return Readiness(False, now - t0, "timeout")
        try:
            with socket.create_connection((host, port), timeout=1.0):
                pass
        except OSError:
            if not alive():
                return Readiness(False, time.monotonic() - t0, "exited")
            time.sleep(0.1)
            continue
        status = http_status(host, port, path, timeout=max(0.5, min(5.0, deadline - time.monotonic())))
        if status is not None:
            return Readiness(True, time.monotonic() - t0, status=status)
        if not alive():
            return Readiness(False, time.monotonic() - t0, "exited")
        time.sleep(0.1)


# --- child side: learner commands ---------------------------------------------------------------


def limited_argv(argv: Sequence[str], *, cpu_s: float | None = None) -> list[str]:
    """``argv`` run through our launcher: own session, CPU-time limit, no core dumps, PDEATHSIG."""
    head = [sys.executable, "-I", "-m", "graders.kinds._servers", "exec"]
    if cpu_s:
        head += ["--cpu", str(int(max(1, cpu_s)))]
    return [*head, "--", *argv]


@dataclass
class LearnerRun:
    argv: list[str]
    returncode: int | None
    output: str
    seconds: float
    timed_out: bool = False
    missing: str = ""  # the executable that could not be started, if any

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and not self.missing


def run_learner(argv: Sequence[str], *, cwd: str, env: Mapping[str, str], timeout: float,
                cpu_s: float | None = None, output_limit: int = 16_000) -> LearnerRun:
    """Run a learner command to completion (or ``timeout``); its whole process group is killed after.

    Output goes to a file, not a pipe, so a background process holding the pipe open cannot hang us.
    """
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as out:
        try:
            proc = subprocess.Popen(limited_argv(argv, cpu_s=cpu_s), cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT)
        except OSError as exc:
            return LearnerRun(list(argv), None, str(exc), 0.0, missing=str(argv[0]))
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        out.seek(0)
        data = out.read()
    text = data.decode("utf-8", "replace")
    missing = ""
    if proc.returncode == 127 and "launcher: cannot run" in text:
        missing = str(argv[0])
    return LearnerRun(list(argv), proc.returncode, tail(text, output_limit), time.monotonic() - t0,
                      timed_out=timed_out, missing=missing)


def tail(text: str, limit: int) -> str:
    """The head and tail of ``text`` when it is longer than ``limit`` characters."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n… [{len(text) - limit} characters cut] …\n{text[-half:]}"


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) with linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# --- child side: a recording reverse proxy ------------------------------------------------------

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
               "transfer-encoding", "upgrade", "content-length", "host"}


@dataclass
class RecordingProxy:
    """A loopback reverse proxy in front of the learner's server that records every request.

    The learner's own tests are pointed at it, so the grader can tell tests that talk to the server
    from tests that talk to nothing. Responses are streamed through unchanged (HTTP/1.0 framing:
    the body ends when the connection closes), so streaming endpoints still stream.
    """

    upstream_port: int
    upstream_host: str = LOOPBACK
    timeout: float = 60.0
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    @contextlib.contextmanager
    def running(self) -> Iterator[RecordingProxy]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length > 0 else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                conn = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=proxy.timeout)
                status = 502
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    status = resp.status
                    self.send_response(resp.status, resp.reason)
                    for key, value in resp.getheaders():
                        if key.lower() not in _HOP_BY_HOP:
                            self.send_header(key, value)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    while chunk := resp.read1(65536):
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except (OSError, http.client.HTTPException) as exc:
                    with contextlib.suppress(OSError):
                        self.send_error(502, f"the grader's proxy could not reach your server: {exc}")
                finally:
                    conn.close()
                    path = self.path.split("?", 1)[0]
                    proxy.requests.append((self.command, path, status))

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _forward

        server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        server.daemon_threads = True
        self._server = server
        self.port = int(server.server_address[1])
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()

    def endpoints(self) -> set[str]:
        return {path for _, path, _ in self.requests}


# --- the launcher ----------------------------------------------------------------------------


def _launch(argv: list[str]) -> int:
    cpu_s: int | None = None
    while argv and argv[0] != "--":
        opt = argv.pop(0)
        if opt == "--cpu" and argv:
            cpu_s = int(argv.pop(0))
        else:
            sys.stderr.write(f"launcher: unknown option {opt!r}\n")
            return 2
    if not argv or len(argv) < 2:
        sys.stderr.write("launcher: usage: exec [--cpu S] -- ARGV...\n")
        return 2
    target = argv[1:]
    with contextlib.suppress(OSError):
        os.setsid()  # already a session leader when our caller asked for a new session
    from graders.supervisor import keep_niceness

    keep_niceness()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if cpu_s:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 2))
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    sys.stdout.flush()
    try:
        os.execvp(target[0], target)
    except OSError as exc:
        sys.stderr.write(f"launcher: cannot run {target[0]!r}: {exc.strerror}\n")
        return 127
    return 0  # pragma: no cover - execvp does not return


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["exec"]:
        return _launch(args[1:])
    sys.stderr.write("usage: python -m graders.kinds._servers exec [--cpu S] -- ARGV...\n")
    return 2


if __name__ == "__main__":
    sys.exit(main())
