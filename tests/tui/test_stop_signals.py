"""A stop signal while the dashboard grades (``g``) ends the run, records nothing and quits the app.

The signal is sent to this very process while the app runs under Pilot: the dashboard's handler
(``tracker.stopping``) is installed while it is mounted, and the test checks it is the one in place
before sending anything. The run's processes are identified by PID (``tests/run_records.py``).
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graders.sandbox import resume_runs
from tests.run_records import RunProcesses, endless_learner, read_records
from tests.tui.support import SIZE, run_async
from tracker.db import connect
from tracker.ledger import Ledger
from tracker.tui.app import DashApp
from tracker.workspace import Workspace

MakeApp = Callable[[Workspace], DashApp]


@pytest.fixture
def runs_resumed() -> Iterator[None]:
    """The stop is process-wide (it is meant to end the process): this one carries on testing."""
    yield
    resume_runs()


async def _until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
@run_async
async def test_a_stop_signal_while_grading_ends_the_run_records_nothing_and_quits(
        workspace: Workspace, make_app: MakeApp, tmp_path: Path, runs_resumed: None, sig: signal.Signals) -> None:
    records = tmp_path / "pids.jsonl"
    (workspace.exercise_dir("csv-to-json") / "data_loader.py").write_text(endless_learner(records))
    run = RunProcesses(records)
    app = make_app(workspace)
    previous = signal.getsignal(sig)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("right", "g")
            assert app.grading
            await _until(lambda: len(read_records(records)) >= 2, 60, "the learner's code to start")
            run.collect()
            assert run.supervisors and len(run.started) >= 3
            assert getattr(signal.getsignal(sig), "__module__", None) == "tracker.stopping"  # or we would die
            t0 = time.monotonic()
            os.kill(os.getpid(), sig)
            await _until(lambda: not app.is_running, 10, "the app to quit")
        left = run.gone_within(t0, 1.0)
        assert not left, f"still alive 1 s after {sig.name}: {left}"
        assert app.stopped_by == sig and app.return_code == 128 + sig
        assert signal.getsignal(sig) is previous  # the app put back what it replaced
        conn = connect(workspace.db_path)
        try:
            assert Ledger(conn).count() == 0, "the interrupted attempt was recorded"
        finally:
            conn.close()
    finally:
        run.collect()
        run.kill_leftovers()
