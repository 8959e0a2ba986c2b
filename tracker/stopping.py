"""Stopping ``sprint``: Ctrl-C, SIGTERM and SIGHUP end every sandbox run first, then the command.

The one place where the commands that grade — ``sprint grade``, ``watch``, ``dev check --jobs N``
and the dashboard's grading worker — handle what a terminal (Ctrl-C, or SIGHUP when it closes),
``timeout``, systemd or a CI runner's cancel sends. The CLI's entry point enters
:func:`stop_on_signals` around every command; the dashboard enters it again while it runs, with
its own ``then``. When SIGINT, SIGTERM or SIGHUP arrives:

1. every sandbox run of this process ends, in every thread (:func:`graders.sandbox.stop_runs`):
   each raises :class:`graders.sandbox.RunsStopped`, so its attempt is never recorded;
2. the work marked with :func:`under_way` at that moment is noted for :func:`summary`;
3. ``then(signum)`` runs — by default :class:`Stopped` (a ``KeyboardInterrupt``) is raised in the
   main thread, so the command unwinds as on Ctrl-C: an open ledger transaction rolls back.

The entry point then prints :func:`summary` (one line) and exits with :func:`exit_code` — 130,
143, 129 — as shells expect. A process killed outright (SIGKILL) runs none of this; its runs end
anyway, because every supervisor watches the tracker (``graders.supervisor``).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

__all__ = ["STOP_SIGNALS", "Stopped", "exit_code", "stop_on_signals", "stopped_by", "summary", "under_way"]

STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    sig for sig in (signal.SIGINT, getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if sig)

_depth = 0  # nesting of stop_on_signals(); the outermost one starts with a clean slate
_received: int | None = None
_ended: list[str] = []  # what was under way when the first stop signal arrived
_under_way: dict[int, str] = {}  # thread id → its outermost mark


class Stopped(KeyboardInterrupt):
    """Raised in the main thread by a stop signal, as Ctrl-C raises ``KeyboardInterrupt``."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def exit_code(signum: int) -> int:
    """The exit status shells expect of a command a signal stopped: 128 + its number."""
    return 128 + signum


def stopped_by() -> int | None:
    """The first stop signal received inside the current (or last) :func:`stop_on_signals`."""
    return _received


def summary(signum: int) -> str:
    """The one line saying what was stopped, e.g. ``sprint: stopped by SIGTERM; ended grading
    csv-to-json (nothing of it was recorded)``."""
    name = signal.Signals(signum).name + (" (Ctrl-C)" if signum == signal.SIGINT else "")
    if not _ended:
        return f"sprint: stopped by {name}"
    it = "it" if len(_ended) == 1 else "them"
    return f"sprint: stopped by {name}; ended {', '.join(_ended)} (nothing of {it} was recorded)"


@contextlib.contextmanager
def under_way(label: str) -> Iterator[None]:
    """Mark what this thread's sandbox runs are for (``grading csv-to-json``), for :func:`summary`.

    Only a thread's outermost mark counts, so a caller may name its work better than a callee.
    """
    key = threading.get_ident()
    if key in _under_way:
        yield
        return
    _under_way[key] = label
    try:
        yield
    finally:
        _under_way.pop(key, None)


def _raise(signum: int) -> None:
    raise Stopped(signum)


def _on_signal(then: Callable[[int], object], signum: int) -> None:
    global _received, _ended
    if _received is None:
        _received = signum
        _ended = sorted(_under_way.values())  # one C call: safe against threads changing the dict
    # No import here (a signal handler must not take the import lock); no run exists before the
    # sandbox module is loaded anyway, and importing it would cost every command ~0.1 s.
    sandbox = sys.modules.get("graders.sandbox")
    if sandbox is not None:
        sandbox.stop_runs()
    then(signum)


@contextlib.contextmanager
def stop_on_signals(then: Callable[[int], object] | None = None) -> Iterator[None]:
    """Within: SIGINT, SIGTERM and SIGHUP end every sandbox run of this process, then ``then(signum)``.

    ``then`` runs inside the signal handler, in the main thread; by default it raises
    :class:`Stopped`. A signal that is ignored on entry (``nohup``, a background job's SIGINT)
    stays ignored. Outside the main thread (where Python cannot set handlers) this does nothing.
    The previous handlers come back on exit; :func:`stopped_by` keeps its answer until the next
    outermost entry.
    """
    global _depth, _received, _ended
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if _depth == 0:
        _received, _ended = None, []
    def handler(signum: int, frame: FrameType | None) -> None:
        _on_signal(then or _raise, signum)

    previous: dict[signal.Signals, Callable[[int, FrameType | None], Any] | int] = {}
    for sig in STOP_SIGNALS:
        current = signal.getsignal(sig)
        if current == signal.SIG_IGN:
            continue
        previous[sig] = signal.SIG_DFL if current is None else current
        signal.signal(sig, handler)
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        for sig, old in previous.items():
            signal.signal(sig, old)

