"""The `sprint` command line, run as a learner runs it: init, validate, status, board, tick, grade."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO, solve, sprint
from tracker.roadmap import load_roadmap

ROADMAP = load_roadmap(REPO / "roadmap.yaml")


def test_init_scaffolds_a_workspace_without_any_meta(tmp_path: Path) -> None:
    proc = sprint("init", str(tmp_path / "ws"), "--start", "2026-11-02")
    assert proc.returncode == 0, proc.stderr
    ws = tmp_path / "ws"
    for name in ("roadmap.yaml", "README.md", ".gitignore", "sprint.toml", ".sprint", "exercises",
                 ".github/workflows/sprint.yml"):
        assert (ws / name).exists(), name
    assert "start_date: 2026-11-02" in (ws / "roadmap.yaml").read_text()
    assert not list(ws.rglob(".meta")), "a .meta folder reached the learner"
    assert (ws / "exercises" / "csv-to-json" / "data_loader.py").is_file()
    readme = (ws / "README.md").read_text()
    assert "<!-- llm-sprint:progress:start -->" in readme and "<!-- llm-sprint:progress:end -->" in readme


def test_init_fills_the_empty_current_folder_and_keeps_it(tmp_path: Path) -> None:
    here = tmp_path / "ws"
    here.mkdir()
    inode = here.stat().st_ino
    proc = sprint("init", ".", "--start", "2026-11-02", cwd=here)
    assert proc.returncode == 0, proc.stderr
    assert here.stat().st_ino == inode, "the folder was replaced: a shell inside it is left in a deleted directory"
    assert (here / "roadmap.yaml").is_file() and (here / "exercises" / "csv-to-json").is_dir()
    assert [p.name for p in tmp_path.iterdir()] == ["ws"], "the staging folder was left behind"
    assert sprint("status", cwd=here).returncode == 0


def test_init_refuses_a_non_empty_folder_and_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep")
    proc = sprint("init", str(tmp_path))
    assert proc.returncode == 2
    assert "not empty" in proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def _add_an_exercise_no_library_ships(workspace: Path) -> None:
    """Every exercise of the project's roadmap has a grader now: a workspace's roadmap may still list
    one this version does not ship (a newer roadmap, a plugin's) — a copy of csv-to-json's entry under
    another slug, in sprint 2.2."""
    import yaml

    path = workspace / "roadmap.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(e for e in data["exercises"] if e["slug"] == "csv-to-json")
    data["exercises"].append({**entry, "slug": "not-shipped-yet"})
    sprint_22 = next(s for q in data["quarters"] for s in q["sprints"] if s["id"] == "2.2")
    sprint_22["exercises"].append("not-shipped-yet")
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_status_json_lists_every_sprint_and_every_target_text(workspace: Path) -> None:
    _add_an_exercise_no_library_ships(workspace)
    proc = sprint("status", "--json", cwd=workspace)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    ids = {s["id"] for q in data["quarters"] for s in q["sprints"]}
    assert ids == {s.id for _, s in ROADMAP.sprints()}
    targets = {t["id"]: t for t in data["targets"]}
    for t in ROADMAP.targets:
        assert targets[t.id]["goal"] == t.goal and targets[t.id]["result"] == t.result
    assert data["week"] == 3  # the fixture starts the roadmap 14 days before SPRINT_TODAY
    unavailable = [e for q in data["quarters"] for s in q["sprints"] for e in s["exercises"] if not e["available"]]
    assert [e["slug"] for e in unavailable] == ["not-shipped-yet"]
    assert all(e["state"] == "not yet available" for e in unavailable)


def test_status_and_board_never_import_torch(workspace: Path) -> None:
    code = (
        "import sys\n"
        "from tracker.cli import main\n"
        "for args in (['status', '--json'], ['board']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules]\n"
        "sys.stderr.write('HEAVY=' + ','.join(heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=workspace, capture_output=True, text=True, timeout=60)
    assert "HEAVY=" in proc.stderr and proc.stderr.rsplit("HEAVY=", 1)[1].strip() == ""


def test_board_shows_the_three_columns(workspace: Path) -> None:
    proc = sprint("board", cwd=workspace)
    assert proc.returncode == 0, proc.stderr
    for column in ("To Learn", "In Progress", "Done"):
        assert column in proc.stdout


def test_tick_moves_a_manual_only_sprint(workspace: Path) -> None:
    proc = sprint("tick", "2.1", "Hub", cwd=workspace)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(sprint("status", "--json", cwd=workspace).stdout)
    s21 = next(s for q in data["quarters"] for s in q["sprints"] if s["id"] == "2.1")
    assert s21["status"] == "In Progress"
    assert any(c["checked"] for c in s21["checklist"])


def test_tick_refuses_an_item_bound_to_a_grader(workspace: Path) -> None:
    proc = sprint("tick", "P0", "1", cwd=workspace)
    assert proc.returncode == 2
    assert "manual" in proc.stderr


def test_grade_exit_codes_and_json(workspace: Path) -> None:
    starter = sprint("grade", "csv-to-json", "--json", cwd=workspace)
    assert starter.returncode == 1
    assert json.loads(starter.stdout)["status"] == "fail"
    solve(workspace, "csv-to-json")
    solved = sprint("grade", "csv-to-json", "--json", cwd=workspace)
    assert solved.returncode == 0, solved.stderr
    result = json.loads(solved.stdout)
    assert result["status"] == "pass" and result["schema_version"] == 1
    assert {c["name"] for c in result["checks"]} == {"accuracy", "runtime"}
    assert result["content_hash"].startswith("sha256:") and result["hardware"]["cores"] >= 1
    board = json.loads(sprint("board", "--json", cwd=workspace).stdout)
    assert any(s["id"] == "P0" for s in board["Done"])


def test_grade_changed_only_grades_what_changed(workspace: Path) -> None:
    both = ("csv-to-json", "linear-regression")
    first = json.loads(sprint("grade", *both, "--json", cwd=workspace).stdout)
    assert [r["slug"] for r in first] == list(both)
    assert json.loads(sprint("grade", "--changed", *both, "--json", cwd=workspace).stdout) == []
    solve(workspace, "csv-to-json")
    changed = sprint("grade", "--changed", *both, "--json", cwd=workspace)
    assert [r["slug"] for r in json.loads(changed.stdout)] == ["csv-to-json"]


def test_grade_unknown_exercise_is_bad_input(workspace: Path) -> None:
    proc = sprint("grade", "no-such-exercise", cwd=workspace)
    assert proc.returncode == 2
    assert "no exercise 'no-such-exercise'" in proc.stderr


def test_commands_outside_a_workspace_say_what_to_do(tmp_path: Path) -> None:
    proc = sprint("status", cwd=tmp_path)
    assert proc.returncode == 2
    assert "sprint init" in proc.stderr


def test_models_build_prebuilds_into_the_cache_then_reports_it_cached(tmp_path: Path) -> None:
    import pytest

    pytest.importorskip("transformers")
    env = {"LLM_SPRINT_CACHE": str(tmp_path / "cache")}
    where = sprint("models", "where", "--test", env=env)
    assert where.returncode == 0 and str(tmp_path / "cache") in where.stdout
    keys = dict(line.split(":", 1) for line in where.stdout.splitlines())
    first = sprint("models", "build", "--test", "--json", env=env)
    assert first.returncode == 0, first.stderr
    built = json.loads(first.stdout)
    llama, encoder = built["llama"], built["encoder"]
    assert llama["built_now"] is True and llama["recipe_hash"] == keys["llama"].strip()
    assert llama["metrics"]["general_valid_ppl"] < llama["metrics"]["general_valid_ppl_init"]
    assert encoder["built_now"] is True and encoder["recipe_hash"] == keys["encoder"].strip()
    again = sprint("models", "build", "encoder", "--test", env=env)
    assert again.returncode == 0 and again.stdout.startswith("cached: "), again.stdout
    assert encoder["path"] in again.stdout and llama["path"] not in again.stdout
