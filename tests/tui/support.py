"""Helpers of the dashboard's tests: fixed dates, made-up attempts, a recorder for opened URLs."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import shutil
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from graders.contract import Check, GradeResult, Hardware
from tracker.db import connect
from tracker.ledger import Ledger
from tracker.roadmap.loader import load_roadmap
from tracker.sync.local import sync_local
from tracker.tui.app import DashApp
from tracker.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
START = dt.date(2026, 1, 5)
TODAY = dt.date(2026, 2, 20)  # week 7 of the plan
SIZE = (160, 48)


def run_async(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an ``async def`` test in its own event loop (no async pytest plugin needed)."""

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return wrapper


def solve_csv_to_json(ws: Workspace) -> None:
    """Put the reference solution in the learner's folder (so grading passes)."""
    shutil.copy(REPO / "exercises" / "csv-to-json" / ".meta" / "reference" / "data_loader.py",
                ws.exercise_dir("csv-to-json") / "data_loader.py")


def attempt(status: str, accuracy: float, runtime: float, n: int) -> GradeResult:
    """A made-up csv-to-json attempt with fixed values (no timing-dependent content)."""
    checks = [
        Check(name="accuracy", status="pass" if accuracy >= 1 else "fail", measured=accuracy,
              threshold=">= 100 %", display=f"{accuracy * 100:.0f} %",
              message="" if accuracy >= 1 else "3 of 40 generated CSVs differ: quoted newline in row 2"),
        Check(name="runtime", status="pass", measured=runtime, threshold="<= 10 s", display=f"{runtime:.2f} s"),
    ]
    return GradeResult(slug="csv-to-json", kind="function", status=status, checks=checks, seed=1000 + n,
                       profile="cpu", message="" if status == "pass" else "accuracy below the threshold",
                       started_at=dt.datetime(2026, 2, 10 + n, 9, 30, tzinfo=dt.UTC), duration_s=1.5 + n / 10,
                       hardware=Hardware(platform="test", cores=2), content_hash=f"sha256:{n:064x}")


def record_history(ws: Workspace, *, sync: bool = True) -> None:
    """Three csv-to-json attempts (fail, fail, pass) — gives P0 a history and puts it in Done."""
    conn = connect(ws.db_path)
    ledger = Ledger(conn)
    for n, (status, accuracy, runtime) in enumerate([("fail", 0.75, 0.9), ("fail", 0.925, 0.6),
                                                     ("pass", 1.0, 0.31)]):
        ledger.record(attempt(status, accuracy, runtime, n))
    if sync:
        sync_local(ws, load_roadmap(ws.roadmap_path), conn)
    conn.close()


class OpenedUrls(list[str]):
    """Stands in for ``App.open_url``: records the URLs instead of starting a browser."""

    def __call__(self, url: str, *, new_tab: bool = True) -> None:
        self.append(url)


def intercept_open_url(app: DashApp) -> OpenedUrls:
    opened = OpenedUrls()
    app.open_url = opened  # type: ignore[method-assign]
    return opened
