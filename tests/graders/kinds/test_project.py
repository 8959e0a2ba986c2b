"""Kind ``project`` on project-setup: golden verdicts; PEP 621 validation and the declared-imports
rule tested directly."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from graders.kinds._notebook import read_cells
from graders.kinds.project import declared_distributions, pep621_problem, undeclared_imports
from graders.paths import exercise_dir
from tests.graders.kinds.golden import assert_golden

LIBRARY = exercise_dir("project-setup")


@pytest.mark.slow  # re-grades every variant: CI's `sprint dev check --golden` covers the verdicts
def test_project_setup_verdicts_match_golden() -> None:
    verdicts = assert_golden("project-setup")
    assert all(v["ok"] for v in verdicts.values()), {k: v["problems"] for k, v in verdicts.items() if not v["ok"]}
    assert verdicts["reference"]["checks"] == {"pep621_valid": "pass", "deps_declared": "pass",
                                               "notebook_runs": "pass", "notebook_time": "pass"}
    starter = verdicts["starter"]["checks"]
    assert verdicts["starter"]["status"] == "fail" and starter["notebook_runs"] == "fail"
    assert verdicts["cheat-undeclared-dependency"]["checks"]["notebook_runs"] == "pass"
    assert verdicts["cheat-invalid-pyproject"]["checks"]["deps_declared"] == "pass"


def test_pep621_problems_are_named() -> None:
    assert pep621_problem({"project": {"name": "ok-name", "version": "0.1.0", "dependencies": ["numpy>=1"]}}) is None
    assert "pep508-identifier" in str(pep621_problem({"project": {"name": "bad name", "version": "0.1.0"}}))
    assert "must be array" in str(pep621_problem({"project": {"name": "x", "version": "1", "dependencies": "numpy"}}))
    assert "version" in str(pep621_problem({"project": {"name": "x"}}))
    poetry = pep621_problem({"tool": {"poetry": {"name": "x"}}})
    assert poetry is not None and "no [project] table" in poetry and "Poetry-1" in poetry


def test_declared_distributions_reads_every_place_a_dependency_can_live() -> None:
    data = tomllib.loads("""
[project]
name = "x"
version = "1"
dependencies = ["NumPy>=1.26", "scikit_learn[alldeps] ; python_version>'3.10'"]
[project.optional-dependencies]
plots = ["matplotlib"]
[dependency-groups]
dev = ["pytest>=8", {include-group = "plots"}]
[tool.poetry.dependencies]
python = "^3.11"
"Py.YAML" = "*"
[tool.poetry.group.nb.dependencies]
ipykernel = "*"
""")
    assert declared_distributions(data) == {"numpy", "scikit-learn", "matplotlib", "pytest", "py-yaml", "ipykernel"}


def test_undeclared_imports_maps_modules_to_distributions(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text("", encoding="utf-8")
    cells = [("code", "import json\nimport numpy as np\nimport helpers\nfrom sklearn import metrics\nimport yaml")]
    data = {"project": {"name": "x", "version": "1", "dependencies": ["numpy", "scikit-learn"]}}
    missing, note = undeclared_imports(cells, data, tmp_path)
    assert missing == ["yaml"]
    assert "yaml (add 'PyYAML')" in note
    data["project"]["dependencies"].append("pyyaml>=6")  # type: ignore[index]
    assert undeclared_imports(cells, data, tmp_path)[0] == []


def test_library_reference_declares_what_its_notebook_imports() -> None:
    ref = LIBRARY / ".meta" / "reference"
    data = tomllib.loads((ref / "pyproject.toml").read_text(encoding="utf-8"))
    assert pep621_problem(data) is None
    assert undeclared_imports(read_cells(ref / "notebook.ipynb"), data, ref)[0] == []
    starter = tomllib.loads((LIBRARY / "pyproject.toml").read_text(encoding="utf-8"))
    assert pep621_problem(starter) is None  # the starter is valid, just incomplete
    assert undeclared_imports(read_cells(LIBRARY / "notebook.ipynb"), starter, LIBRARY)[0] == ["numpy", "sklearn"]


@pytest.mark.parametrize("cheat", ["cheat-invalid-pyproject", "cheat-poetry-1-layout"])
def test_invalid_cheats_are_invalid_for_the_stated_reason(cheat: str) -> None:
    data = tomllib.loads((LIBRARY / ".meta" / cheat / "pyproject.toml").read_text(encoding="utf-8"))
    assert pep621_problem(data) is not None
