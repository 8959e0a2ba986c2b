"""Kind ``quantization`` on quantize: golden verdicts, the footprint measured from stored tensors,
and the gpu profile: pending on a CPU or without a model folder, an error for a broken one, and its
CUDA path run on a CPU with the tiny model standing in for the 7B."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
bnb = pytest.importorskip("bitsandbytes")

from graders import gpu as _gpu  # noqa: E402
from graders.contract import GradeResult  # noqa: E402
from graders.kinds.quantization import tiny_model_path  # noqa: E402
from graders.kinds.quantization_adapter import (  # noqa: E402
    allowance_of,
    footprint_bytes,
    generation_start,
    generation_step,
    off_device,
    quantizable,
    unused_layers,
)
from graders.kinds.quantization_measure import greedy_of, hidden_inputs, rouge_l  # noqa: E402
from graders.paths import exercise_dir  # noqa: E402
from tests.graders.kinds.golden import assert_golden  # noqa: E402
from tests.helpers import REPO  # noqa: E402
from tracker.devcheck import load_meta, materialise  # noqa: E402
from tracker.grading import GradeTarget, grade  # noqa: E402
from tracker.roadmap import load_roadmap  # noqa: E402


@pytest.mark.slow
def test_quantize_verdicts_match_golden() -> None:
    verdicts = assert_golden("quantize")
    assert all(v["ok"] for v in verdicts.values()), {k: v["problems"] for k, v in verdicts.items() if not v["ok"]}
    assert verdicts["reference"]["status"] == "pass"
    assert verdicts["starter"]["status"] == "fail"
    for cheat in ("cheat-fp32", "cheat-fp16"):  # full quality, but no smaller than fp16
        assert verdicts[cheat]["checks"] == {"footprint_ratio": "fail", "ppl_change": "pass", "bleu": "pass",
                                             "rouge_l": "pass"}
    for cheat in ("cheat-zeroed", "cheat-int2"):  # small, and the model forgets
        assert verdicts[cheat]["checks"] == {"footprint_ratio": "pass", "ppl_change": "fail", "bleu": "fail",
                                             "rouge_l": "fail"}
    assert verdicts["cheat-stash"]["checks"]["footprint_ratio"] == "fail"  # the hidden fp32 copy counts


def test_footprint_counts_every_storage_once_including_stashed_tensors() -> None:
    linear = torch.nn.Linear(64, 32)  # weight [32, 64] + bias [32], float32
    assert footprint_bytes(linear, {}) == (32 * 64 + 32) * 4
    linear.backup = linear.weight.detach().clone()  # a full-precision copy hidden in an attribute counts
    assert footprint_bytes(linear, {}) == (2 * 32 * 64 + 32) * 4
    linear.alias = linear.weight.data  # the same storage again does not
    assert footprint_bytes(linear, {}) == (2 * 32 * 64 + 32) * 4
    linear.half()  # parameters become fp16; the stashed copy and the stale alias stay fp32 and count
    assert footprint_bytes(linear, {}) == (32 * 64 + 32) * 2 + 2 * 32 * 64 * 4


def test_footprint_of_bitsandbytes_layers_includes_their_quantization_state() -> None:
    weight = torch.randn(128, 128)
    nf4 = bnb.nn.Linear4bit(128, 128, bias=False, compute_dtype=torch.float32, quant_type="nf4")
    nf4.weight = bnb.nn.Params4bit(weight.clone(), requires_grad=False, quant_type="nf4")
    nf4 = nf4.to("cpu")
    packed = 128 * 128 // 2  # two 4-bit codes per byte
    absmax = 128 * 128 // 64 * 4  # one float32 scale per block of 64
    assert packed + absmax <= footprint_bytes(nf4, {}) <= packed + absmax + 512  # + codebook and small state
    int8 = bnb.nn.Linear8bitLt(128, 128, bias=False, has_fp16_weights=False)
    int8.weight = bnb.nn.Int8Params(weight.clone(), requires_grad=False, has_fp16_weights=False)
    int8 = int8.to("cpu")
    assert 128 * 128 + 128 * 4 <= footprint_bytes(int8, {}) <= 128 * 128 + 128 * 4 + 512  # codes + a scale per row


def _tiny_llama() -> Any:
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=64, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2)
    model: Any = LlamaForCausalLM(config)
    model.eval()
    return model


def test_quantizable_layers_are_the_decoder_linears_not_the_head() -> None:
    names = quantizable(_tiny_llama())
    assert len(names) == 2 * 7 and not any("lm_head" in n or "embed" in n for n in names)


def test_model_footprint_counts_copies_hidden_anywhere_and_excuses_only_the_other_tensors() -> None:
    model = _tiny_llama()
    layers = {name: layer.weight.numel() for name, layer in quantizable(model).items()}
    fp16 = sum(layers.values()) * 2
    allowance = allowance_of(model, layers)
    assert "lm_head.weight" in allowance and "model.embed_tokens.weight" in allowance
    assert footprint_bytes(model, allowance) == 2 * fp16  # float32: nothing but the linear weights counts
    assert footprint_bytes(model.half(), allowance) == fp16
    q_proj = model.model.layers[0].self_attn.q_proj
    model.__dict__["_hidden"] = [torch.nn.Linear(64, 64)]  # an unregistered module in a plain list
    assert footprint_bytes(model, allowance) == fp16 + (64 * 64 + 64) * 4
    del model.__dict__["_hidden"]
    shadow = q_proj.weight.detach().float().clone()
    q_proj.forward = lambda x: torch.nn.functional.linear(x, shadow.to(x.dtype))  # a closure over a copy
    assert footprint_bytes(model, allowance) == fp16 + 64 * 64 * 4
    del q_proj.forward
    norm = model.model.norm
    norm.weight = torch.nn.Parameter(torch.zeros(64 + 10_000))  # an excused tensor, enlarged to hide data
    assert footprint_bytes(model, allowance) == fp16 + 10_000 * 4


def test_layers_a_forward_routes_around_are_reported() -> None:
    model = _tiny_llama()
    layers = list(quantizable(model).values())
    assert unused_layers(model, layers, torch.tensor([[1, 2, 3]])) == []
    mlp = model.model.layers[1].mlp
    mlp.forward = lambda x: x  # skips gate/up/down
    assert unused_layers(model, layers, torch.tensor([[1, 2, 3]])) == [mlp.gate_proj, mlp.up_proj, mlp.down_proj]


def greedy(model: Any, tok: Any, prompts: list[str], new_tokens: int, batch_size: int = 16) -> list[str]:
    """The measurer's greedy loop on a model in this process, through the adapter's own steps."""
    state: list[Any] = [None]

    def start(ids: Any, mask: Any) -> Any:
        logits, state[0] = generation_start(model, ids, mask)
        return logits

    def step(tokens: Any) -> Any:
        logits, state[0] = generation_step(model, state[0], tokens)
        return logits

    return greedy_of(start, step, tok, prompts, new_tokens, batch_size)


def test_batched_greedy_continues_each_prompt_as_it_would_alone() -> None:
    """Left padding is masked and positions restart per prompt: batches of 16 (prompts of different
    lengths) give exactly the continuations of one prompt at a time, and the tokenizer is left as it was."""
    from transformers import PreTrainedTokenizerFast

    from graders.tinymodels.model import load_model

    path = tiny_model_path(1800.0)
    model, tok = load_model(path).eval(), PreTrainedTokenizerFast.from_pretrained(path, local_files_only=True)
    _, prompts = hidden_inputs(7, 10, 20)
    assert len({len(tok(p).input_ids) for p in prompts}) > 1  # the batches really are padded
    side = tok.padding_side
    assert greedy(model, tok, prompts, 12) == greedy(model, tok, prompts, 12, batch_size=1)
    assert tok.padding_side == side


def test_rouge_l_is_a_mean_f_measure() -> None:
    assert rouge_l(["the cat sat", "a b c d"], ["the cat sat", "w x y z"]) == pytest.approx(0.5)


def _grade(variant: str, profile: str = "gpu", *, cuda: bool, gpu_model: Path | None = None,
           **params: int) -> GradeResult:
    """Grade a variant of quantize; ``params`` shrink the measurement (the roadmap's are for real runs)."""
    roadmap = load_roadmap(REPO / "roadmap.yaml")
    ex = roadmap.exercise("quantize")
    assert ex is not None
    ex = ex.model_copy(update={"params": {**ex.params, **params}})
    library = exercise_dir("quantize")
    with materialise(library, library / ".meta" / variant, load_meta(library)) as folder:
        return grade(GradeTarget(ex, Path(folder), library), profile=profile, cuda=cuda, gpu_model=gpu_model,  # type: ignore[arg-type]
                     seed=7)


_GPU_CHECKS = ["footprint_ratio", "ppl_change", "bleu", "rouge_l", "peak_vram"]


def test_gpu_profile_without_cuda_is_pending_not_failed(tmp_path: Path) -> None:
    result = _grade("reference", cuda=False, gpu_model=tmp_path)  # a model folder does not make a GPU
    assert result.status == "pending"
    assert [c.name for c in result.checks] == _GPU_CHECKS
    assert all("CUDA" in c.message for c in result.checks)


def test_gpu_profile_without_a_model_folder_is_pending_and_says_where_to_set_one() -> None:
    result = _grade("reference", cuda=True)
    assert result.status == "pending"
    assert [c.name for c in result.checks] == _GPU_CHECKS and all(c.status == "pending" for c in result.checks)
    message = result.checks[0].message
    for part in ("sprint.toml", "[grading.gpu_models]", 'quantize = "/path/to/Mistral-7B-v0.1"',
                 "SPRINT_GPU_MODEL_QUANTIZE", "config.json"):
        assert part in message, message


@pytest.mark.parametrize("broken", ["missing", "file", "no-config"])
def test_a_configured_model_folder_that_is_not_one_is_an_error(tmp_path: Path, broken: str) -> None:
    folder = tmp_path / "Mistral-7B"
    if broken == "file":
        folder.write_text("not a folder")
    elif broken == "no-config":
        folder.mkdir()
        (folder / "model.safetensors").write_bytes(b"")
    result = _grade("reference", cuda=True, gpu_model=folder)
    assert result.status == "error"
    assert [c.status for c in result.checks] == ["error"] * 5
    expected = {"missing": "does not exist", "file": "is not a folder", "no-config": "has no config.json"}[broken]
    assert str(folder) in result.message and expected in result.message and "[grading.gpu_models]" in result.message


_SMALL = {"eval_docs": 10, "prompts": 4, "new_tokens": 4}  # bitsandbytes' 4-bit CPU kernels are slow


def test_gpu_path_runs_on_a_cpu_with_the_tiny_model_standing_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CUDA path end to end — parent, sandbox, measurer and worker — with the device the only change."""
    monkeypatch.setattr(_gpu, "DEVICE", "cpu")
    result = _grade("reference", cuda=True, gpu_model=Path(tiny_model_path(1800.0)), **_SMALL)
    checks = {c.name: c for c in result.checks}
    assert [checks[n].status for n in _GPU_CHECKS[:4]] == ["pass"] * 4, result.message
    assert 0.2 < float(checks["footprint_ratio"].measured or 0) < 0.35  # NF4 of the 28 layers
    assert "Linear4bit" in checks["footprint_ratio"].message
    assert checks["peak_vram"].status == "fail" and "not on CUDA" in checks["peak_vram"].message


def test_gpu_path_holds_the_returned_model_to_the_same_footprint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_gpu, "DEVICE", "cpu")
    result = _grade("cheat-fp32", cuda=True, gpu_model=Path(tiny_model_path(1800.0)), **_SMALL)
    checks = {c.name: c for c in result.checks}
    assert checks["footprint_ratio"].status == "fail" and checks["footprint_ratio"].measured == pytest.approx(2.0)
    assert checks["ppl_change"].measured == 0.0 and checks["bleu"].measured == pytest.approx(100.0)


def test_a_model_folder_transformers_cannot_load_is_an_error_naming_the_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_gpu, "DEVICE", "cpu")
    (tmp_path / "config.json").write_text('{"model_type": "no-such-architecture"}')
    result = _grade("reference", cuda=True, gpu_model=tmp_path, **_SMALL)
    assert result.status == "error"
    assert f"the model in {tmp_path} could not be loaded" in result.message
    assert "[grading.gpu_models]" in result.message


def test_gpu_path_fails_a_model_returned_off_the_device(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On CUDA a model left on the CPU fails; here, with the CPU standing in, one moved to "meta"."""
    monkeypatch.setattr(_gpu, "DEVICE", "cpu")
    (tmp_path / "quantize.py").write_text("def quantize(model):\n    return model.to('meta')\n")
    ex = load_roadmap(REPO / "roadmap.yaml").exercise("quantize")
    assert ex is not None
    ex = ex.model_copy(update={"params": {**ex.params, **_SMALL}})
    result = grade(GradeTarget(ex, tmp_path, exercise_dir("quantize")), profile="gpu", cuda=True, seed=7,
                   gpu_model=Path(tiny_model_path(1800.0)))
    assert result.status == "fail"
    assert "model.embed_tokens.weight is not on cpu" in result.message and "model.to('cpu')" in result.message


def test_a_model_left_off_the_gpu_is_named() -> None:
    model = _tiny_llama()
    assert off_device(model, "cpu") is None
    assert off_device(model, "cuda") == "model.embed_tokens.weight"
