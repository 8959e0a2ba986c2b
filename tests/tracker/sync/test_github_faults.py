"""Fault injection at every request: a crash or a lost answer anywhere, then a re-run, converges.

For each mode and **every** k from 1 to the number of requests of the fault-free run, request k
fails; the sync must end — within that run (it re-reads the board after an unknown outcome, never
replaying a create blindly) or at the latest after a re-run — in exactly the fault-free state
(``fake.snapshot()``), with zero duplicates, and the next run must be a no-op.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.github.server import FakeGitHub
from tests.helpers import FIXED_TODAY
from tests.tracker.sync.github_support import Learner, Sleeps, run
from tracker.errors import SprintError
from tracker.scaffold import scaffold

#: the modes the SPEC names (lost connection, a 502 hiding an applied create, a secondary limit) and the
#: connection lost *after* GitHub applied the request; primary_limit needs real waits and has its own test
MODES = ["drop", "502_after_apply", "secondary_limit", "drop_after_apply"]
#: the short runs (one status change) also try a 502 that was not applied
ALL_MODES = [*MODES, "502_before_apply"]

Phase = Callable[[FakeGitHub, Path], Any]


def _learner(tmp_path: Path, name: str) -> Learner:
    root = tmp_path / name
    scaffold(root, start=FIXED_TODAY - dt.timedelta(days=14))
    return Learner.open(root)


def _matrix(tmp_path: Path, mode: str, setup: list[tuple[Learner, str]], learner: Learner) -> int:
    """Run ``setup`` syncs fault-free, then ``learner``'s sync with request k failing, for every k."""

    def prepare(fake: FakeGitHub, k: int) -> None:
        for i, (other, _) in enumerate(setup):
            run(fake, other, cache=tmp_path / f"setup-{mode}-{k}-{i}.json", mirror_local=False)
        fake.counters.reset()

    with FakeGitHub() as fake:
        prepare(fake, 0)
        run(fake, learner, cache=tmp_path / f"ref-{mode}.json", mirror_local=False)
        reference, total = fake.snapshot(), fake.counters.requests
        fake.assert_clean()
    assert total > 0
    problems: list[str] = []
    for k in range(1, total + 1):
        cache = tmp_path / f"{mode}-{k}.json"
        with FakeGitHub() as fake:
            prepare(fake, k)
            fake.faults.fail_request(k, mode)
            sleeps = Sleeps()
            try:
                run(fake, learner, cache=cache, sleep=sleeps, mirror_local=False)
            except SprintError as exc:  # allowed: the re-run below must still converge
                problems.append(f"k={k}: the faulted run stopped ({type(exc).__name__}: {exc}) — re-running")
            fired = [f.mode.value for f in fake.faults.fired]
            if fired != [mode]:
                problems.append(f"k={k}: the fault did not fire ({fired})")
            again = run(fake, learner, cache=cache, mirror_local=False)  # the re-run: nothing left to do
            if fake.duplicates():
                problems.append(f"k={k}: duplicates {fake.duplicates()}")
            if (final := fake.snapshot()) != reference:
                problems.append(f"k={k}: the final state differs from the fault-free run: {_diff(reference, final)}")
            if again.actions:
                problems.append(f"k={k}: not settled, the re-run still did {[a.describe() for a in again.actions]}")
            if mode == "secondary_limit" and sleeps.waits[:1] != [1.0]:
                problems.append(f"k={k}: Retry-After was not honoured ({sleeps.waits})")
            fake.assert_clean()
    stopped = [p for p in problems if "stopped" in p]
    assert [p for p in problems if p not in stopped] == []
    assert stopped == [], "one fault must not stop a sync: it re-reads and goes on"
    return total


def _diff(want: Any, got: Any, path: str = "") -> str:
    """Where two snapshots differ (the first few places), for a readable failure."""
    if isinstance(want, dict) and isinstance(got, dict):
        keys = sorted(set(want) | set(got), key=str)
        parts = [_diff(want.get(k), got.get(k), f"{path}.{k}") for k in keys if want.get(k) != got.get(k)]
        return "; ".join(parts[:3])
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        parts = [_diff(a, b, f"{path}[{i}]") for i, (a, b) in enumerate(zip(want, got, strict=True)) if a != b]
        return "; ".join(parts[:3])
    return f"{path}: {str(want)[:160]!r} != {str(got)[:160]!r}"


@pytest.mark.parametrize("mode", MODES)
def test_first_sync_converges_after_a_fault_at_every_request(tmp_path: Path, mode: str) -> None:
    total = _matrix(tmp_path, mode, [], _learner(tmp_path, "ws"))
    assert total >= 30  # labels, milestones, project, every issue, the batched statuses


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Learner, Learner, Learner]:
    """Three workspaces: untouched, csv-to-json passing, and passing then regressed."""
    base = tmp_path_factory.mktemp("graded")
    pristine, done, regressed = (_learner(base, n) for n in ("pristine", "done", "regressed"))
    assert done.grade() == "pass"
    assert regressed.grade() == "pass" and regressed.grade(variant="cheat-split-on-commas") == "fail"
    return pristine, done, regressed


@pytest.mark.parametrize("mode", ALL_MODES)
def test_status_change_converges_after_a_fault_at_every_request(
        tmp_path: Path, mode: str, graded: tuple[Learner, Learner, Learner]) -> None:
    pristine, done, _ = graded
    assert _matrix(tmp_path, mode, [(pristine, "first")], done) >= 4  # list, project, comment, issue, status


@pytest.mark.parametrize("mode", ALL_MODES)
def test_regression_converges_after_a_fault_at_every_request(
        tmp_path: Path, mode: str, graded: tuple[Learner, Learner, Learner]) -> None:
    pristine, done, regressed = graded
    assert _matrix(tmp_path, mode, [(pristine, "first"), (done, "done")], regressed) >= 3
