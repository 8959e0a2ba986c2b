"""Kind ``quantization`` on quantize: golden verdicts, the footprint measured from stored tensors,
and the gpu profile pending on a CPU."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
bnb = pytest.importorskip("bitsandbytes")

from graders.kinds.quantization_child import quantizable, rouge_l, stored_bytes  # noqa: E402
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
    assert verdicts["cheat-zeroed"]["checks"] == {"footprint_ratio": "pass", "ppl_change": "fail", "bleu": "fail",
                                                  "rouge_l": "fail"}


def test_footprint_counts_every_storage_once_including_stashed_tensors() -> None:
    linear = torch.nn.Linear(64, 32)  # weight [32, 64] + bias [32], float32
    assert stored_bytes([linear]) == (32 * 64 + 32) * 4
    linear.backup = linear.weight.detach().clone()  # a full-precision copy hidden in an attribute counts
    assert stored_bytes([linear]) == (2 * 32 * 64 + 32) * 4
    linear.alias = linear.weight.data  # the same storage again does not
    assert stored_bytes([linear]) == (2 * 32 * 64 + 32) * 4
    linear.half()  # parameters become fp16; the stashed copy and the stale alias stay fp32 and count
    assert stored_bytes([linear]) == (32 * 64 + 32) * 2 + 2 * 32 * 64 * 4


def test_footprint_of_bitsandbytes_layers_includes_their_quantization_state() -> None:
    weight = torch.randn(128, 128)
    nf4 = bnb.nn.Linear4bit(128, 128, bias=False, compute_dtype=torch.float32, quant_type="nf4")
    nf4.weight = bnb.nn.Params4bit(weight.clone(), requires_grad=False, quant_type="nf4")
    nf4 = nf4.to("cpu")
    packed = 128 * 128 // 2  # two 4-bit codes per byte
    absmax = 128 * 128 // 64 * 4  # one float32 scale per block of 64
    assert packed + absmax <= stored_bytes([nf4]) <= packed + absmax + 512  # + codebook and small state
    int8 = bnb.nn.Linear8bitLt(128, 128, bias=False, has_fp16_weights=False)
    int8.weight = bnb.nn.Int8Params(weight.clone(), requires_grad=False, has_fp16_weights=False)
    int8 = int8.to("cpu")
    assert 128 * 128 + 128 * 4 <= stored_bytes([int8]) <= 128 * 128 + 128 * 4 + 512  # codes + a scale per row


def test_quantizable_layers_are_the_decoder_linears_not_the_head() -> None:
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=64, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2)
    names = quantizable(LlamaForCausalLM(config))
    assert len(names) == 2 * 7 and not any("lm_head" in n or "embed" in n for n in names)


def test_rouge_l_is_a_mean_f_measure() -> None:
    assert rouge_l(["the cat sat", "a b c d"], ["the cat sat", "w x y z"]) == pytest.approx(0.5)


def test_gpu_profile_without_cuda_is_pending_not_failed() -> None:
    roadmap = load_roadmap(REPO / "roadmap.yaml")
    ex = roadmap.exercise("quantize")
    assert ex is not None
    library = exercise_dir("quantize")
    with materialise(library, library / ".meta" / "reference", load_meta(library)) as folder:
        result = grade(GradeTarget(ex, Path(folder), library), profile="gpu", cuda=False)
    assert result.status == "pending"
    assert [c.name for c in result.checks] == ["peak_vram"] and "CUDA" in result.checks[0].message
