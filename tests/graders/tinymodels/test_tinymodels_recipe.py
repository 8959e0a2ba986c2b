"""Recipe: validation, JSON round trip, and a hash that is stable and sensitive to every field."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from graders.tinymodels import recipe as recipe_mod
from graders.tinymodels.recipe import DEFAULT_RECIPE, TEST_RECIPE, Recipe, cache_key

from .conftest import run_python


def _variants(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value * 2, value + 1, value - 1, value // 2, value + 2]
    return [value * 2, value / 2, value + 0.5]


@pytest.mark.parametrize("recipe", [DEFAULT_RECIPE, TEST_RECIPE], ids=["default", "test"])
@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(Recipe)])
def test_digest_sensitive_to_every_field(recipe: Recipe, field: str) -> None:
    base = recipe.to_dict()
    for candidate in (v for v in _variants(base[field]) if v != base[field]):
        try:
            changed = Recipe.from_dict({**base, field: candidate})
        except (ValueError, TypeError):
            continue  # not a valid recipe; try the next variant
        assert changed.digest() != recipe.digest()
        assert cache_key(changed) != cache_key(recipe)
        return
    pytest.fail(f"no valid variant of {field}={base[field]!r} to test with")


def test_digest_stable_across_processes() -> None:
    code = "from graders.tinymodels.recipe import DEFAULT_RECIPE, TEST_RECIPE, cache_key\n" \
           "print(DEFAULT_RECIPE.digest(), cache_key(DEFAULT_RECIPE), cache_key(TEST_RECIPE))"
    proc = run_python(code, env={"PYTHONHASHSEED": "777"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [DEFAULT_RECIPE.digest(), cache_key(DEFAULT_RECIPE), cache_key(TEST_RECIPE)]


def test_cache_key_follows_library_majors(monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache_key(DEFAULT_RECIPE)
    real = recipe_mod.library_versions()
    monkeypatch.setattr(recipe_mod, "library_versions", lambda: {**real, "torch": "999"})
    assert cache_key(DEFAULT_RECIPE) != before


def test_json_round_trip_and_partial_json() -> None:
    assert Recipe.from_json(TEST_RECIPE.to_json()) == TEST_RECIPE
    assert Recipe.from_json('{"steps": 10, "warmup_steps": 2}') == dataclasses.replace(
        DEFAULT_RECIPE, steps=10, warmup_steps=2
    )
    with pytest.raises(ValueError, match="unknown recipe field"):
        Recipe.from_json('{"stepz": 10}')
    with pytest.raises(ValueError):
        Recipe.from_json("[1, 2]")


def test_int_for_float_hashes_like_the_float() -> None:
    assert Recipe(lr=1, min_lr=1).digest() == Recipe(lr=1.0, min_lr=1.0).digest()


@pytest.mark.parametrize(
    "changes",
    [
        {"steps": 0},
        {"hidden_size": 130},  # not divisible by 4 heads
        {"num_kv_heads": 3},
        {"seq_len": 1024},  # longer than max_position_embeddings
        {"min_lr": 1.0},  # above lr
        {"warmup_steps": 600},
        {"vocab_size": 100},
        {"steps": True},  # a bool is not an int here
        {"tie_word_embeddings": 1},
        {"lr": "0.1"},
    ],
)
def test_invalid_recipes_rejected(changes: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        Recipe(**changes)


def test_recipe_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_RECIPE.steps = 1  # type: ignore[misc]


def test_learning_rate_schedule() -> None:
    from graders.tinymodels.train import lr_at

    r = DEFAULT_RECIPE
    lrs = [lr_at(step, r) for step in range(r.steps)]
    assert lrs[0] == pytest.approx(r.lr / r.warmup_steps)
    assert max(lrs) == pytest.approx(r.lr) and lrs[r.warmup_steps - 1] == pytest.approx(r.lr)
    assert all(a >= b for a, b in zip(lrs[r.warmup_steps :], lrs[r.warmup_steps + 1 :], strict=False))
    assert lrs[-1] >= r.min_lr and lrs[-1] == pytest.approx(r.min_lr, rel=1e-3)
