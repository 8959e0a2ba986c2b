"""`pytest --sprint` in a learner workspace collects exercises and reports measured vs threshold."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import solve

pytest_plugins = ["pytester"]


def test_sprint_option_collects_and_grades_exercises(pytester: pytest.Pytester, workspace: Path) -> None:
    solve(workspace, "csv-to-json")
    (workspace / "test_mine.py").write_text("def test_learners_own():\n    assert True\n")
    pytester.chdir()
    result = pytester.runpytest_subprocess("--sprint", "-p", "no:cacheprovider", "-k", "csv or regression or mine",
                                           str(workspace), "--rootdir", str(workspace))
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*linear-regression: fail*", "*r2*fail*needs >= 0.99*"])


def test_without_the_option_the_plugin_adds_no_items(pytester: pytest.Pytester, workspace: Path) -> None:
    # Plain pytest in a workspace collects only the learner's own test files (ollama-service has one).
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--collect-only", "-q",
                                           str(workspace), "--rootdir", str(workspace))
    collected = [line for line in result.stdout.lines if "::" in line]
    assert collected, result.stdout.str()
    assert all(line.startswith("exercises/ollama-service/test_server.py::") for line in collected), collected
    assert not any("roadmap.yaml" in line for line in result.stdout.lines)
