"""Fixtures shared by the whole suite.

Every test runs offline: HF_HUB_OFFLINE is set here for this process and every child it starts.
Workspaces are scaffolded into tmp_path from the repository's own library.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import FIXED_TODAY

# The fake GitHub server (tests/fakes/github): `fake_github` / `fake_github_env` for any test folder.
pytest_plugins = ["tests.fakes.github.fixture"]

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Under pytest-xdist each worker gets its share of the cores for torch's thread pools (here and in
# every process a test starts: the sandbox passes these through). OpenMP threads spinning on a core
# another worker needs make a 45 s grade take minutes.
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if _WORKERS > 1:
    for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_var, str(max(1, (os.cpu_count() or 1) // _WORKERS)))
# Never let a developer's token reach a test (the sandbox tests plant their own fake one).
for _name in [n for n in os.environ if "TOKEN" in n.upper() or "SECRET" in n.upper()]:
    del os.environ[_name]


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Path]:
    """A fresh learner workspace (as `sprint init` makes it), started on FIXED_TODAY - 14 days."""
    from tracker.scaffold import scaffold

    root = tmp_path / "ws"
    scaffold(root, start=FIXED_TODAY - dt.timedelta(days=14))
    yield root


def _live_children() -> list[str]:
    import psutil

    out = []
    for child in psutil.Process(os.getpid()).children(recursive=True):
        try:
            # multiprocessing's resource tracker is the interpreter's own helper: it exits with us.
            if "multiprocessing.resource_tracker" in " ".join(child.cmdline()):
                continue
            if child.status() != psutil.STATUS_ZOMBIE:
                out.append(f"pid {child.pid}: {' '.join(child.cmdline())[:200]}")
        except psutil.Error:  # gone while we looked
            pass
    return out


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Tests stop every process they start: a child still alive at the end fails the run."""
    import sys
    import time

    if "graders.zygote" in sys.modules:  # a warm start's zygotes live as long as this process: end them, as exit would
        sys.modules["graders.zygote"].shutdown()
    deadline = time.monotonic() + 3.0  # processes told to stop may take a moment to go
    while (left := _live_children()) and time.monotonic() < deadline:
        time.sleep(0.1)
    if left:
        session.config.get_terminal_writer().line("processes started by the tests are still running:\n  "
                                                  + "\n  ".join(left), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
