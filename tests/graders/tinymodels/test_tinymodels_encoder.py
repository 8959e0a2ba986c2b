"""The tiny BERT encoder: recipe validation and hashing, a bitwise-deterministic cached build that
AutoModelForQuestionAnswering and a fast tokenizer load, and an import that pulls in nothing heavy."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from graders.tinymodels.encoder import (
    DEFAULT_ENCODER_RECIPE,
    TEST_ENCODER_RECIPE,
    EncoderRecipe,
    build_encoder,
    encoder_cache_key,
)
from graders.tinymodels.recipe import DEFAULT_RECIPE, cache_key

from .conftest import run_python


def _changed(recipe: EncoderRecipe, name: str) -> EncoderRecipe:
    """``recipe`` with field ``name`` set to another value the recipe accepts."""
    value = getattr(recipe, name)
    for candidate in (value * 2, value + 1, value + 0.1, value / 2):
        if type(value)(candidate) == value:
            continue
        try:
            return dataclasses.replace(recipe, **{name: type(value)(candidate)})
        except ValueError:
            continue
    raise AssertionError(f"no other valid value found for {name}")


def test_the_key_changes_with_every_field_and_never_equals_a_llama_key() -> None:
    assert encoder_cache_key(DEFAULT_ENCODER_RECIPE) != cache_key(DEFAULT_RECIPE)
    assert encoder_cache_key(EncoderRecipe()) == encoder_cache_key(DEFAULT_ENCODER_RECIPE)
    for field in dataclasses.fields(EncoderRecipe):
        other = _changed(DEFAULT_ENCODER_RECIPE, field.name)
        assert getattr(other, field.name) != getattr(DEFAULT_ENCODER_RECIPE, field.name), field.name
        assert encoder_cache_key(other) != encoder_cache_key(DEFAULT_ENCODER_RECIPE), field.name


@pytest.mark.parametrize(("field", "value", "says"), [
    ("num_heads", 3, "divide"), ("steps", 0, "must be > 0"), ("mask_prob", 1.0, "mask_prob"),
    ("seq_len", 1024, "max_position_embeddings"), ("warmup_steps", 6000, "warmup_steps"),
    ("dropout", 1.0, "dropout")])
def test_a_bad_recipe_is_refused_naming_the_field(field: str, value: object, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        EncoderRecipe(**{field: value})  # type: ignore[arg-type]


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown encoder recipe field"):
        EncoderRecipe.from_dict({"hidden": 3})


def test_importing_the_encoder_module_imports_nothing_heavy() -> None:
    proc = run_python("import sys\nimport graders.tinymodels.encoder as e\ne.encoder_cache_key(e.EncoderRecipe())\n"
                      "print(sorted({'torch', 'transformers', 'tokenizers', 'numpy'} & set(sys.modules)))\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_test_encoder_builds_deterministically_and_loads_for_question_answering(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    first = build_encoder(TEST_ENCODER_RECIPE)
    assert first.built_now and first.path.name == first.recipe_hash
    assert first.metrics["masked_accuracy"] > first.metrics["masked_accuracy_init"]
    monkeypatch.setenv("LLM_SPRINT_CACHE", str(tmp_path / "other"))
    second = build_encoder(TEST_ENCODER_RECIPE)
    assert second.built_now and _sha(second.path / "model.safetensors") == _sha(first.path / "model.safetensors")
    assert build_encoder(TEST_ENCODER_RECIPE).built_now is False

    tokenizer = transformers.AutoTokenizer.from_pretrained(first.path)
    model = transformers.AutoModelForQuestionAnswering.from_pretrained(first.path)
    enc = tokenizer(["who?"], ["Ada lives in Tarsk."], return_offsets_mapping=True, return_tensors="pt")
    assert tokenizer.is_fast and enc.sequence_ids(0)[0] is None and 1 in enc.sequence_ids(0)
    offsets = enc.pop("offset_mapping")
    with torch.no_grad():
        out = model(**enc)
    assert out.start_logits.shape == offsets.shape[:2]
