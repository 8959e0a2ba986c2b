"""The recipe: every knob that decides the bits of a built tiny model, and nothing else.

A :class:`Recipe` is frozen and plain data (ints, floats, bools). Its :meth:`Recipe.digest` is a
SHA-256 over the canonical JSON of *every* field, so changing any field gives a different cache
entry; :func:`cache_key` adds the major versions of torch, transformers and tokenizers (read
from package metadata, so computing a key never imports them) and :data:`KIT_VERSION`, which we
bump when the build code changes in a way that changes the output.

Budgets are expressed in *steps*, never in seconds, so a recipe means the same model on a fast
and on a slow machine.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from graders.tinymodels.corpora import CORPUS_SEED, DEFAULT_SIZES

__all__ = ["DEFAULT_RECIPE", "KIT_VERSION", "TEST_RECIPE", "Recipe", "cache_key", "library_versions"]

#: Bump when build code changes its output for an unchanged recipe (invalidates every cache entry).
KIT_VERSION = 2

# Field annotation (a string, under `from __future__ import annotations`) → accepted runtime types.
_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {"int": int, "float": (int, float), "bool": bool}


@dataclass(frozen=True)
class Recipe:
    """How to build one tokenizer + tiny Llama. Defaults are the one the exercises use."""

    # Corpora (see graders.tinymodels.corpora): documents drawn from the general corpus.
    corpus_seed: int = CORPUS_SEED
    train_docs: int = DEFAULT_SIZES["general"]["train"]
    eval_docs: int = DEFAULT_SIZES["general"]["valid"]  # per evaluated split, for metrics.json

    # Tokenizer: byte-level BPE. An upper bound — BPE stops early when no pair is left to merge.
    vocab_size: int = 4096

    # Model: a LlamaConfig (~2M parameters by default).
    hidden_size: int = 128
    intermediate_size: int = 384
    num_layers: int = 4
    num_heads: int = 4
    num_kv_heads: int = 4
    max_position_embeddings: int = 512
    rope_theta: float = 10_000.0
    tie_word_embeddings: bool = False

    # Pretraining on the general train split: AdamW, linear warm-up then cosine decay.
    seed: int = 0
    steps: int = 500
    batch_size: int = 16
    seq_len: int = 128
    lr: float = 5e-3
    min_lr: float = 5e-4
    warmup_steps: int = 25
    weight_decay: float = 0.1
    grad_clip: float = 1.0

    # Evaluation and determinism.
    eval_max_length: int = 256
    eval_batch_size: int = 32
    num_threads: int = 2  # torch intra-op threads during the build: part of the bits on CPU

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            # bool is an int subclass; reject it where an int is meant and vice versa.
            expected = _FIELD_TYPES[str(f.type)]
            if isinstance(value, bool) != (f.type == "bool") or not isinstance(value, expected):
                raise TypeError(f"Recipe.{f.name} must be {f.type}, got {value!r}")
            if f.type == "float" and isinstance(value, (int, float)):
                object.__setattr__(self, f.name, float(value))  # so lr=1 and lr=1.0 hash alike
        positive = ("train_docs", "eval_docs", "vocab_size", "hidden_size", "intermediate_size",
                    "num_layers", "num_heads", "num_kv_heads", "steps", "batch_size", "seq_len",
                    "eval_max_length", "eval_batch_size", "num_threads")
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(f"Recipe.{name} must be > 0, got {getattr(self, name)}")
        if self.vocab_size < 256 + 3:
            raise ValueError("Recipe.vocab_size must cover the 256 bytes and 3 special tokens")
        if self.hidden_size % self.num_heads or self.num_heads % self.num_kv_heads:
            raise ValueError("hidden_size must divide by num_heads, and num_heads by num_kv_heads")
        if (self.hidden_size // self.num_heads) % 2:
            raise ValueError("the head dimension must be even (rotary embeddings)")
        if max(self.seq_len, self.eval_max_length) > self.max_position_embeddings:
            raise ValueError("seq_len and eval_max_length must fit in max_position_embeddings")
        if not 0 < self.min_lr <= self.lr:
            raise ValueError("need 0 < min_lr <= lr")
        if not 0 <= self.warmup_steps < self.steps:
            raise ValueError("need 0 <= warmup_steps < steps")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recipe:
        """Inverse of :meth:`to_dict`; unknown keys are an error (a typo must not go unnoticed).

        Missing keys take their defaults, so a JSON file may hold only the fields it changes.
        """
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown recipe field(s): {', '.join(unknown)}")
        return cls(**data)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Recipe:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a recipe JSON must be an object")
        return cls.from_dict(data)

    def digest(self) -> str:
        """SHA-256 (hex) of the canonical JSON of every field. Stable across processes and machines."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def library_versions() -> dict[str, str]:
    """Major versions of the libraries that shape the weights and the files on disk.

    Read from package metadata: computing a cache key must not import torch.
    """
    out: dict[str, str] = {}
    for dist in ("torch", "transformers", "tokenizers"):
        try:
            out[dist] = metadata.version(dist).split(".")[0]
        except metadata.PackageNotFoundError:
            out[dist] = "absent"
    return out


def cache_key(recipe: Recipe) -> str:
    """The name of ``recipe``'s cache entry: a hash of the recipe, the library majors and the kit."""
    payload = json.dumps(
        {"recipe": recipe.digest(), "libraries": library_versions(), "kit": KIT_VERSION},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


#: The model the exercises use: ~2M parameters, about a minute and a half of pretraining on 2 cores.
DEFAULT_RECIPE = Recipe()

#: A toy for unit tests: builds in a few seconds.
TEST_RECIPE = Recipe(
    train_docs=1_500,
    eval_docs=100,
    vocab_size=512,
    hidden_size=64,  # multiples of 64: bitsandbytes' 4-bit CPU path needs in_features % 64 == 0
    intermediate_size=128,
    num_layers=2,
    num_heads=2,
    num_kv_heads=2,
    max_position_embeddings=256,
    steps=120,
    batch_size=8,
    seq_len=64,
    lr=1e-2,
    min_lr=1e-3,
    warmup_steps=10,
    eval_max_length=128,
)
