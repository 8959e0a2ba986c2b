"""Stopping `sprint` stops everything it started: SIGTERM and SIGHUP as Ctrl-C does, SIGKILL too.

Each test starts a real `sprint` on learner code that never ends and leaves a daemon behind
(``tests/run_records.py``: the processes record their PIDs), ends `sprint` with a signal once the
run is under way, and finds no process of the run alive one second after the signal. A signal
`sprint` can handle also gives the exit status shells expect, one line saying what was stopped,
and no attempt in the ledger; after any of them the ledger reopens intact.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from tests.helpers import FIXED_TODAY, REPO
from tests.run_records import RunProcesses, endless_learner, stubborn_server
from tracker.db import connect
from tracker.ledger import Ledger
from tracker.workspace import Workspace

HANDLED = {signal.SIGTERM: 143, signal.SIGHUP: 129, signal.SIGINT: 130}
ENDINGS = [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL]


@contextmanager
def sprint_running(*args: str, records: Path, cwd: Path | None = None,
                   env: dict[str, str] | None = None) -> Iterator[tuple[subprocess.Popen[str], RunProcesses]]:
    """A `sprint` process and the record of its runs' processes; whatever happens, both end."""
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "SPRINT_TODAY": FIXED_TODAY.isoformat(),
                "SPRINT_PROFILE": "cpu", **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "tracker", *args], cwd=cwd, env=full_env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    run = RunProcesses(records)
    try:
        yield proc, run
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)
        run.collect()
        run.kill_leftovers()


def end_sprint(proc: subprocess.Popen[str], run: RunProcesses, sig: signal.Signals) -> str:
    """Send ``sig`` to `sprint`; assert that no process of its runs is alive 1 s later; its stderr."""
    assert run.supervisors, "no run was recorded: the test would prove nothing"
    for supervisor in run.supervisors:  # the learners' parents are this sprint's supervisors
        parent = psutil.Process(supervisor).ppid()  # sprint, or (warm start) sprint's zygote
        assert parent == proc.pid or psutil.Process(parent).ppid() == proc.pid
    assert len(run.started) > 2 * len(run.supervisors), "each run has a supervisor, a learner and a daemon"
    t0 = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    left = run.gone_within(t0, 1.0)
    assert not left, f"still alive 1 s after {sig.name}: {left} (of {sorted(run.started)})"
    if sig in HANDLED:
        assert proc.returncode == HANDLED[sig], err
    else:
        assert proc.returncode == -sig
    return err


def assert_ledger_intact_and_empty(ws: Path) -> None:
    conn = connect(Workspace(ws).db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert Ledger(conn).count() == 0, "an interrupted attempt was recorded"
    finally:
        conn.close()


@pytest.mark.parametrize("start", ["cold", "warm"])
@pytest.mark.parametrize("sig", ENDINGS, ids=lambda s: s.name)
def test_ending_sprint_grade_ends_an_endless_learner_loop(workspace: Path, tmp_path: Path,
                                                          sig: signal.Signals, start: str) -> None:
    """Cold, and warm (graders.zygote): the zygote and the supervisor it forked end with sprint too."""
    records = tmp_path / "pids.jsonl"
    (workspace / "exercises" / "csv-to-json" / "data_loader.py").write_text(endless_learner(records))
    with sprint_running("grade", "csv-to-json", records=records, cwd=workspace,
                        env={"LLM_SPRINT_WARM_START": "1" if start == "warm" else "0"}) as (proc, run):
        run.wait_for(2)
        zygotes = [c for c in psutil.Process(proc.pid).children() if "graders.zygote" in " ".join(c.cmdline())]
        assert len(zygotes) == (start == "warm")
        err = end_sprint(proc, run, sig)
        assert not [z for z in zygotes if z.is_running() and z.status() != psutil.STATUS_ZOMBIE]
    if sig in HANDLED:
        assert err.splitlines()[-1] == (f"sprint: stopped by {sig.name}; ended grading csv-to-json "
                                        "(nothing of it was recorded)")
    assert_ledger_intact_and_empty(workspace)


@pytest.mark.services
@pytest.mark.parametrize("sig", ENDINGS, ids=lambda s: s.name)
def test_ending_sprint_grade_ends_a_server_that_ignores_sigterm(workspace: Path, tmp_path: Path,
                                                                sig: signal.Signals) -> None:
    records = tmp_path / "pids.jsonl"
    (workspace / "exercises" / "ollama-service" / "server.py").write_text(stubborn_server(records))
    with sprint_running("grade", "ollama-service", records=records, cwd=workspace) as (proc, run):
        run.wait_for(2)
        assert len(run.started) >= 4, "the grader's client runs beside the server"
        err = end_sprint(proc, run, sig)
    if sig in HANDLED:
        assert err.splitlines()[-1] == (f"sprint: stopped by {sig.name}; ended grading ollama-service "
                                        "(nothing of it was recorded)")
    assert_ledger_intact_and_empty(workspace)


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name)
def test_ending_sprint_watch_ends_its_grade(workspace: Path, tmp_path: Path, sig: signal.Signals) -> None:
    records = tmp_path / "pids.jsonl"
    (workspace / "exercises" / "csv-to-json" / "data_loader.py").write_text(endless_learner(records))
    with sprint_running("watch", "csv-to-json", records=records, cwd=workspace) as (proc, run):
        run.wait_for(2)
        err = end_sprint(proc, run, sig)
    assert err.splitlines()[-1].startswith(f"sprint: stopped by {sig.name}")
    assert_ledger_intact_and_empty(workspace)


@pytest.fixture
def endless_library(tmp_path: Path) -> Path:
    """A library of one untimed exercise (so `--jobs` runs its variants side by side) whose
    starter and reference both loop forever."""
    library = tmp_path / "library"
    exercise = library / "exercises" / "linear-regression"
    (exercise / ".meta" / "reference").mkdir(parents=True)
    shutil.copy(REPO / "roadmap.yaml", library / "roadmap.yaml")
    records = tmp_path / "pids.jsonl"
    (exercise / "README.md").write_text("# never ends\n")
    (exercise / "train.py").write_text(endless_learner(records))
    (exercise / ".meta" / "reference" / "train.py").write_text(endless_learner(records))
    (exercise / ".meta" / "config.yaml").write_text("files: [train.py]\nreference: reference/\n")
    return library


@pytest.mark.parametrize("sig", ENDINGS, ids=lambda s: s.name)
def test_ending_sprint_dev_check_jobs_ends_every_variant_under_way(endless_library: Path, tmp_path: Path,
                                                                   sig: signal.Signals) -> None:
    records = tmp_path / "pids.jsonl"
    with sprint_running("dev", "check", "--jobs", "2", records=records, cwd=tmp_path,
                        env={"LLM_SPRINT_LIBRARY": str(endless_library)}) as (proc, run):
        run.wait_for(4)  # both variants: two learners, two daemons
        assert len(run.supervisors) == 2
        err = end_sprint(proc, run, sig)
    if sig in HANDLED:
        assert err.splitlines()[-1] == (f"sprint: stopped by {sig.name}; ended checking linear-regression reference, "
                                        "checking linear-regression starter (nothing of them was recorded)")
