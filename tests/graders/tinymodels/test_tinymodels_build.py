"""Build: the entry's contents, caching without training, bitwise determinism, metrics."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from graders.tinymodels import TEST_RECIPE, BuiltModel, build
from graders.tinymodels import train as train_mod

from .conftest import run_python

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _use_cache_of(built: BuiltModel, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_SPRINT_CACHE", str(built.path.parent.parent))


def test_entry_contents(built_test_model: BuiltModel) -> None:
    names = {p.name for p in built_test_model.path.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
            "recipe.json", "metrics.json"} <= names
    assert (built_test_model.path / "recipe.json").read_text() == TEST_RECIPE.to_json()
    assert json.loads((built_test_model.path / "metrics.json").read_text()) == built_test_model.metrics
    assert built_test_model.path.name == built_test_model.recipe_hash


def test_second_build_is_cached_and_does_not_train(
    built_test_model: BuiltModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_cache_of(built_test_model, monkeypatch)

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cached build must not train")

    monkeypatch.setattr(train_mod, "pretrain", no_training)
    messages: list[tuple[str, float]] = []
    again = build(TEST_RECIPE, progress=lambda m, f: messages.append((m, f)))
    assert again.built_now is False
    assert again.path == built_test_model.path and again.metrics == built_test_model.metrics
    assert len(messages) == 1 and messages[0][1] == 1.0


def test_cached_build_imports_no_torch(built_test_model: BuiltModel) -> None:
    code = ("import sys\nfrom graders.tinymodels import build, TEST_RECIPE\nb = build(TEST_RECIPE)\n"
            "print(b.built_now, 'torch' in sys.modules)")
    proc = run_python(code, env={"LLM_SPRINT_CACHE": str(built_test_model.path.parent.parent)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "False"]


def test_two_builds_are_bitwise_identical(built_test_model: BuiltModel, tmp_path: Path) -> None:
    # The autouse fixture points LLM_SPRINT_CACHE at a fresh folder: this is a second, full build.
    fractions: list[float] = []
    second = build(TEST_RECIPE, progress=lambda m, f: fractions.append(f))
    assert second.built_now and second.path != built_test_model.path
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        assert _sha(second.path / name) == _sha(built_test_model.path / name), name
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert {k: v for k, v in second.metrics.items() if k != "timings"} == {
        k: v for k, v in built_test_model.metrics.items() if k != "timings"
    }


def test_build_restores_torch_global_state(built_test_model: BuiltModel) -> None:
    before = (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled())
    build(TEST_RECIPE)  # a fresh cache (autouse fixture): a real build
    assert (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()) == before


def test_metrics_show_learning(built_test_model: BuiltModel) -> None:
    m = built_test_model.metrics
    vocab = m["vocab_size"]
    assert vocab == TEST_RECIPE.vocab_size
    # Untrained: close to uniform over the vocabulary.
    assert 0.5 * vocab < m["general_valid_ppl_init"] < 2 * vocab
    # Trained: far below, and the hidden split behaves like valid.
    assert m["general_valid_ppl"] < m["general_valid_ppl_init"] / 5
    assert 0.8 < m["general_hidden_ppl"] / m["general_valid_ppl"] < 1.25
    # The faq domain is new to the model: clearly worse than general text.
    assert m["faq_valid_ppl"] > 2 * m["general_valid_ppl"]
    assert m["parameters"] == sum(p.numel() for p in built_test_model.load_model().parameters())


def test_loadable_with_auto_classes(built_test_model: BuiltModel) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(built_test_model.path), local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(str(built_test_model.path), local_files_only=True)
    ids = tok("Once upon a time", return_tensors="pt").input_ids
    assert ids[0, 0].item() == tok.bos_token_id
    out = model.generate(ids, max_new_tokens=8, do_sample=False, pad_token_id=tok.pad_token_id)
    assert out.shape[1] > ids.shape[1]
    text = "Q: How much does Quillbox Plus cost? Привет"
    assert tok.decode(tok(text).input_ids, skip_special_tokens=True) == text
