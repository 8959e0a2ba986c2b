"""Kind ``rag`` on rag-pipeline: golden verdicts (slow); the starter fails, a missing guardrail.py
fails naming it, the gpu profile is pending on a CPU; answer correctness and the hidden questions."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from graders.kinds.rag_measure import answer_correct, draw_questions
from graders.paths import exercise_dir
from graders.world import build_world
from tests.graders.kinds.golden import assert_golden
from tests.helpers import REPO
from tracker.devcheck import load_meta, materialise
from tracker.grading import GradeTarget, grade
from tracker.roadmap import load_roadmap

SLUG = "rag-pipeline"
QUALITY = {"answer_correctness", "groundedness", "citation_precision", "retrieval_recall"}


def _grade(folder: Path, profile: str = "cpu", cuda: bool = False):  # type: ignore[no-untyped-def]
    ex = load_roadmap(REPO / "roadmap.yaml").exercise(SLUG)
    assert ex is not None
    return grade(GradeTarget(ex, folder, exercise_dir(SLUG)), profile=profile, cuda=cuda)  # type: ignore[arg-type]


@pytest.mark.slow  # re-grades every variant: CI's `sprint dev check --golden` covers the verdicts
def test_rag_pipeline_verdicts_match_golden() -> None:
    verdicts = assert_golden(SLUG)
    assert set(verdicts["reference"]["checks"].values()) == {"pass"}
    always = verdicts["cheat-guardrail-always-passes"]["checks"]
    assert always["guardrail_passes"] == "pass"
    assert always["guardrail_catches_random_retrieval"] == "fail"


def test_untouched_starter_fails(tmp_path: Path) -> None:
    folder = tmp_path / SLUG
    shutil.copytree(exercise_dir(SLUG), folder, ignore=shutil.ignore_patterns(".meta"))
    result = _grade(folder)
    assert result.status == "fail"
    assert {c.name for c in result.checks} >= QUALITY
    assert all(c.status == "fail" for c in result.checks)


def test_a_missing_guardrail_fails_naming_the_file(tmp_path: Path) -> None:
    shutil.copy(exercise_dir(SLUG) / "rag.py", tmp_path / "rag.py")
    result = _grade(tmp_path)
    assert result.status == "fail"
    assert "guardrail.py is missing" in result.message


def test_gpu_profile_without_cuda_is_pending_not_failed() -> None:
    library = exercise_dir(SLUG)
    with materialise(library, library / ".meta" / "reference", load_meta(library)) as folder:
        result = _grade(folder, profile="gpu", cuda=False)
    assert result.status == "pending"
    assert all(c.status == "pending" and "CUDA" in c.message for c in result.checks)


def test_an_answer_is_correct_when_it_holds_the_known_answer_as_whole_words_in_few_words() -> None:
    assert answer_correct("She moved to Quellin in 1850.", "Quellin")
    assert answer_correct("the Vrennick Glassworks.", "Vrennick Glassworks")
    assert not answer_correct("She moved to Quellinby in 1850.", "Quellin")  # part of a word is no answer
    assert not answer_correct("", "Quellin")
    assert not answer_correct("Quellin " + "and more " * 25, "Quellin")  # over 40 words: a pasted passage


def test_hidden_questions_are_stated_by_their_documents_and_drawn_deterministically() -> None:
    world = build_world(5, "rag")
    one = draw_questions(world, 15, random.Random("t"))
    assert one == draw_questions(world, 15, random.Random("t"))
    texts = {d.id: d.text for d in world.documents()}
    for q in one:
        assert q.documents
        assert any(q.answer in texts[d] for d in q.documents), q
