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

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Never let a developer's token reach a test (the sandbox tests plant their own fake one).
for _name in [n for n in os.environ if "TOKEN" in n.upper() or "SECRET" in n.upper()]:
    del os.environ[_name]

from tests.helpers import FIXED_TODAY


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Path]:
    """A fresh learner workspace (as `sprint init` makes it), started on FIXED_TODAY - 14 days."""
    from tracker.scaffold import scaffold

    root = tmp_path / "ws"
    scaffold(root, start=FIXED_TODAY - dt.timedelta(days=14))
    yield root

