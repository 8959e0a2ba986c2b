"""Hostile learner *servers*: whatever they do, no process and no listening socket outlives the run.

Each server carries a unique marker in its argv (kept by the processes it forks), records the ports
it listens on in a file, ignores SIGTERM, and leaves a daemon behind (double fork + setsid, so it
escapes the process group). After grading, no process with the marker may exist and none of the
recorded ports may accept a connection. Both with the run's own network namespace and without one
(``network="host"``: free ports on this machine's loopback). Traffic goes to loopback only.
"""

from __future__ import annotations

import json
import socket
import textwrap
import time
import uuid
from pathlib import Path

import psutil
import pytest

from graders.contract import GradeContext, GradeResult
from graders.kinds.service import ServerProcess, ServiceGrader, ServiceParams, run_with_servers
from graders.sandbox import Limits, ProcessSpec, Sandbox
from graders.thresholds import parse_threshold
from tests.helpers import LIBRARY_EXERCISES

pytestmark = pytest.mark.services

_PRELUDE = '''
import json, os, signal, socket, sys, threading, time

REPORT = {report!r}
signal.signal(signal.SIGTERM, signal.SIG_IGN)


def record(**data):
    with open(REPORT, "a") as f:
        f.write(json.dumps({{"pid": os.getpid(), **data}}) + "\\n")


def listen(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    record(port=s.getsockname()[1])
    return s


def answer_500(s):
    while True:
        conn, _ = s.accept()
        try:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.0 500 Internal Server Error\\r\\nContent-Length: 2\\r\\n\\r\\nno")
        finally:
            conn.close()


def hang(s):
    held = []
    while True:
        conn, _ = s.accept()
        held.append(conn)  # never answers


def daemon(then):
    """Double fork + setsid: a grandchild outside our process group, ignoring SIGTERM too."""
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            then()
            os._exit(0)
        os._exit(0)


PORT = int(os.environ["OLLAMA_HOST"].rpartition(":")[2])
record(started=True)
'''

_MODES = {
    # answers every request with 500, ignores SIGTERM, and leaves a daemon listening elsewhere
    "ignores-sigterm": '''
daemon(lambda: hang(listen(0)))
answer_500(listen(PORT))
''',
    # accepts connections on its port but never answers: never "ready"
    "never-ready": '''
daemon(lambda: hang(listen(0)))
hang(listen(PORT))
''',
    # the server process exits at once; the daemon it left serves the port (it is re-parented to the
    # sandbox's subreaper) and ignores SIGTERM
    "daemon-serves": '''
daemon(lambda: answer_500(listen(PORT)))
time.sleep(0.5)
sys.exit(0)
''',
}

# answers the readiness probe (GET /), then hangs on every API call
_SLOW_API = '''
def slow(s):
    while True:
        conn, _ = s.accept()
        first = conn.recv(65536)
        if first.startswith(b"GET / "):
            conn.sendall(b"HTTP/1.0 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok")
            conn.close()
        else:
            threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
            _held.append(conn)


_held = []
daemon(lambda: hang(listen(0)))
slow(listen(PORT))
'''



def _marked() -> dict[str, list[psutil.Process]]:
    found: dict[str, list[psutil.Process]] = {}
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info.get("cmdline") or [])
        if "--llm-sprint-test-marker=" in cmdline:
            marker = cmdline.split("--llm-sprint-test-marker=", 1)[1].split()[0]
            found.setdefault(marker, []).append(proc)
    return found


def _thresholds() -> dict[str, object]:
    return {"latency_p50": parse_threshold("<= 500 ms", "seconds"),
            "latency_p95": parse_threshold("<= 2 s", "seconds"),
            "throughput": parse_threshold(">= 2", "number")}


def _grade(folder: Path, marker: str, network: str, *, wall_s: float = 40) -> GradeResult:
    params = ServiceParams(command=["python", "server.py", f"--llm-sprint-test-marker={marker}"], ready_timeout=4,
                           request_timeout=3, concurrency=2, requests_per_client=2, tests_timeout=10)
    ctx = GradeContext(slug="ollama-service", params=params, thresholds=_thresholds(),  # type: ignore[arg-type]
                       profile="cpu", seed=3, learner_dir=folder, library_dir=LIBRARY_EXERCISES / "ollama-service",
                       sandbox=Sandbox(Limits(wall_s=wall_s, memory_bytes=2_000_000_000), network=network))  # type: ignore[arg-type]
    return ServiceGrader().grade(ctx)


def _refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except OSError:
        return True


def _assert_nothing_left(marker: str, report: Path, network: str) -> None:
    deadline = time.monotonic() + 3
    while _marked().get(marker) and time.monotonic() < deadline:  # the kernel may still be reaping
        time.sleep(0.05)
    left = _marked().get(marker, [])
    assert not left, f"processes survived the run: {[(p.pid, p.name()) for p in left]}"
    records = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
    ports = [r["port"] for r in records if "port" in r]
    assert ports, "the hostile server never got to listen"
    pids = {r["pid"] for r in records}
    assert len(pids) >= 2, "the daemon never started"  # the test would prove nothing
    for pid in pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    listening = [c for c in psutil.net_connections("tcp") if c.status == psutil.CONN_LISTEN and c.pid in pids]
    assert not listening, listening
    if network == "host":  # in a namespace the ports were never on this machine's loopback
        for port in ports:
            assert _refused(port), f"port {port} still accepts connections"


@pytest.mark.parametrize("network", ["loopback", "host"])
@pytest.mark.parametrize("mode", sorted(_MODES))
def test_no_server_process_or_socket_survives(tmp_path: Path, mode: str, network: str) -> None:
    folder = tmp_path / "learner"
    folder.mkdir()
    report = tmp_path / "report.jsonl"
    marker = uuid.uuid4().hex
    code = textwrap.dedent(_PRELUDE.format(report=str(report))) + textwrap.dedent(_MODES[mode])
    (folder / "server.py").write_text(code, encoding="utf-8")
    t0 = time.monotonic()
    result = _grade(folder, marker, network)
    elapsed = time.monotonic() - t0
    assert result.status in ("fail", "error"), result
    assert elapsed < 40, f"grading took {elapsed:.0f} s"
    if mode == "never-ready":
        assert "did not answer HTTP" in result.message and "within 4 s" in result.message, result.message
    else:
        assert result.check("list_models") is not None
        assert result.check("list_models").status == "fail"  # type: ignore[union-attr]
    _assert_nothing_left(marker, report, network)


def test_a_client_that_crashes_still_stops_the_server(tmp_path: Path) -> None:
    """Our own client failing (here: it cannot even load) must not leave the learner's server behind."""
    folder = tmp_path / "learner"
    folder.mkdir()
    report = tmp_path / "report.jsonl"
    marker = uuid.uuid4().hex
    code = textwrap.dedent(_PRELUDE.format(report=str(report))) + textwrap.dedent(_MODES["ignores-sigterm"])
    (folder / "server.py").write_text(code, encoding="utf-8")
    sandbox = Sandbox(Limits(wall_s=20, memory_bytes=2_000_000_000))
    server = ServerProcess(["python", "server.py", f"--llm-sprint-test-marker={marker}"],
                           {"OLLAMA_HOST": "127.0.0.1:11434"})
    with sandbox.workdir(folder) as work:
        run = run_with_servers(sandbox, work, servers=[server], client_entry="graders.kinds._servers:no_such_entry",
                               client_args={})
    assert run.internal_error
    deadline = time.monotonic() + 3
    while _marked().get(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _marked().get(marker)


def test_a_server_that_hangs_on_every_call_exhausts_the_budget_not_the_grader(tmp_path: Path) -> None:
    """Requests time out, the client stops at its budget, what was measured is kept, nothing survives."""
    folder = tmp_path / "learner"
    folder.mkdir()
    report = tmp_path / "report.jsonl"
    marker = uuid.uuid4().hex
    code = textwrap.dedent(_PRELUDE.format(report=str(report))) + textwrap.dedent(_SLOW_API)
    (folder / "server.py").write_text(code, encoding="utf-8")
    t0 = time.monotonic()
    result = _grade(folder, marker, "loopback", wall_s=20)
    assert time.monotonic() - t0 < 30
    assert result.status == "fail", result.message
    listed = result.check("list_models")
    assert listed is not None and listed.status == "fail" and "timed out" in listed.message
    assert any("time budget ran out" in c.message for c in result.checks), [c.message for c in result.checks]
    _assert_nothing_left(marker, report, "loopback")


def test_a_run_leaves_no_descriptor_for_the_garbage_collector_to_close(tmp_path: Path) -> None:
    """Regression: the result pipe's write end was closed twice and the run's selector was left to the
    garbage collector, which later closed a descriptor number by then reused — e.g. the next run's pipe
    (seen as ``OSError: [Errno 9] Bad file descriptor`` when grading several variants in one process)."""
    import gc
    import os

    sandbox = Sandbox(Limits(wall_s=20))
    with sandbox.workdir(tmp_path) as work:
        sandbox.run([ProcessSpec(name="main", argv=["python", "-c", "pass"], main=True)], workdir=work)
    r, w = os.pipe()  # takes the lowest free numbers: the ones the run used
    try:
        gc.collect()
        os.fstat(r)
        os.fstat(w)
        os.write(w, b"x")
        assert os.read(r, 1) == b"x"
    finally:
        os.close(r)
        os.close(w)
