"""tracker.stopping in this process: which handlers it sets, what it leaves alone, what it says.

(Real signals to a real `sprint`: tests/tracker/cli/test_stop_signals.py and tests/tui/test_stop_signals.py.)
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from graders.sandbox import resume_runs
from tracker import stopping


@pytest.fixture
def sighup_ignored() -> Iterator[None]:
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    yield
    signal.signal(signal.SIGHUP, previous)


def test_a_signal_ignored_on_entry_stays_ignored_and_the_others_come_back(sighup_ignored: None) -> None:
    """`nohup sprint grade` must survive the terminal closing, as it asked."""
    term_before = signal.getsignal(signal.SIGTERM)
    with stopping.stop_on_signals():
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
        assert getattr(signal.getsignal(signal.SIGTERM), "__module__", None) == "tracker.stopping"
    assert signal.getsignal(signal.SIGTERM) is term_before
    assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN


def test_a_stop_signal_raises_stopped_and_is_remembered_with_what_was_under_way() -> None:
    try:
        with pytest.raises(stopping.Stopped) as raised, stopping.stop_on_signals(), \
                stopping.under_way("grading csv-to-json"), stopping.under_way("an inner mark that does not count"):
            assert getattr(signal.getsignal(signal.SIGTERM), "__module__", None) == "tracker.stopping"  # or we die
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler raises here
            raise AssertionError("the handler did not raise")
    finally:
        resume_runs()  # the handler stopped this process's (absent) runs: let later tests run theirs
    assert raised.value.signum == signal.SIGTERM
    assert stopping.stopped_by() == signal.SIGTERM
    assert stopping.exit_code(signal.SIGTERM) == 143
    assert stopping.summary(signal.SIGTERM) == ("sprint: stopped by SIGTERM; ended grading csv-to-json "
                                                "(nothing of it was recorded)")
    with stopping.stop_on_signals():  # a new outermost scope starts clean
        assert stopping.stopped_by() is None
    assert stopping.summary(signal.SIGINT) == "sprint: stopped by SIGINT (Ctrl-C)"
