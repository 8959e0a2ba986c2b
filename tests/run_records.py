"""The processes of a sandbox run, identified by PID from the test's own records (never by name).

Learner code made by :func:`endless_learner` / :func:`stubborn_server` appends ``{"role", "pid",
"ppid"}`` to a records file as it starts, and leaves a daemon behind (double fork + ``setsid``: outside the
process group, ignoring SIGTERM) that records itself too. :class:`RunProcesses` reads the records,
adds every descendant of the run's supervisor (the learner's parent), and remembers each process
with its start time, so a PID the kernel reuses later is never mistaken for — or killed as — one
of the run's.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

import psutil

_RECORDER = '''
import json as _json, os as _os, signal as _signal, time as _time


def _record(role):
    with open({records!r}, "a") as _f:
        _f.write(_json.dumps({{"role": role, "pid": _os.getpid(), "ppid": _os.getppid()}}) + "\\n")


def _leave_a_daemon():
    """Double fork + setsid: a grandchild outside our process group that ignores SIGTERM."""
    if _os.fork() == 0:
        _os.setsid()
        if _os.fork() == 0:
            _signal.signal(_signal.SIGTERM, _signal.SIG_IGN)
            _record("daemon")
            while True:
                _time.sleep(1)
        _os._exit(0)


_record("learner")
_leave_a_daemon()
'''


def endless_learner(records: Path) -> str:
    """A learner module that records itself, leaves a daemon, then loops forever at import."""
    return textwrap.dedent(_RECORDER.format(records=str(records))) + "\nwhile True:\n    pass\n"


def stubborn_server(records: Path) -> str:
    """A learner server that ignores SIGTERM, leaves a daemon, and accepts connections on
    ``OLLAMA_HOST`` (loopback) without ever answering."""
    return textwrap.dedent(_RECORDER.format(records=str(records))) + textwrap.dedent('''
        import socket
        _signal.signal(_signal.SIGTERM, _signal.SIG_IGN)
        _host, _, _port = _os.environ["OLLAMA_HOST"].rpartition(":")
        _server = socket.socket()
        _server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        _server.bind((_host, int(_port)))
        _server.listen(16)
        _held = []
        while True:
            _held.append(_server.accept()[0])
        ''')


class Record(TypedDict):
    role: str  # "learner" (a child of its run's supervisor) or "daemon"
    pid: int
    ppid: int


def read_records(records: Path) -> list[Record]:
    if not records.exists():
        return []
    return [json.loads(line) for line in records.read_text().splitlines() if line.endswith("}")]


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.02)


@dataclass
class RunProcesses:
    """Every process of the runs whose learners wrote to ``records``: pid → start time."""

    records: Path
    started: dict[int, float] = field(default_factory=dict)
    supervisors: set[int] = field(default_factory=set)

    def wait_for(self, count: int, timeout_s: float = 60.0) -> None:
        """Wait until ``count`` processes have recorded themselves, then note every process of their runs."""
        wait_until(lambda: len(read_records(self.records)) >= count, timeout_s,
                   f"{count} learner processes to start")
        self.collect()

    def collect(self) -> None:
        """Note the recorded processes, each learner's parent (its run's supervisor) and every
        descendant of those supervisors (from /proc: e.g. the grader's own client of a service)."""
        for rec in read_records(self.records):
            self._note(rec["pid"])
            if rec["role"] == "learner":
                self.supervisors.add(rec["ppid"])
        for pid in self.supervisors:
            self._note(pid)
            with contextlib.suppress(psutil.Error):
                for child in psutil.Process(pid).children(recursive=True):
                    self._note(child.pid)

    def _note(self, pid: int) -> None:
        with contextlib.suppress(psutil.Error):
            self.started.setdefault(pid, psutil.Process(pid).create_time())

    def alive(self) -> list[int]:
        """The run's processes still running (a zombie runs nothing: it counts as gone)."""
        out = []
        for pid, created in self.started.items():
            with contextlib.suppress(psutil.Error):
                proc = psutil.Process(pid)
                if proc.create_time() == created and proc.status() != psutil.STATUS_ZOMBIE:
                    out.append(pid)
        return out

    def gone_within(self, since: float, seconds: float) -> list[int]:
        """Wait until ``since + seconds`` (monotonic) at most; returns the processes still alive then."""
        while (left := self.alive()) and time.monotonic() < since + seconds:
            time.sleep(0.01)
        return left

    def kill_leftovers(self) -> None:
        """Cleanup, whatever the test found: SIGKILL whatever of the run is still alive."""
        for pid in self.alive():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

