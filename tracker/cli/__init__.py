"""The ``sprint`` command line. One module per command group; no logic beyond parsing and printing.

Exit codes: 0 success, 1 a failed grade or check, 2 bad input (nothing changed); 128 + the signal's
number when Ctrl-C, SIGTERM or SIGHUP stopped it (130, 143, 129: ``tracker.stopping``).
"""

from __future__ import annotations

from tracker.cli.app import app, main

__all__ = ["app", "main"]
