"""A run never outlives the process that started it, and a stop reaches runs in every thread.

The supervisor watches its parent two ways: a parent-death signal (Linux) and a lifeline (its
stdin: end-of-file means the tracker is gone), which is all macOS gets. Here the test plays the
tracker and closes the lifeline while staying alive, so only the lifeline can end the run. The
`sprint` tests (tests/tracker/cli/test_stop_signals.py) kill the real tracker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from graders.sandbox import Limits, ProcessSpec, RunsStopped, Sandbox, clean_env, resume_runs, stop_runs
from tests.run_records import RunProcesses, endless_learner, read_records, wait_until


def _plan(tmp_path: Path, records: Path, **extra: Any) -> dict[str, Any]:
    return {"network": "host", "wall_s": 60, "memory_bytes": 2_000_000_000, **extra,
            "processes": [{"name": "learner", "main": True, "learner": True, "cwd": str(tmp_path), "stdin": "",
                           "env": clean_env(home=tmp_path, tmp=tmp_path),
                           "argv": [sys.executable, "-c", endless_learner(records)]}]}


def _supervisor() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-I", "-m", "graders.supervisor"], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def test_the_supervisor_ends_its_run_when_its_lifeline_closes(tmp_path: Path) -> None:
    records = tmp_path / "pids.jsonl"
    run = RunProcesses(records)
    supervisor = _supervisor()
    assert supervisor.stdin is not None
    try:
        supervisor.stdin.write((json.dumps(_plan(tmp_path, records, parent_pid=os.getpid())) + "\n").encode())
        supervisor.stdin.flush()
        run.wait_for(2)
        assert run.supervisors == {supervisor.pid}
        t0 = time.monotonic()
        supervisor.stdin.close()  # what the kernel does to a tracker that died, however it died
        left = run.gone_within(t0, 1.0)
        assert not left, f"still alive 1 s after the lifeline closed: {left}"
        assert supervisor.wait(timeout=5) == 3
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
        supervisor.wait(timeout=10)
        for pipe in (supervisor.stdin, supervisor.stderr):
            if pipe is not None:
                pipe.close()
        run.kill_leftovers()


def test_a_supervisor_whose_parent_died_before_it_was_tied_starts_nothing(tmp_path: Path) -> None:
    """The parent-death signal is armed after the fork: a parent gone by then shows in getppid()."""
    records = tmp_path / "pids.jsonl"
    supervisor = _supervisor()
    try:
        not_our_parent = os.getpid() + 1_000_000  # above any pid: as if the tracker had died and we were re-parented
        out = supervisor.communicate((json.dumps(_plan(tmp_path, records, parent_pid=not_our_parent)) + "\n").encode(),
                                     timeout=20)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.communicate(timeout=10)
    assert supervisor.returncode == 3, out
    assert not records.exists(), "the learner's code ran"


def test_stop_runs_ends_the_runs_of_every_thread_and_refuses_new_ones(tmp_path: Path) -> None:
    records = tmp_path / "pids.jsonl"
    run = RunProcesses(records)
    sandbox = Sandbox(Limits(wall_s=60), network="host")
    raised: list[BaseException] = []

    def one_run(name: str) -> None:
        spec = ProcessSpec(name=name, argv=[sys.executable, "-c", endless_learner(records)], main=True)
        try:
            with sandbox.workdir() as work:
                sandbox.run([spec], workdir=work)
        except BaseException as exc:
            raised.append(exc)

    threads = [threading.Thread(target=one_run, args=(f"run{i}",)) for i in range(2)]
    try:
        for thread in threads:
            thread.start()
        run.wait_for(4)
        assert len(run.supervisors) == 2
        t0 = time.monotonic()
        assert stop_runs() == 2
        left = run.gone_within(t0, 1.0)
        assert not left, f"still alive 1 s after stop_runs(): {left}"
        for thread in threads:
            thread.join(timeout=10)
        assert len(raised) == 2 and all(isinstance(exc, RunsStopped) for exc in raised), raised
        with pytest.raises(RunsStopped), sandbox.workdir() as work:  # stopped: nothing new starts
            sandbox.run([ProcessSpec(name="late", argv=[sys.executable, "-c", endless_learner(records)],
                                     main=True)], workdir=work)
        assert len(read_records(records)) == 4
    finally:
        stop_runs()
        for thread in threads:
            thread.join(timeout=10)
        resume_runs()
        run.kill_leftovers()
    with sandbox.workdir() as work:  # resumed: runs work again
        outcome = sandbox.run([ProcessSpec(name="main", argv=[sys.executable, "-c", "print('ok')"], main=True)],
                              workdir=work)
    assert outcome.processes["main"].stdout.strip() == "ok"
    wait_until(lambda: not run.alive(), 1.0, "the run's processes to be gone")
