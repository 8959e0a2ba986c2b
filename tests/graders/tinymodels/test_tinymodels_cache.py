"""Cache: location, atomic publication, one builder at a time (threads and processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from graders.tinymodels import cache
from graders.tinymodels.cache import ENTRY_MARKER, cache_dir, ensure_entry, entries_root

from .conftest import REPO, run_python


def test_cache_dir_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LLM_SPRINT_CACHE", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("LLM_SPRINT_CACHE")
    assert cache_dir() == tmp_path / "xdg" / "llm-sprint"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "llm-sprint"


def _writer(calls: list[Path]) -> Callable[[Path], None]:
    def build_into(tmp: Path) -> None:
        calls.append(tmp)
        (tmp / "payload.txt").write_text("weights")
        (tmp / ENTRY_MARKER).write_text("{}")

    return build_into


def test_builds_once_then_reuses() -> None:
    calls: list[Path] = []
    entry, built = ensure_entry("k1", _writer(calls))
    assert built and entry == entries_root() / "k1"
    assert (entry / "payload.txt").read_text() == "weights"
    again, built_again = ensure_entry("k1", _writer(calls))
    assert (again, built_again) == (entry, False)
    assert len(calls) == 1
    assert not list(entries_root().glob(".tmp-*"))


def test_failed_build_leaves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(tmp: Path) -> None:
        (tmp / "half.bin").write_text("x")
        raise RuntimeError("killed halfway")

    with pytest.raises(RuntimeError, match="halfway"):
        ensure_entry("k2", broken)
    assert not (entries_root() / "k2").exists()
    assert not list(entries_root().glob(".tmp-*"))

    with pytest.raises(RuntimeError, match=r"no metrics\.json"):
        ensure_entry("k2", lambda tmp: (tmp / "model.bin").write_text("x"))
    assert not (entries_root() / "k2").exists()


def test_debris_of_a_killed_build_is_cleared() -> None:
    root = entries_root()
    (root / ".tmp-k3-99999-dead").mkdir(parents=True)
    (root / "k3").mkdir()  # an incomplete entry (no marker), as if tampered with
    calls: list[Path] = []
    entry, built = ensure_entry("k3", _writer(calls))
    assert built and cache.is_complete(entry)
    assert not list(root.glob(".tmp-*"))


def test_second_builder_waits_and_reuses() -> None:
    """Thread A builds and is held inside build_into; B must block, then reuse A's entry."""
    started, release, b_waiting = threading.Event(), threading.Event(), threading.Event()
    results: dict[str, tuple[Path, bool]] = {}

    def slow_build(tmp: Path) -> None:
        started.set()
        assert release.wait(30)
        (tmp / ENTRY_MARKER).write_text("{}")

    def never(tmp: Path) -> None:
        raise AssertionError("the second builder must not build")

    a = threading.Thread(target=lambda: results.__setitem__("a", ensure_entry("k4", slow_build)))
    b = threading.Thread(target=lambda: results.__setitem__("b", ensure_entry("k4", never, on_wait=b_waiting.set)))
    a.start()
    assert started.wait(30)
    b.start()
    assert b_waiting.wait(30), "B did not find the lock held"
    assert "b" not in results
    release.set()
    a.join(30)
    b.join(30)
    assert results["a"][1] is True and results["b"] == (results["a"][0], False)


def test_two_processes_build_one_entry(tmp_path: Path) -> None:
    """Two CLI processes race on an empty cache: one entry, one build, the other reuses it."""
    pytest.importorskip("torch")
    env = {**os.environ, "LLM_SPRINT_CACHE": str(tmp_path / "race"), "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "graders.tinymodels", "build", "--test", "--json"]
    procs = [subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
    summaries = [json.loads(o[0]) for o in outs]
    assert summaries[0]["path"] == summaries[1]["path"]
    assert sorted(s["built_now"] for s in summaries) == [False, True]
    root = tmp_path / "race" / "tinymodels"
    assert [p.name for p in root.iterdir() if p.is_dir()] == [Path(summaries[0]["path"]).name]
    assert not list(root.glob(".tmp-*"))


def test_cli_where_is_fast_and_light() -> None:
    code = ("import sys\nfrom graders.tinymodels.__main__ import main\nmain(['where', '--test'])\n"
            "print('heavy' if {'torch', 'transformers'} & set(sys.modules) else 'light')")
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert "key:" in proc.stdout and proc.stdout.strip().endswith("light")


def test_cli_rejects_a_bad_recipe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from graders.tinymodels.__main__ import main

    bad = tmp_path / "recipe.json"
    bad.write_text('{"stepz": 3}')
    assert main(["build", "--recipe-json", str(bad)]) == 2
    assert "stepz" in capsys.readouterr().err
    assert not entries_root().exists()  # nothing built, nothing written
