"""Kind ``qa`` on extractive-qa: golden verdicts (slow); the starter fails, a missing file fails with its
name, a saved folder the grader cannot load is told in words, and the gpu profile is pending on a CPU and
an error naming the folder when that folder is not usable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graders.kinds.qa import saved_model_problem
from graders.paths import exercise_dir
from tests.graders.kinds.golden import assert_golden
from tests.helpers import REPO
from tracker.devcheck import load_meta, materialise
from tracker.grading import GradeTarget, grade
from tracker.roadmap import load_roadmap

SLUG = "extractive-qa"


def _grade(folder: Path, profile: str = "cpu", cuda: bool = False,  # type: ignore[no-untyped-def]
           gpu_model: Path | None = None):
    ex = load_roadmap(REPO / "roadmap.yaml").exercise(SLUG)
    assert ex is not None
    return grade(GradeTarget(ex, folder, exercise_dir(SLUG)), profile=profile, cuda=cuda,  # type: ignore[arg-type]
                 gpu_model=gpu_model)


@pytest.mark.slow  # re-grades every variant (the reference trains): CI's `sprint dev check --golden` covers them
def test_extractive_qa_verdicts_match_golden() -> None:
    verdicts = assert_golden(SLUG)
    assert verdicts["reference"]["checks"] == {"f1": "pass", "exact_match": "pass"}
    for cheat in ("cheat-untrained", "cheat-first-entity", "cheat-copy-question"):
        assert verdicts[cheat]["checks"]["f1"] == "fail"


def test_a_missing_module_fails_naming_the_file(tmp_path: Path) -> None:
    result = _grade(tmp_path)
    assert result.status == "fail"
    assert "qa.py is missing" in result.message


def test_a_saved_folder_without_weights_or_tokenizer_is_told_what_to_save(tmp_path: Path) -> None:
    assert "config.json" in (saved_model_problem(tmp_path) or "")
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    (tmp_path / "pytorch_model.bin").write_bytes(b"pickle")
    assert "pickled (pytorch_model.bin)" in (saved_model_problem(tmp_path) or "")
    (tmp_path / "model.safetensors").write_bytes(b"{}")
    assert "tokenizer.save_pretrained" in (saved_model_problem(tmp_path) or "")
    (tmp_path / "tokenizer.json").write_text("{}")
    assert saved_model_problem(tmp_path) is None
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert", "auto_map": {"x": "y.Z"}}))
    assert "custom model code" in (saved_model_problem(tmp_path) or "")


def test_gpu_profile_without_cuda_is_pending_not_failed() -> None:
    library = exercise_dir(SLUG)
    with materialise(library, library / ".meta" / "reference", load_meta(library)) as folder:
        result = _grade(folder, profile="gpu", cuda=False)
    assert result.status == "pending"
    assert all(c.status == "pending" and "CUDA" in c.message for c in result.checks)


def test_gpu_profile_with_an_unusable_folder_is_an_error_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "squad"
    folder.mkdir()
    (folder / "train-v1.1.json").write_text("{}")
    library = exercise_dir(SLUG)
    with materialise(library, library / ".meta" / "reference", load_meta(library)) as learner:
        no_dev = _grade(learner, profile="gpu", cuda=True, gpu_model=folder)
        (folder / "dev-v1.1.json").write_text("{}")
        no_model = _grade(learner, profile="gpu", cuda=True, gpu_model=folder)
        missing = _grade(learner, profile="gpu", cuda=True, gpu_model=tmp_path / "nope")
        unset = _grade(learner, profile="gpu", cuda=True)
    assert no_dev.status == "error" and str(folder) in no_dev.message and "dev-v1.1.json" in no_dev.message
    assert no_model.status == "error" and "BERT-base model folder" in no_model.message
    assert missing.status == "error" and "does not exist" in missing.message
    assert unset.status == "pending" and "[grading.gpu_models]" in unset.checks[0].message


@pytest.mark.slow  # the learner worker imports nothing heavy, but the encoder must be built (sprint models build)
def test_untouched_starter_fails_on_every_check(tmp_path: Path) -> None:
    folder = tmp_path / SLUG
    shutil.copytree(exercise_dir(SLUG), folder, ignore=shutil.ignore_patterns(".meta"))
    result = _grade(folder)
    assert result.status == "fail"
    assert {c.name for c in result.checks} == {"f1", "exact_match"}
    assert all(c.status == "fail" for c in result.checks)
    assert "NotImplementedError" in result.message or "fine-tune the encoder" in result.message
