"""`sprint dev check`: golden records (what counts as drift), the command's exit codes, how a cheat is
made from what it is built on (``base:``, its own files, ``edits:``) and how a cheat that this machine
cannot measure is judged."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest

from graders.contract import Check, GradeResult
from tests.helpers import sprint
from tracker.devcheck import MetaConfig, Variant, VariantOutcome, _judge, golden_drift, load_meta, materialise, plan
from tracker.errors import UsageError
from tracker.roadmap.models import Exercise

RECORD = {
    "reference": {"status": "pass", "ok": True, "problems": [], "checks": {"accuracy": "pass", "runtime": "pass"}},
    "starter": {"status": "fail", "ok": True, "problems": [], "checks": {"accuracy": "fail", "runtime": "fail"}},
}


def test_identical_verdicts_are_no_drift(tmp_path: Path) -> None:
    (tmp_path / "demo.json").write_text(json.dumps(RECORD))
    assert golden_drift("demo", json.loads(json.dumps(RECORD)), tmp_path) == []


def test_drift_names_the_variant_and_the_check(tmp_path: Path) -> None:
    (tmp_path / "demo.json").write_text(json.dumps(RECORD))
    got = json.loads(json.dumps(RECORD))
    got["starter"]["checks"]["runtime"] = "pass"
    got["cheat-new"] = got["starter"]
    del got["reference"]
    assert golden_drift("demo", got, tmp_path) == [
        "demo/cheat-new: not in the golden record",
        "demo/reference: no longer graded",
        "demo/starter: check runtime fail → pass",
    ]


def test_a_missing_record_is_drift(tmp_path: Path) -> None:
    assert "does not exist" in golden_drift("demo", RECORD, tmp_path)[0]


def test_dev_check_compares_with_golden_records(tmp_path: Path) -> None:
    golden = Path(__file__).parents[1] / "graders" / "kinds" / "golden"
    ok = sprint("dev", "check", "csv-to-json", "--golden", str(golden), "--seed", "20261122")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "0 verdict(s) differ from the golden records" in ok.stdout
    stale = json.loads(json.dumps(RECORD))
    stale["reference"]["checks"]["runtime"] = "fail"  # a record that no longer matches the reference
    (tmp_path / "csv-to-json.json").write_text(json.dumps(stale))
    drift = sprint("dev", "check", "csv-to-json", "--golden", str(tmp_path))
    assert drift.returncode == 1, drift.stdout
    assert "golden: csv-to-json/reference: check runtime fail → pass" in drift.stdout
    assert "golden: csv-to-json/cheat-" in drift.stdout and "not in the golden record" in drift.stdout
    bad = sprint("dev", "check", "csv-to-json", "--golden", str(tmp_path / "nowhere"))
    assert bad.returncode == 2 and "not a folder" in bad.stderr


def test_timed_and_untimed_split_the_library_by_kind() -> None:
    both = sprint("dev", "check", "csv-to-json", "deploy", "--timed", "--json")
    assert both.returncode == 0, both.stdout + both.stderr
    assert {v["exercise"] for v in json.loads(both.stdout)} == {"csv-to-json"}  # its runtime threshold
    none = sprint("dev", "check", "csv-to-json", "--untimed")
    assert none.returncode == 2 and "no untimed exercise among csv-to-json" in none.stderr


def test_every_exercise_with_a_threshold_on_time_is_graded_by_a_timed_kind() -> None:
    """`--untimed` runs beside other work in CI: a speed threshold there would make verdicts flaky."""
    from graders.registry import get_kind
    from tests.helpers import REPO
    from tracker.roadmap import load_roadmap

    roadmap = load_roadmap(REPO / "roadmap.yaml")
    for ex in roadmap.exercises:
        kind = get_kind(ex.kind)
        if kind is None or kind.timed:
            continue
        for profile in ("cpu", "gpu"):
            for name in ex.thresholds_for(profile):
                metric = kind.metric(name)
                assert metric is None or metric.dimension != "seconds", (ex.slug, name)


def test_jobs_check_untimed_exercises_side_by_side_and_keep_the_roadmap_order() -> None:
    # deploy without a Docker engine (its engine checks pending): the order is the point here, and
    # test_deploy_engine.py grades it with one. So no golden record: that one is the engine's.
    nowhere = {"DOCKER_HOST": "unix:///nonexistent/llm-sprint-no-engine.sock"}
    run = sprint("dev", "check", "deploy", "csv-to-json", "--jobs", "2", "--seed", "20261122", env=nowhere)
    assert run.returncode == 0, run.stdout + run.stderr
    text = " ".join(run.stdout.split())
    assert "1 untimed exercise(s), 11 variants, 2 at a time" in text
    # the variants are graded side by side but shown in their own order, in one block
    names = ["starter", "reference", "cheat-build-only", "cheat-cmd-crashes", "cheat-health-always-passes",
             "cheat-latest-base", "cheat-no-healthcheck", "cheat-root-at-the-end", "cheat-runs-as-root",
             "cheat-secret-in-layer", "cheat-write-all"]
    at = [text.index(f"✓ {name}:") for name in names]
    assert at == sorted(at) and at[0] > text.index("deploy (deploy)")
    assert "(pending here: answers_on_port)" in text  # cheat-health-always-passes: only an engine catches it
    # deploy (untimed, in the pool) is shown before csv-to-json (timed: checked alone, afterwards)
    assert text.index("deploy (deploy)") < text.index("csv-to-json (function)")
    assert re.search(r"\b(\d+)/\1 variants as expected across 2 exercises", text), text[-300:]


def test_jobs_stop_handing_out_variants_once_one_crashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash (or Ctrl-C) with --jobs: the variants still queued are not graded; only those running end."""
    from typer.testing import CliRunner

    import tracker.devcheck as devcheck
    from tracker.cli import app

    graded: list[str] = []
    both_running = threading.Barrier(2)

    def crash(variant: Variant, **_: object) -> VariantOutcome:
        graded.append(variant.name)
        if len(graded) <= 2:
            both_running.wait(timeout=10)  # the first two are graded side by side, then both crash
        raise RuntimeError(f"grader crashed on {variant.name}")

    monkeypatch.setattr(devcheck, "check_variant", crash)
    result = CliRunner().invoke(app, ["dev", "check", "deploy", "--jobs", "2"])
    assert isinstance(result.exception, RuntimeError)
    assert sorted(graded) == ["reference", "starter"]  # deploy has 11 variants: the other 9 never started


def test_a_library_without_its_references_is_bad_input_naming_why(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing is graded: a check of starters alone would look like a pass."""
    import shutil

    import graders.paths
    from tests.helpers import REPO
    from tracker.errors import UsageError
    from tracker.roadmap import load_roadmap

    exercise = load_roadmap(REPO / "roadmap.yaml").exercise("csv-to-json")
    assert exercise is not None
    library = tmp_path / "csv-to-json"
    shutil.copytree(REPO / "exercises" / "csv-to-json", library)
    shutil.rmtree(library / ".meta" / "reference")
    with pytest.raises(UsageError, match=r"\.meta/reference/ does not exist"):
        plan(exercise, library)
    monkeypatch.setattr(graders.paths, "library_is_installed", lambda: True)  # as from a wheel
    with pytest.raises(UsageError, match=r"installed from a wheel.*source checkout"):
        plan(exercise, library)


def _library(tmp_path: Path, cheats: str) -> Path:
    """A tiny exercise library folder: a starter (a.py, b.py), a reference, a stand-in folder, two cheats."""
    library = tmp_path / "demo"
    for rel, text in {"a.py": "starter a", "b.py": "starter b", ".meta/reference/a.py": "reference a",
                      ".meta/standin/a.py": "standin a",
                      ".meta/standin/shared.py": "shared", ".meta/cheat-x/a.py": "cheat-x a",
                      ".meta/cheat-y/b.py": "cheat-y b"}.items():
        (library / rel).parent.mkdir(parents=True, exist_ok=True)
        (library / rel).write_text(text)
    (library / ".meta" / "config.yaml").write_text("files: [a.py]\ncheats:\n" + cheats)
    return library


def test_a_cheat_built_on_a_base_holds_only_what_it_changes(tmp_path: Path) -> None:
    from tracker.devcheck import load_meta, materialise, plan
    from tracker.roadmap.models import Exercise

    library = _library(tmp_path, "  cheat-x: {base: standin/}\n  cheat-y: {base: cheat-x/}\n")
    config = load_meta(library)
    with materialise(library, library / ".meta" / "cheat-y", config) as folder:
        got = {p.name: p.read_text() for p in folder.iterdir() if p.is_file()}
    # the starter, then the base of its base, then its base, then its own files
    assert got == {"a.py": "cheat-x a", "b.py": "cheat-y b", "shared.py": "shared"}
    with materialise(library, library / ".meta" / "cheat-x", config) as folder:
        assert (folder / "b.py").read_text() == "starter b" and (folder / "shared.py").is_file()
    exercise = Exercise(slug="demo", title="Demo", kind="function")
    assert [v.name for v in plan(exercise, library)] == ["starter", "reference", "cheat-x", "cheat-y"]  # no "standin"


@pytest.mark.parametrize(("cheats", "message"), [
    ("  cheat-x: {base: nowhere/}\n", "the base 'nowhere/' of cheat 'cheat-x' is neither a folder"),
    ("  cheat-x: {base: cheat-y/}\n  cheat-y: {base: cheat-x/}\n", "form a cycle"),
])
def test_a_base_that_is_missing_or_circular_is_refused_before_grading(tmp_path: Path, cheats: str,
                                                                        message: str) -> None:
    from tracker.devcheck import plan
    from tracker.errors import UsageError
    from tracker.roadmap.models import Exercise

    library = _library(tmp_path, cheats)
    with pytest.raises(UsageError, match=message):
        plan(Exercise(slug="demo", title="Demo", kind="function"), library)


# --- a cheat that says what it changes in edits (.meta/edits.yaml) -------------------------------------------


def _edited_library(tmp_path: Path, config: str, edits: str, files: dict[str, str] | None = None) -> Path:
    library = tmp_path / "demo"
    for name, text in {"app.py": "STARTER\n", ".meta/reference/app.py": "def f():\n    return 1\n",
                       ".meta/config.yaml": "files: [app.py]\n" + config, ".meta/edits.yaml": edits,
                       **(files or {})}.items():
        (library / name).parent.mkdir(parents=True, exist_ok=True)
        (library / name).write_text(text)
    return library


def _exercise() -> Exercise:
    return Exercise.model_validate({"slug": "demo", "title": "Demo", "kind": "function"})


CHEATS = """\
cheats:
  cheat-two: {base: reference/}
  cheat-three: {base: cheat-two}  # a cheat with no folder of its own: its edits come along
  cheat-extra-file: {base: reference/}
  cheat-folder: {fails: [accuracy]}
"""
EDITS = """\
cheat-two:
  app.py: [{old: "return 1", new: "return 2"}]
cheat-three:
  app.py: [{old: "return 2", new: "return 3"}]
"""


def test_a_cheat_is_its_base_then_its_own_files_then_its_edits(tmp_path: Path) -> None:
    library = _edited_library(tmp_path, CHEATS, EDITS, {".meta/cheat-extra-file/notes.txt": "mine\n",
                                                        ".meta/cheat-folder/app.py": "FOLDER\n"})
    config = load_meta(library)
    names = [v.name for v in plan(_exercise(), library)]
    assert names == ["starter", "reference", "cheat-extra-file", "cheat-folder", "cheat-three", "cheat-two"]
    with materialise(library, library / ".meta" / "cheat-three", config) as folder:  # a chain of two bases
        assert (folder / "app.py").read_text() == "def f():\n    return 3\n"
        assert not (folder / "edits.yaml").exists() and not (folder / ".meta").exists()
    with materialise(library, library / ".meta" / "cheat-extra-file", config) as folder:
        assert (folder / "app.py").read_text() == "def f():\n    return 1\n" and (folder / "notes.txt").is_file()
    with materialise(library, library / ".meta" / "cheat-folder", config) as folder:  # no base: over the starter
        assert (folder / "app.py").read_text() == "FOLDER\n"


@pytest.mark.parametrize(("edits", "words"), [
    ("cheat-x:\n  app.py: [{old: 'nowhere', new: ''}]\n", "occurs 0 times"),
    ("cheat-x:\n  app.py: [{old: 'e', new: ''}]\n", "occurs 2 times"),
    ("cheat-x:\n  gone.py: [{old: 'e', new: ''}]\n", "edits gone.py, which its variant does not have"),
    ("cheat-y:\n  app.py: [{old: 'f', new: 'g'}]\n", "edits cheat-y, which config.yaml does not list"),
])
def test_an_edit_that_does_not_fit_is_refused_before_anything_is_graded(tmp_path: Path, edits: str,
                                                                          words: str) -> None:
    library = _edited_library(tmp_path, "cheats:\n  cheat-x: {base: reference/}\n", edits)
    with pytest.raises(UsageError, match=r"edits\.yaml") as raised:
        plan(_exercise(), library)
    assert words in str(raised.value)


def test_edits_stay_out_of_config_yaml_which_ships_in_the_wheel(tmp_path: Path) -> None:
    library = _edited_library(tmp_path, "cheats:\n  cheat-x: {base: reference/}\nedits: {}\n", "")
    with pytest.raises(UsageError, match=r"`edits:` belongs in \.meta/edits\.yaml"):
        load_meta(library)


def test_a_cheat_with_nothing_to_be_made_of_is_refused_before_anything_is_graded(tmp_path: Path) -> None:
    library = _edited_library(tmp_path, "cheats:\n  cheat-x:\n    fails: [accuracy]\n", "")
    with pytest.raises(UsageError, match=r"lists cheat 'cheat-x', which does not exist \(add its folder, or say "
                                         r"what it is built on: `base:`\)"):
        plan(_exercise(), library)


def _result(status: str, **checks: str) -> GradeResult:
    return GradeResult(slug="demo", kind="deploy", status=status,
                       checks=[Check(name=n, status=s) for n, s in checks.items()])


def test_a_cheat_pending_on_what_it_is_about_is_pending_here_never_passed() -> None:
    config = MetaConfig.model_validate({"cheats": {"cheat-x": {"fails": ["engine"]},
                                                   "cheat-y": {"fails": ["static", "engine"]}}})
    expected, problems = _judge("cheat", "cheat-x", _result("pending", static="pass", engine="pending"), config)
    assert problems == [] and expected == "fail on engine (pending here: engine)"
    assert _judge("cheat", "cheat-y", _result("fail", static="fail", engine="pending"), config)[1] == []
    # ... but a pass is a pass, and pending on checks it is not about is no excuse
    assert _judge("cheat", "cheat-x", _result("pass", static="pass", engine="pass"), config)[1] == [
        "cheat should fail, got pass", "cheat should fail engine, which is pass"]
    assert _judge("cheat", "cheat-x", _result("pending", static="pending", engine="pass"), config)[1] == [
        "cheat should fail, got pending", "cheat should fail engine, which is pass"]
