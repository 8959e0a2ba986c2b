"""Kind ``lora`` on lora-finetune: golden verdicts, the adapter checks before measuring, and the gpu
profile: pending on a CPU or without a model folder, an error for a broken one, and its CUDA path
(4-bit base included) run on a CPU with the tiny model standing in for the 8B."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("peft")

from graders import gpu as _gpu
from graders.contract import GradeResult
from graders.kinds.lora import _adapter_problem
from graders.kinds.lora_measure import _names, foreign_keys
from graders.kinds.quantization import tiny_model_path
from graders.paths import exercise_dir
from graders.sandbox import Limits, ProcessSpec, Sandbox
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


def _grade(variant: str | Path, *, cuda: bool, gpu_model: Path | None = None, eval_docs: int = 10) -> GradeResult:
    """Grade a variant of lora-finetune (a name in .meta/, or a folder) under the gpu profile."""
    roadmap = load_roadmap(REPO / "roadmap.yaml")
    ex = roadmap.exercise("lora-finetune")
    assert ex is not None
    ex = ex.model_copy(update={"params": {**ex.params, "eval_docs": eval_docs}})
    library = exercise_dir("lora-finetune")
    if isinstance(variant, Path):
        return grade(GradeTarget(ex, variant, library), profile="gpu", cuda=cuda, gpu_model=gpu_model, seed=7)
    with materialise(library, library / ".meta" / variant, load_meta(library)) as folder:
        return grade(GradeTarget(ex, Path(folder), library), profile="gpu", cuda=cuda, gpu_model=gpu_model, seed=7)


def test_gpu_profile_without_cuda_is_pending_not_failed(tmp_path: Path) -> None:
    result = _grade("reference", cuda=False, gpu_model=tmp_path)
    assert result.status == "pending"
    assert {c.name for c in result.checks} == {"ppl_change", "peak_vram"}
    assert all("CUDA" in c.message for c in result.checks)


def test_gpu_profile_without_a_model_folder_is_pending_and_says_where_to_set_one() -> None:
    result = _grade("reference", cuda=True)
    assert result.status == "pending"
    assert {c.name: c.status for c in result.checks} == {"ppl_change": "pending", "peak_vram": "pending"}
    message = result.checks[0].message
    for part in ("sprint.toml", "[grading.gpu_models]", 'lora-finetune = "/path/to/Meta-Llama-3-8B"',
                 "SPRINT_GPU_MODEL_LORA_FINETUNE"):
        assert part in message, message


def test_a_configured_model_folder_without_config_json_is_an_error(tmp_path: Path) -> None:
    result = _grade("reference", cuda=True, gpu_model=tmp_path)
    assert result.status == "error" and [c.status for c in result.checks] == ["error", "error"]
    assert f"{tmp_path} has no config.json" in result.message
    missing = _grade("reference", cuda=True, gpu_model=tmp_path / "nope")
    assert missing.status == "error" and "does not exist" in missing.message


def test_gpu_path_runs_on_a_cpu_with_the_tiny_model_standing_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """train + measure on a 4-bit base, through the sandbox, with the device the only change. The
    untrained adapter changes nothing: Δppl is exactly 0 on the 4-bit base as well."""
    monkeypatch.setattr(_gpu, "DEVICE", "cpu")
    result = _grade("cheat-untrained", cuda=True, gpu_model=Path(tiny_model_path(1800.0)))
    checks = {c.name: c for c in result.checks}
    assert set(checks) == {"ppl_change", "peak_vram"}
    assert checks["ppl_change"].status == "fail" and checks["ppl_change"].measured == 0.0, result.message
    assert "4-bit base" in checks["ppl_change"].message and "q_proj, v_proj" in checks["ppl_change"].message
    assert checks["peak_vram"].status == "fail" and "not on CUDA" in checks["peak_vram"].message


def test_a_learner_run_that_changes_the_model_folder_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_gpu, "DEVICE", "cpu")
    base = tmp_path / "Meta-Llama-3-8B"
    shutil.copytree(tiny_model_path(1800.0), base)
    learner = tmp_path / "learner"
    learner.mkdir()
    (learner / "finetune.py").write_text(
        "from pathlib import Path\n"
        "def finetune(base_model, train_texts, output_dir):\n"
        "    Path(base_model, 'generation_config.json').write_text('{}')\n"
        "    Path(output_dir).mkdir()\n"
        "    Path(output_dir, 'adapter_config.json').write_text('{}')\n")
    result = _grade(learner, cuda=True, gpu_model=base)
    check = {c.name: c for c in result.checks}["ppl_change"]
    assert check.status == "fail" and "changed while finetune() ran" in check.message


_INJECTING = """\
import torch
from peft import LoraConfig, get_peft_model
from safetensors.torch import load_file, save_file
from transformers import AutoModelForCausalLM


def finetune(base_model, train_texts, output_dir):
    model = AutoModelForCausalLM.from_pretrained(base_model)
    get_peft_model(model, LoraConfig(r=4, target_modules=["q_proj"], task_type="CAUSAL_LM")).save_pretrained(output_dir)
    path = output_dir + "/adapter_model.safetensors"
    tensors = load_file(path)
    tensors["base_model.model.model.norm.weight"] = torch.zeros(model.config.hidden_size)
    save_file(tensors, path)
"""


@pytest.mark.slow  # ~25 s each; the gpu path's end-to-end test stays in the default run
def test_an_adapter_carrying_base_weights_fails_the_gpu_profile(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """peft would load the extra tensor into the 4-bit base, which the adapter is compared with."""
    monkeypatch.setattr(_gpu, "DEVICE", "cpu")
    (tmp_path / "finetune.py").write_text(_INJECTING)
    result = _grade(tmp_path, cuda=True, gpu_model=Path(tiny_model_path(1800.0)))
    check = {c.name: c for c in result.checks}["ppl_change"]
    assert check.status == "fail" and "base_model.model.model.norm.weight" in check.message, result.message


@pytest.fixture(scope="module")
def adapters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two LoRA adapters for the tiny Llama: ``zero`` (B = 0, as peft initialises it) and ``random``."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    out = {}
    for name, init in (("zero", True), ("random", False)):
        base = AutoModelForCausalLM.from_pretrained(tiny_model_path(1800.0))
        config = LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=init, task_type="CAUSAL_LM")
        out[name] = tmp_path_factory.mktemp(name)
        get_peft_model(base, config).save_pretrained(out[name])
    return out


def _measure(adapter: Path, **args: Any) -> dict[str, Any]:
    """lora_measure:measure in a trusted sandboxed process, as the kind runs it."""
    sandbox = Sandbox(Limits(wall_s=120))
    with sandbox.workdir(None) as clean:
        spec = ProcessSpec(name="measure", main=True, learner=False, harness=("graders.kinds.lora_measure:measure", {
            "model_path": tiny_model_path(1800.0), "adapter_dir": str(adapter), "seed": 7, "eval_docs": 10, **args}))
        run = sandbox.run([spec], workdir=clean)
    assert not run.fault, run.fault + "\n" + run.log()
    assert run.result is not None
    return run.result


@pytest.mark.slow  # ~25 s each; the gpu path's end-to-end test stays in the default run
def test_measuring_on_a_4bit_base_gives_the_perplexity_change_only(adapters: dict[str, Path]) -> None:
    from transformers import AutoTokenizer

    from graders.tinymodels import corpus_texts, perplexity
    from graders.tinymodels.model import load_model

    zero = _measure(adapters["zero"], device="cpu", load_4bit=True, batch_size=4)
    assert zero["load_4bit"] is True and zero["ppl_change"] == 0.0
    assert "trainable_fraction" not in zero and "merge_max_abs_error" not in zero  # no merge into 4-bit weights
    random = _measure(adapters["random"], device="cpu", load_4bit=True, batch_size=4)
    assert random["base_ppl"] == zero["base_ppl"] and abs(random["ppl_change"]) > 1e-3
    assert random["target_modules"] == ["q_proj", "v_proj"] and random["foreign_count"] == 0
    tiny = tiny_model_path(1800.0)
    hidden = corpus_texts("faq", "hidden", 10, seed=7)
    float32 = perplexity(load_model(tiny), AutoTokenizer.from_pretrained(tiny), hidden)
    assert abs(zero["base_ppl"] / float32 - 1) > 1e-3  # the 4-bit base really is another model


@pytest.mark.slow
def test_the_reference_passes_the_gpu_perplexity_bar_on_a_4bit_tiny_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_gpu, "DEVICE", "cpu")
    result = _grade("reference", cuda=True, gpu_model=Path(tiny_model_path(1800.0)), eval_docs=300)
    check = {c.name: c for c in result.checks}["ppl_change"]
    assert check.status == "pass" and float(check.measured or 0) < -0.5, result.message
