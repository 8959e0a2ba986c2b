"""The tiny-model kit: generated corpora, a deterministic tokenizer + tiny Llama, a cache, perplexity.

Everything the model exercises (LoRA fine-tuning, quantization, flash-attention in a model) need
on a machine with no GPU and no internet::

    from graders import tinymodels as tm

    built = tm.build()                     # ~2 minutes the first time, then instant (cached)
    model, tok = built.load_model(), built.load_tokenizer()
    texts = tm.corpus_texts("faq", "valid")
    print(tm.perplexity(model, tok, texts))

Public API
----------
``Recipe``, ``DEFAULT_RECIPE``, ``TEST_RECIPE``
    Frozen description of a build (corpus sizes, seeds, vocabulary, Llama shape, training steps).
``build(recipe=DEFAULT_RECIPE, progress=None) -> BuiltModel``
    Build into the cache, or return the cached entry at once. Process-safe and deterministic.
``BuiltModel``
    ``path``, ``recipe_hash``, ``recipe``, ``metrics`` (the entry's metrics.json), ``built_now``,
    ``load_model()``, ``load_tokenizer()``.
``cache_dir() -> Path``
    ``$LLM_SPRINT_CACHE``, else ``$XDG_CACHE_HOME/llm-sprint``, else ``~/.cache/llm-sprint``.
``corpus_texts(name, split, size=None, *, seed=CORPUS_SEED) -> list[str]``
    The ``"general"`` or ``"faq"`` corpus, split ``"train"``, ``"valid"`` or ``"hidden"``.
``perplexity(model, tokenizer, texts, *, max_length=256, batch_size=16) -> float``
    Token-level perplexity as graders measure it (see :mod:`graders.tinymodels.metrics`).

Command line: ``python -m graders.tinymodels build [--recipe-json FILE | --test] [--json]``.

Importing this package imports neither torch nor transformers (they load inside the functions
that need them): the ``sprint`` CLI imports it on paths that must start fast.
"""

from __future__ import annotations

from graders.tinymodels.build import BuiltModel, build
from graders.tinymodels.cache import cache_dir
from graders.tinymodels.corpora import corpus_texts
from graders.tinymodels.metrics import perplexity
from graders.tinymodels.recipe import DEFAULT_RECIPE, TEST_RECIPE, Recipe

__all__ = [
    "DEFAULT_RECIPE",
    "TEST_RECIPE",
    "BuiltModel",
    "Recipe",
    "build",
    "cache_dir",
    "corpus_texts",
    "perplexity",
]
