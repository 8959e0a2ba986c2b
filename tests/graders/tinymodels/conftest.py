"""Fixtures for the tiny-model kit: a private cache per test, one TEST_RECIPE build per session."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from graders.tinymodels import TEST_RECIPE, BuiltModel, build

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test may touch the user's real cache or reach for the hub."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("LLM_SPRINT_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return cache


@pytest.fixture(scope="session")
def built_test_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltModel]:
    """TEST_RECIPE built once for the session into its own cache folder (a few seconds)."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    cache = tmp_path_factory.mktemp("tinymodels-session-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LLM_SPRINT_CACHE", str(cache))
        mp.setenv("HF_HUB_OFFLINE", "1")
        built = build(TEST_RECIPE)
    assert built.built_now
    yield built


def run_python(code: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter at the repository root (so ``graders`` imports)."""
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=full_env, capture_output=True, text=True, timeout=timeout,
        check=False,
    )
