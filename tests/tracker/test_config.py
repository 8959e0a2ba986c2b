"""sprint.toml's ``[grading.gpu_models]``: the learner's model folders for the gpu profile, checked
when loaded, made absolute, overridable from the environment, and handed to each grade."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graders.contract import GradeResult
from tracker.config import load_config
from tracker.errors import ConfigError


def _load(tmp_path: Path, toml: str, env: dict[str, str] | None = None) -> dict[str, Path]:
    (tmp_path / "sprint.toml").write_text(toml, encoding="utf-8")
    return load_config(tmp_path / "sprint.toml", env=env or {}).grading.gpu_models


def test_model_folders_are_read_and_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    models = _load(tmp_path, '[grading]\nprofile = "gpu"\n\n[grading.gpu_models]\n'
                             'lora-finetune = "/models/Meta-Llama-3-8B"\n'
                             'quantize = "models/Mistral-7B-v0.1"\n'
                             'extractive-qa = "~/bert-base"\n')
    assert models == {"lora-finetune": Path("/models/Meta-Llama-3-8B"),
                      "quantize": tmp_path / "models" / "Mistral-7B-v0.1",  # relative to sprint.toml's folder
                      "extractive-qa": tmp_path / "home" / "bert-base"}


def test_no_setting_means_no_model_folders(tmp_path: Path) -> None:
    assert _load(tmp_path, '[grading]\nprofile = "cpu"\n') == {}
    assert load_config(tmp_path / "missing.toml", env={}).grading.gpu_models == {}


def test_the_environment_overrides_one_exercise_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    models = _load(tmp_path, '[grading.gpu_models]\nlora-finetune = "/a"\nquantize = "/b"\n',
                   env={"SPRINT_GPU_MODEL_QUANTIZE": "weights/7b", "SPRINT_GPU_MODEL_LORA_FINETUNE": ""})
    assert models == {"lora-finetune": Path("/a"), "quantize": tmp_path / "weights" / "7b"}


@pytest.mark.parametrize(("toml", "expected"), [
    ('[grading.gpu_models]\nlora-finetune = 8\n', "[grading.gpu_models.lora-finetune]: expected the path of a local "
                                                  "model folder as a string"),
    ('[grading.gpu_models]\nquantize = ""\n', "[grading.gpu_models.quantize]: expected the path"),
    ('[grading.gpu_models]\n"Lora Finetune" = "/m"\n', "'Lora Finetune' is not an exercise slug"),
    ('[grading]\ngpu_model = "/m"\n', "[grading.gpu_model]: Extra inputs are not permitted"),
    ('[grading]\ngpu_models = "/m"\n', "[grading.gpu_models]: Input should be a valid dictionary"),
])
def test_bad_model_folders_are_reported_by_field(tmp_path: Path, toml: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, toml)
    assert expected in str(caught.value) and str(tmp_path / "sprint.toml") in str(caught.value)


@pytest.mark.parametrize("name", ["SPRINT_GPU_MODEL_", "SPRINT_GPU_MODEL_LORA__FINETUNE", "SPRINT_GPU_MODEL_Quantize"])
def test_a_misnamed_environment_variable_is_an_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(ConfigError, match=r"SPRINT_GPU_MODEL_LORA_FINETUNE=/models/Meta-Llama-3-8B"):
        _load(tmp_path, "", env={name: "/m"})


def test_each_grade_gets_its_own_exercise_folder(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """grade_and_record reads the workspace's sprint.toml and passes each exercise its folder."""
    import tracker.grading as grading
    from tracker.session import open_session

    (workspace / "sprint.toml").write_text('[grading.gpu_models]\nquantize = "/models/Mistral-7B-v0.1"\n')
    seen: dict[str, Path | None] = {}

    def fake_grade(target: Any, *, profile: str, gpu_model: Path | None = None, **_: Any) -> GradeResult:
        seen[target.exercise.slug] = gpu_model
        return GradeResult(slug=target.exercise.slug, kind=target.exercise.kind, status="pending", profile="gpu")

    monkeypatch.setattr(grading, "grade", fake_grade)
    monkeypatch.delenv("SPRINT_GPU_MODEL_QUANTIZE", raising=False)
    session = open_session(workspace)
    try:
        grading.grade_and_record(session.ws, session.roadmap, session.conn, ["quantize", "lora-finetune"], "gpu")
    finally:
        session.conn.close()
    assert seen == {"quantize": Path("/models/Mistral-7B-v0.1"), "lora-finetune": None}
