"""Kind ``hybrid-retrieval`` on hybrid-search: golden verdicts (slow); the starter fails, a missing
file fails with its name, an unknown document id is refused, and the gpu profile is pending on a CPU."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graders.paths import exercise_dir
from tests.graders.kinds.golden import assert_golden
from tests.helpers import REPO
from tracker.devcheck import load_meta, materialise
from tracker.grading import GradeTarget, grade
from tracker.roadmap import load_roadmap

SLUG = "hybrid-search"


def _grade(folder: Path, profile: str = "cpu", cuda: bool = False):  # type: ignore[no-untyped-def]
    ex = load_roadmap(REPO / "roadmap.yaml").exercise(SLUG)
    assert ex is not None
    return grade(GradeTarget(ex, folder, exercise_dir(SLUG)), profile=profile, cuda=cuda)  # type: ignore[arg-type]


@pytest.mark.slow  # re-grades every variant: CI's `sprint dev check --golden` covers the verdicts
def test_hybrid_search_verdicts_match_golden() -> None:
    verdicts = assert_golden(SLUG)
    assert verdicts["reference"]["checks"] == {"ndcg_at_10": "pass", "margin_over_bm25": "pass",
                                               "margin_over_dense": "pass", "recall_at_100": "pass"}
    assert verdicts["cheat-bm25-only"]["checks"]["margin_over_bm25"] == "fail"
    assert verdicts["cheat-dense-only"]["checks"]["margin_over_dense"] == "fail"


def test_untouched_starter_fails_on_every_check(tmp_path: Path) -> None:
    folder = tmp_path / SLUG
    shutil.copytree(exercise_dir(SLUG), folder, ignore=shutil.ignore_patterns(".meta"))
    result = _grade(folder)
    assert result.status == "fail"
    assert {c.name for c in result.checks} == {"ndcg_at_10", "margin_over_bm25", "margin_over_dense", "recall_at_100"}
    assert all(c.status == "fail" for c in result.checks)
    assert "NotImplementedError" in result.message or "build a BM25 index" in result.message


def test_a_missing_module_fails_naming_the_file(tmp_path: Path) -> None:
    result = _grade(tmp_path)
    assert result.status == "fail"
    assert "search.py is missing" in result.message


def test_an_id_that_is_no_document_fails_the_grade(tmp_path: Path) -> None:
    (tmp_path / "search.py").write_text(
        "def build_index(documents, dense_model):\n    pass\n\n"
        "def search(query, k):\n    return ['doc-9999', 'made-up']\n")
    result = _grade(tmp_path)
    assert result.status == "fail"
    assert "'made-up'" in result.message or "doc-9999" in result.message
    assert "not the id of a document" in result.message


def test_gpu_profile_without_cuda_is_pending_not_failed() -> None:
    library = exercise_dir(SLUG)
    with materialise(library, library / ".meta" / "reference", load_meta(library)) as folder:
        result = _grade(folder, profile="gpu", cuda=False)
    assert result.status == "pending"
    assert all(c.status == "pending" and "CUDA" in c.message for c in result.checks)
