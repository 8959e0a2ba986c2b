"""The validated roadmap cache in .sprint/: an unchanged roadmap is neither parsed nor validated (no
grader kind imported); an edit, a plugin installed or upgraded, a corrupt or foreign file — each is
validated again, with the same located problems as without a cache; writers never leave half a file."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import tracker.roadmap.loader as loader
from graders import registry
from tests.helpers import REPO, sprint
from tracker.errors import RoadmapError
from tracker.roadmap.cache import CACHE_NAME, FORMAT, load_cached
from tracker.roadmap.loader import load_roadmap
from tracker.roadmap.models import Roadmap

THRESHOLD = 'accuracy: ">= 100 %"'


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every full validation (``parse_roadmap``) made from now on, by file name."""
    seen: list[str] = []
    real = loader.parse_roadmap

    def counting(text: str, filename: str = "roadmap.yaml") -> Roadmap:
        seen.append(filename)
        return real(text, filename)

    monkeypatch.setattr(loader, "parse_roadmap", counting)
    return seen


def _paths(workspace: Path) -> tuple[Path, Path]:
    return workspace / "roadmap.yaml", workspace / ".sprint"


def test_an_unchanged_roadmap_comes_from_the_cache_equal_to_a_fresh_validation(workspace: Path,
                                                                               parses: list[str]) -> None:
    path, state = _paths(workspace)
    first = load_cached(path, state)
    assert (state / CACHE_NAME).is_file() and len(parses) == 1
    again = load_cached(path, state)
    assert len(parses) == 1, "the unchanged roadmap was validated again"
    fresh = load_roadmap(path)
    assert again == first == fresh
    assert again.model_dump(exclude_unset=True) == fresh.model_dump(exclude_unset=True)  # the same fields set
    assert again.exercises[0].thresholds_for("cpu") == fresh.exercises[0].thresholds_for("cpu")
    assert again.start_date == fresh.start_date and isinstance(again.quarters[0].sprints[0], type(fresh.sprint("P0")))


def test_an_edited_roadmap_is_validated_again(workspace: Path, parses: list[str]) -> None:
    path, state = _paths(workspace)
    load_cached(path, state)
    path.write_text(path.read_text(encoding="utf-8").replace(THRESHOLD, 'accuracy: ">= 90 %"', 1), encoding="utf-8")
    edited = load_cached(path, state)
    assert len(parses) == 2
    assert str(edited.exercises[0].thresholds_for("cpu")["accuracy"]) == ">= 90 %"
    assert load_cached(path, state) == edited and len(parses) == 2  # and cached in turn


def test_a_broken_edit_exits_2_with_file_line_column_and_writes_nothing_then_a_fix_validates_again(
        workspace: Path) -> None:
    path, state = _paths(workspace)
    assert sprint("status", cwd=workspace).returncode == 0
    cached = (state / CACHE_NAME).read_bytes()
    good = path.read_text(encoding="utf-8")
    broken = good.replace("    kind: function\n", "    kind: funktion\n", 1)
    line = broken[:broken.index("kind: funktion")].count("\n") + 1
    path.write_text(broken, encoding="utf-8")

    proc = sprint("status", cwd=workspace)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"roadmap.yaml:{line}:11 [exercises[0].kind]: unknown grader kind 'funktion'" in proc.stderr
    without_cache = subprocess.run([sys.executable, "-m", "tracker", "validate"], cwd=workspace, capture_output=True,
                                   text=True, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "160"})
    assert proc.stderr == without_cache.stderr  # the same problems, the same words, as `sprint validate`
    assert (state / CACHE_NAME).read_bytes() == cached, "a broken roadmap wrote the cache"
    assert not [p.name for p in state.iterdir() if p.name.startswith(f".{CACHE_NAME}")], "a temporary file was left"

    path.write_text(good.replace(THRESHOLD, 'accuracy: ">= 95 %"', 1), encoding="utf-8")
    fixed = sprint("status", "--json", cwd=workspace)
    assert fixed.returncode == 0, fixed.stderr
    assert (state / CACHE_NAME).read_bytes() != cached
    assert str(load_cached(path, state).exercises[0].thresholds_for("cpu")["accuracy"]) == ">= 95 %"


def test_a_broken_roadmap_is_reported_exactly_as_without_a_cache(workspace: Path) -> None:
    path, state = _paths(workspace)
    load_cached(path, state)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("        weeks: 1\n", "        weeks: one\n", 1).replace("  - id: Q2\n", "  - id: Q2\n"
                    "    gaol: typo\n", 1), encoding="utf-8")
    with pytest.raises(RoadmapError) as cached:
        load_cached(path, state)
    with pytest.raises(RoadmapError) as plain:
        load_roadmap(path)
    assert cached.value.problems == plain.value.problems and len(plain.value.problems) >= 2


CORRUPTIONS: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda raw: b"",
    "truncated": lambda raw: raw[: len(raw) // 2],
    "not json": lambda raw: b"\x00\xff garbage\n" + raw,
    "a byte of the body changed": lambda raw: raw[:-40] + bytes([raw[-40] ^ 0x01]) + raw[-39:],
    "another format": lambda raw: raw.replace(f'"format": {FORMAT}'.encode(), b'"format": 999', 1),
    "another key": lambda raw: raw.replace(b'"key": "', b'"key": "0', 1),
    "header is a list": lambda raw: b"[1, 2]\n" + raw.partition(b"\n")[2],
}


@pytest.mark.parametrize("damage", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_corrupt_or_foreign_cache_is_ignored_and_rebuilt(workspace: Path, parses: list[str],
                                                           damage: Callable[[bytes], bytes]) -> None:
    path, state = _paths(workspace)
    good = load_cached(path, state)
    cache = state / CACHE_NAME
    cache.write_bytes(damage(cache.read_bytes()))
    assert load_cached(path, state) == good
    assert len(parses) == 2, "a damaged cache was trusted"
    assert load_cached(path, state) == good and len(parses) == 2, "the damaged cache was not rebuilt"


def _forge(cache: Path, body: bytes) -> None:
    """Put ``body`` in the cache with a digest that matches it (what no corruption can do by chance)."""
    head = json.loads(cache.read_bytes().partition(b"\n")[0])
    head["sha256"] = hashlib.sha256(body).hexdigest()
    cache.write_bytes(json.dumps(head).encode() + b"\n" + body)


@pytest.mark.parametrize("body", [b"{}", b"[]", b'{"title": 3}', b'{"version": 1, "title": "t", "start_date": "x",'
                                  b' "quarters": []}', b"not json", b'{"quarters": [' * 2000])
def test_a_body_that_is_not_a_roadmap_is_never_a_crash(workspace: Path, parses: list[str], body: bytes) -> None:
    path, state = _paths(workspace)
    good = load_cached(path, state)
    _forge(state / CACHE_NAME, body)
    assert load_cached(path, state) == good and len(parses) == 2


def test_a_cache_that_cannot_be_written_only_costs_the_speed(workspace: Path, parses: list[str]) -> None:
    path = workspace / "roadmap.yaml"
    blocked = workspace / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    fresh = load_roadmap(path)
    assert load_cached(path, blocked) == fresh
    assert load_cached(path, blocked) == fresh
    assert len(parses) == 3  # every start validates, as without a cache
    assert blocked.read_text() == "a file where the cache folder would be"


def _plugin(site: Path, version: str) -> None:
    """A distribution on ``site`` declaring one more grader kind (as `pip install` leaves it)."""
    for old in site.glob("llm_sprint_fancy-*.dist-info"):
        for f in old.iterdir():
            f.unlink()
        old.rmdir()
    info = site / f"llm_sprint_fancy-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: llm-sprint-fancy\nVersion: {version}\n")
    (info / "entry_points.txt").write_text("[llm_sprint.graders]\nfancy = llm_sprint_fancy:FancyGrader\n")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path where a test installs plugins; the registry forgets what it read."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    registry._entry_points.cache_clear()
    yield folder
    registry._entry_points.cache_clear()


def test_installing_or_upgrading_a_plugin_invalidates_the_cache(workspace: Path, parses: list[str],
                                                                site: Path) -> None:
    path, state = _paths(workspace)
    load_cached(path, state)
    load_cached(path, state)
    assert len(parses) == 1

    _plugin(site, "1.0")
    registry._entry_points.cache_clear()  # what a new process starts with
    load_cached(path, state)
    assert len(parses) == 2, "a newly installed grader kind did not invalidate the cache"
    load_cached(path, state)
    assert len(parses) == 2

    _plugin(site, "1.1")
    registry._entry_points.cache_clear()
    load_cached(path, state)
    assert len(parses) == 3, "an upgraded plugin did not invalidate the cache"
    assert "fancy = llm_sprint_fancy:FancyGrader (llm-sprint-fancy 1.1)" in registry.fingerprint()


def test_a_new_folder_time_with_the_same_kinds_keeps_the_cache(workspace: Path, parses: list[str],
                                                               site: Path) -> None:
    path, state = _paths(workspace)
    load_cached(path, state)
    (site / "unrelated.py").write_text("")  # pip installed something that declares no kind
    load_cached(path, state)
    load_cached(path, state)
    assert len(parses) == 1


def test_two_writers_at_once_never_leave_half_a_cache(workspace: Path) -> None:
    """Writers race on the file while a reader checks every version of it it sees is whole."""
    path, state = _paths(workspace)
    load_cached(path, state)
    cache = state / CACHE_NAME
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from tracker.roadmap.cache import _entry, _write
        entry = _entry(Path({str(cache)!r}))
        body = entry.body if sys.argv[1] == "same" else entry.body.replace(b'"title":', b'"title" :', 1)
        for _ in range(150):
            _write(Path({str(cache)!r}), entry.key, entry.installed, entry.kinds, body)
    """)
    writers = [subprocess.Popen([sys.executable, "-c", script, which]) for which in ("same", "other")]
    seen = 0
    stop = threading.Event()
    try:
        while any(w.poll() is None for w in writers):
            raw = cache.read_bytes()
            head, _, body = raw.partition(b"\n")
            assert json.loads(head)["sha256"] == hashlib.sha256(body).hexdigest(), "a half-written cache was seen"
            seen += 1
    finally:
        stop.set()
        for w in writers:
            w.wait(timeout=60)
    assert [w.returncode for w in writers] == [0, 0]
    assert seen > 0
    assert not [p.name for p in state.iterdir() if p.name.startswith(f".{CACHE_NAME}")]


KIND_MODULES = "graders.kinds"


def _modules_of_status(workspace: Path) -> set[str]:
    code = ("import sys\nfrom tracker.cli import main\ntry:\n    main(['status'])\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write('MODULES=' + ' '.join(sorted(sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=workspace, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_COLOR": "1"})
    return set(proc.stderr.rsplit("MODULES=", 1)[1].split())


def test_status_on_an_unchanged_roadmap_imports_no_grader_kind_and_no_yaml(workspace: Path) -> None:
    first = _modules_of_status(workspace)  # validates, and writes the cache
    assert any(m.startswith(KIND_MODULES + ".") for m in first)  # the check below can see a kind module
    again = _modules_of_status(workspace)
    assert not [m for m in again if m == KIND_MODULES or m.startswith(KIND_MODULES + ".")]
    assert not [m for m in again if m == "yaml" or m.startswith(("yaml.", "tracker.roadmap.yamlpos"))]
    assert "tracker.roadmap.cache" in again


@pytest.mark.parametrize("value", [dt.date(2026, 1, 5), float("nan"), {1: "an int key"}, b"bytes", b"\xff"],
                         ids=["date", "nan", "int key", "bytes", "not utf-8"])
def test_a_roadmap_json_cannot_hold_is_not_cached(value: object) -> None:
    """What would come back different from the JSON, or cannot be written as JSON, is never cached:
    such a roadmap is validated on every start (a kind's params may hold any YAML value)."""
    from tracker.roadmap.cache import _body

    roadmap = load_roadmap(REPO / "roadmap.yaml")
    assert _body(roadmap) is not None
    exercise = roadmap.exercises[0].model_copy(update={"params": {**roadmap.exercises[0].params, "odd": value}})
    assert _body(roadmap.model_copy(update={"exercises": [exercise, *roadmap.exercises[1:]]})) is None


def test_another_exercise_library_or_a_new_exercise_in_it_validates_again(workspace: Path, parses: list[str],
                                                                          tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether an exercise of a kind that is not installed is an error depends on the library."""
    path, state = _paths(workspace)
    load_cached(path, state)
    library = tmp_path / "library"
    (library / "exercises" / "csv-to-json").mkdir(parents=True)
    (library / "roadmap.yaml").write_text((REPO / "roadmap.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("LLM_SPRINT_LIBRARY", str(library))
    load_cached(path, state)
    assert len(parses) == 2
    (library / "exercises" / "flash-attention").mkdir()
    load_cached(path, state)
    load_cached(path, state)
    assert len(parses) == 3
