"""Kind ``lora`` on lora-finetune: golden verdicts, the adapter checks before measuring, and the
gpu profile pending on a CPU."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("peft")

from graders.kinds.lora import _adapter_problem
from graders.kinds.lora_child import _names, foreign_keys
from graders.paths import exercise_dir
from tests.graders.kinds.golden import assert_golden
from tests.helpers import REPO
from tracker.devcheck import load_meta, materialise
from tracker.grading import GradeTarget, grade
from tracker.roadmap import load_roadmap


@pytest.mark.slow
def test_lora_finetune_verdicts_match_golden() -> None:
    verdicts = assert_golden("lora-finetune")
    assert all(v["ok"] for v in verdicts.values()), {k: v["problems"] for k, v in verdicts.items() if not v["ok"]}
    assert verdicts["reference"]["status"] == "pass"
    assert set(verdicts["reference"]["checks"]) == {"ppl_change", "adapted_ppl", "trainable_fraction",
                                                    "base_untouched", "merged_logits_match", "peak_memory"}
    assert verdicts["starter"]["status"] == "fail"
    untrained = verdicts["cheat-untrained"]["checks"]
    assert untrained["ppl_change"] == untrained["adapted_ppl"] == "fail"
    assert untrained["trainable_fraction"] == untrained["base_untouched"] == "pass"
    assert verdicts["cheat-full-finetune"]["checks"]["trainable_fraction"] == "fail"
    assert verdicts["cheat-all-linear"]["checks"]["trainable_fraction"] == "fail"
    injected = verdicts["cheat-base-weights"]["checks"]
    assert injected["base_untouched"] == "fail" and injected["trainable_fraction"] == "pass"
    assert verdicts["cheat-few-steps"]["checks"]["adapted_ppl"] == "fail"


def test_a_pickled_or_missing_adapter_is_refused_with_what_to_do(tmp_path: Path) -> None:
    assert "save_pretrained" in (_adapter_problem(tmp_path) or "")
    (tmp_path / "adapter_config.json").write_text("{}")
    (tmp_path / "adapter_model.bin").write_bytes(b"pickle")
    problem = _adapter_problem(tmp_path) or ""
    assert "pickled (adapter_model.bin)" in problem and "safetensors" in problem
    (tmp_path / "adapter_model.safetensors").write_bytes(b"")
    assert _adapter_problem(tmp_path) is None


def test_adapter_tensors_that_peft_would_load_into_the_base_are_foreign() -> None:
    lora = ["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
            "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight",
            "base_model.model.model.embed_tokens.lora_embedding_A"]
    assert foreign_keys(lora, []) == []
    assert foreign_keys([*lora, "base_model.model.lm_head.weight"], ["lm_head"]) == []  # a declared module
    injected = ["base_model.model.model.norm.weight", "base_model.model.model.layers.0.mlp.up_proj.weight"]
    assert foreign_keys(lora + injected, ["lm_head"]) == sorted(injected)


def test_target_modules_are_read_as_peft_saves_them() -> None:
    assert _names(["v_proj", "q_proj"]) == ["q_proj", "v_proj"]
    assert _names(".*proj") == [".*proj"] and _names(None) == []


def test_gpu_profile_without_cuda_is_pending_not_failed() -> None:
    roadmap = load_roadmap(REPO / "roadmap.yaml")
    ex = roadmap.exercise("lora-finetune")
    assert ex is not None
    library = exercise_dir("lora-finetune")
    with materialise(library, library / ".meta" / "reference", load_meta(library)) as folder:
        result = grade(GradeTarget(ex, Path(folder), library), profile="gpu", cuda=False)
    assert result.status == "pending"
    assert {c.name for c in result.checks} == {"ppl_change", "peak_vram"}
    assert all("CUDA" in c.message for c in result.checks)
