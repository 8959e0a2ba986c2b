"""The roadmap loader: the default curriculum is valid; every kind of broken roadmap is reported
with the right line and field path, exit code 2, and nothing written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO, sprint
from tracker.errors import RoadmapError
from tracker.roadmap import load_roadmap, parse_roadmap, yamlpos

DEFAULT = (REPO / "roadmap.yaml").read_text(encoding="utf-8")


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    return text.count("\n", 0, index) + 1


@dataclass
class Broken:
    name: str
    old: str
    new: str
    needle: str  # where the problem is (its line is expected)
    path: str  # the field path expected in the problem
    message: str  # a fragment of the message
    occurrence: int = 1

    def text(self) -> str:
        assert self.old in DEFAULT, f"{self.name}: fixture text drifted from roadmap.yaml"
        return DEFAULT.replace(self.old, self.new, 1)


CASES = [
    Broken("bad yaml", "  - id: Q2\n", "  - id: Q2\n   oops: [\n", "   oops", "", "YAML syntax error"),
    Broken("unknown key", "    goal: Close pillar ⑦", "    gaol: typo\n    goal: Close pillar ⑦", "gaol",
           "quarters[1].gaol", "unknown key 'gaol'"),
    Broken("duplicate key", '    months: "4–6"\n', '    months: "4–6"\n    months: again\n', "months: again",
           "quarters[1].months", "duplicate key 'months'"),
    Broken("wrong type", "        weeks: 1\n", "        weeks: one\n", "weeks: one",
           "quarters[0].sprints[0].weeks", "valid integer"),
    Broken("duplicate sprint id", 'id: "2.2"', 'id: "2.1"', 'id: "2.1"', "quarters[1].sprints[1].id",
           "duplicate sprint id '2.1'", occurrence=2),
    Broken("duplicate exercise slug", "  - slug: linear-regression", "  - slug: csv-to-json", "slug: csv-to-json",
           "exercises[1].slug", "duplicate exercise slug", occurrence=2),
    Broken("unknown grader kind", "    kind: function\n", "    kind: funktion\n", "kind: funktion",
           "exercises[0].kind", "unknown grader kind 'funktion'"),
    Broken("cyclic prerequisites", "    time_budget: 60 s\n    memory: 1 GB",
           "    prerequisites: [linear-regression]\n    time_budget: 60 s\n    memory: 1 GB",
           "prerequisites: [linear-regression]", "exercises[0].prerequisites", "cycle"),
    Broken("malformed threshold", 'accuracy: ">= 100 %"', 'accuracy: "at least 100 %"', "at least 100",
           "exercises[0].thresholds.cpu.accuracy", "cannot read threshold"),
    Broken("unknown unit", 'runtime: "<= 10 s"', 'runtime: "<= 10 parsecs"', "10 parsecs",
           "exercises[0].thresholds.cpu.runtime", "unknown unit 'parsecs'"),
    Broken("unit of the wrong dimension", 'runtime: "<= 10 s"', 'runtime: "<= 10 GB"', "<= 10 GB",
           "exercises[0].thresholds.cpu.runtime", "measured in seconds"),
    Broken("threshold for an unknown metric", 'accuracy: ">= 100 %"', 'acuracy: ">= 100 %"', 'acuracy:',
           "exercises[0].thresholds.cpu.acuracy", "measures no metric 'acuracy'"),
    Broken("threshold without comparison", 'runtime: "<= 10 s"', 'runtime: "10 s"', 'runtime: "10 s"',
           "exercises[0].thresholds.cpu.runtime", "has no comparison"),
    Broken("target links a missing exercise", "    exercises: [extractive-qa]", "    exercises: [extractive-qq]",
           "exercises: [extractive-qq]", "targets[1].exercises[0]", "not defined"),
    Broken("sprint lists a missing exercise", "        exercises: [flash-attention]",
           "        exercises: [flash-attn]", "exercises: [flash-attn]", "quarters[2].sprints[2].exercises[0]",
           "'flash-attn' is not defined"),
    Broken("unknown param of a kind", "      function: csv_to_json\n",
           "      function: csv_to_json\n      functoin: x\n", "functoin", "exercises[0].params.functoin",
           "unknown parameter 'functoin'"),
    Broken("bad release tag", "    release: v0.2", "    release: 0.2", "release: 0.2", "quarters[1].release",
           "not a valid release"),
    Broken("checklist item neither bound nor manual", "            manual: true\n", "            manual: false\n",
           "text: The dataset is published", "quarters[1].sprints[0].checklist[2]", "exactly one of"),
    Broken("unknown profile", "      cpu:\n        accuracy:", "      tpu:\n        accuracy:", "tpu:",
           "exercises[0].thresholds.tpu", "unknown profile 'tpu'"),
    Broken("bad size", "    memory: 1 GB", "    memory: lots", "memory: lots", "exercises[0].memory",
           "not a size"),
]


def test_default_roadmap_is_valid() -> None:
    roadmap = load_roadmap(REPO / "roadmap.yaml")
    ids = [s.id for _, s in roadmap.sprints()]
    assert ids == ["P0", "P1", "P2", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3"]
    assert [q.release for q in roadmap.quarters] == ["v0.1", "v0.2", "v0.3", "v0.4"]
    assert [t.id for t in roadmap.targets] == ["W1-2", "W3-4", "W5-6", "W7-8", "W9-10", "W11-12"]
    assert [t.id for t in roadmap.tracks] == ["A", "B", "C", "D"]
    assert all(t.optional for t in roadmap.tracks)
    assert all(s.checklist for _, s in roadmap.sprints())


def test_at_least_fifteen_kinds_of_breakage_are_covered() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_roadmap_reports_line_and_path(case: Broken) -> None:
    text = case.text()
    with pytest.raises(RoadmapError) as info:
        parse_roadmap(text, "roadmap.yaml")
    problems = info.value.problems
    match = [p for p in problems if case.message in p.message and p.path == case.path]
    assert match, f"expected {case.path}: …{case.message}…, got:\n{info.value}"
    assert match[0].line == line_of(text, case.needle, case.occurrence), str(match[0])
    assert match[0].column >= 1
    assert info.value.exit_code == 2


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = CASES[1].text().replace("        weeks: 1\n", "        weeks: one\n", 1)
    text = text.replace("    kind: function\n", "    kind: funktion\n", 1)
    with pytest.raises(RoadmapError) as info:
        parse_roadmap(text)
    paths = {p.path for p in info.value.problems}
    assert {"quarters[1].gaol", "quarters[0].sprints[0].weeks", "exercises[0].kind"} <= paths


def test_unquoted_numeric_sprint_id_keeps_its_text() -> None:
    roadmap = parse_roadmap(DEFAULT.replace('id: "3.1"', "id: 3.10", 1))
    assert roadmap.sprint("3.10") is not None


@pytest.mark.parametrize("case", CASES[:4], ids=[c.name for c in CASES[:4]])
def test_validate_cli_exits_2_and_writes_nothing(case: Broken, tmp_path: Path) -> None:
    path = tmp_path / "roadmap.yaml"
    path.write_text(case.text(), encoding="utf-8")
    proc = sprint("validate", str(path), cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"roadmap.yaml:{line_of(case.text(), case.needle, case.occurrence)}:" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roadmap.yaml"]


def test_validate_cli_accepts_the_default(tmp_path: Path) -> None:
    proc = sprint("validate", str(REPO / "roadmap.yaml"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stdout


# ---------------------------------------------------------------------------------------------
# libyaml and the pure-Python composer: the same data, positions and problems

needs_libyaml = pytest.mark.skipif(yamlpos.FAST_LOADER is None, reason="PyYAML was built without libyaml here")


@needs_libyaml
def test_libyaml_and_the_pure_python_composer_place_every_key_and_value_alike() -> None:
    fast, pure = yamlpos.load_located(DEFAULT), yamlpos.load_located(DEFAULT, fast=False)
    assert fast.data == pure.data
    assert fast.values == pure.values and fast.keys == pure.keys and len(fast.values) > 500
    text = DEFAULT.replace('    months: "4–6"\n', '    months: "4–6"\n    months: again\n', 1)
    assert yamlpos.load_located(text).duplicates == yamlpos.load_located(text, fast=False).duplicates != []


@needs_libyaml
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_libyaml_and_the_pure_python_composer_report_the_same_problems(case: Broken,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RoadmapError) as fast:
        parse_roadmap(case.text(), "roadmap.yaml")
    monkeypatch.setattr(yamlpos, "FAST_LOADER", None)
    with pytest.raises(RoadmapError) as pure:
        parse_roadmap(case.text(), "roadmap.yaml")
    assert fast.value.problems == pure.value.problems


@needs_libyaml
def test_bad_syntax_is_reported_by_the_pure_python_composer_whichever_composed(monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml words some errors differently: its message must never reach the learner."""
    used: list[type] = []
    real = yamlpos._load

    def spy(text: str, loader_class: type) -> yamlpos.Located:
        used.append(loader_class)
        return real(text, loader_class)

    monkeypatch.setattr(yamlpos, "_load", spy)
    with pytest.raises(RoadmapError):
        parse_roadmap(CASES[0].text())
    assert used == [yamlpos.FAST_LOADER, yaml.SafeLoader]
    used.clear()
    parse_roadmap(DEFAULT)
    assert used == [yamlpos.FAST_LOADER]
