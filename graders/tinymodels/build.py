"""Recipe → cached folder with tokenizer, pretrained weights, recipe.json and metrics.json.

:func:`build` is the only entry point. When the entry exists it returns at once and imports
nothing heavy (reading two JSON files), so the CLI can call it freely. Otherwise it runs the
pipeline below under :func:`graders.tinymodels.train.deterministic`::

    general corpus ──► BPE tokenizer ──► packed token stream ──► pretrain LlamaForCausalLM
                                                                    │
            metrics.json ◄── perplexity on general valid/hidden and faq valid/hidden
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graders.tinymodels import cache
from graders.tinymodels.corpora import corpus_texts
from graders.tinymodels.recipe import DEFAULT_RECIPE, Recipe, cache_key

if TYPE_CHECKING:
    from transformers import LlamaForCausalLM, PreTrainedTokenizerFast

__all__ = ["BuiltModel", "Progress", "build"]

#: ``progress(message, fraction)``: a short human-readable line and the overall fraction done,
#: in [0, 1] and non-decreasing within one build.
Progress = Callable[[str, float], None]

# Share of the total build time each stage takes (measured on 2 cores), for a smooth fraction.
_STAGES = {"corpus": 0.01, "tokenizer": 0.02, "train": 0.90, "evaluate": 0.06, "save": 0.01}


@dataclass(frozen=True)
class BuiltModel:
    """A complete cache entry. Cheap to create; loading the model is explicit."""

    path: Path
    recipe_hash: str
    recipe: Recipe
    metrics: dict[str, Any] = field(hash=False)
    built_now: bool = False  # True when this call trained the model, False when it was cached

    def load_model(self) -> LlamaForCausalLM:
        """A fresh float32 copy of the pretrained model, in eval mode (callers may modify it)."""
        from graders.tinymodels.model import load_model

        return load_model(self.path)

    def load_tokenizer(self) -> PreTrainedTokenizerFast:
        from graders.tinymodels.tokenizer import load_tokenizer

        return load_tokenizer(self.path)


def build(recipe: Recipe = DEFAULT_RECIPE, progress: Progress | None = None) -> BuiltModel:
    """Return the built model for ``recipe``, building it first if the cache has no entry.

    Safe to call from several processes at once: one builds, the others wait and reuse its
    entry. Same recipe, same machine, same library majors → bitwise-identical weights.
    """
    report = progress or (lambda message, fraction: None)
    key = cache_key(recipe)
    path, built_now = cache.ensure_entry(
        key,
        lambda tmp: _build_into(tmp, recipe, report),
        on_wait=lambda: report("another process is building this model; waiting for it", 0.0),
    )
    metrics = json.loads((path / "metrics.json").read_text())
    if not built_now:
        report(f"cached model at {path}", 1.0)
    return BuiltModel(path=path, recipe_hash=key, recipe=recipe, metrics=metrics, built_now=built_now)


class _Meter:
    """Turns (stage, fraction of stage) into an overall fraction for the progress callback."""

    def __init__(self, report: Progress) -> None:
        self.report = report
        self.done = 0.0

    def __call__(self, stage: str, message: str, within: float = 0.0) -> None:
        self.report(message, min(1.0, self.done + _STAGES[stage] * within))

    def finish(self, stage: str) -> None:
        self.done += _STAGES[stage]


def _build_into(out: Path, recipe: Recipe, report: Progress) -> None:
    import torch

    from graders.tinymodels.metrics import perplexity
    from graders.tinymodels.model import init_model, llama_config, parameter_count, quiet_progress_bars
    from graders.tinymodels.tokenizer import train_tokenizer
    from graders.tinymodels.train import deterministic, pack_documents, pretrain

    meter = _Meter(report)
    timings: dict[str, float] = {}
    t_start = time.perf_counter()

    with deterministic(recipe.num_threads):
        t = time.perf_counter()
        meter("corpus", "generating the general corpus")
        train_texts = corpus_texts("general", "train", recipe.train_docs, seed=recipe.corpus_seed)
        evals = {
            f"{name}_{split}": corpus_texts(name, split, recipe.eval_docs, seed=recipe.corpus_seed)
            for name in ("general", "faq")
            for split in ("valid", "hidden")
        }
        timings["corpus_s"] = time.perf_counter() - t
        meter.finish("corpus")

        t = time.perf_counter()
        meter("tokenizer", f"training a byte-level BPE tokenizer (≤ {recipe.vocab_size} tokens)")
        tokenizer = train_tokenizer(train_texts, recipe.vocab_size)
        stream = pack_documents(tokenizer, train_texts)  # (N,)
        timings["tokenizer_s"] = time.perf_counter() - t
        meter.finish("tokenizer")

        config = llama_config(
            recipe, len(tokenizer),
            pad_id=tokenizer.pad_token_id, bos_id=tokenizer.bos_token_id, eos_id=tokenizer.eos_token_id,
        )
        model = init_model(config, recipe.seed)

        def ppl(split: str) -> float:
            return perplexity(model, tokenizer, evals[split],
                              max_length=recipe.eval_max_length, batch_size=recipe.eval_batch_size)

        t = time.perf_counter()
        ppl_init = ppl("general_valid")
        timings["evaluate_s"] = time.perf_counter() - t
        t = time.perf_counter()

        def on_step(step: int, loss: float) -> None:
            if step == 1 or step % 20 == 0 or step == recipe.steps:
                meter("train", f"pretraining step {step}/{recipe.steps}, loss {loss:.3f}", step / recipe.steps)

        losses = pretrain(model, stream, recipe, on_step)
        timings["train_s"] = time.perf_counter() - t
        meter.finish("train")

        t = time.perf_counter()
        meter("evaluate", "measuring perplexity on held-out splits")
        after = {split: ppl(split) for split in evals}
        timings["evaluate_s"] += time.perf_counter() - t
        meter.finish("evaluate")

        meter("save", f"saving to {out}")
        with quiet_progress_bars():
            model.save_pretrained(out)  # safetensors
            tokenizer.save_pretrained(out)
        (out / "recipe.json").write_text(recipe.to_json())
        timings["total_s"] = time.perf_counter() - t_start
        metrics = {
            "parameters": parameter_count(model),
            "vocab_size": len(tokenizer),
            "train_tokens": int(stream.numel()),
            "final_train_loss": sum(losses[-20:]) / len(losses[-20:]),
            "general_valid_ppl_init": ppl_init,
            **{f"{split}_ppl": value for split, value in after.items()},
            "eval_docs": recipe.eval_docs,
            "eval_max_length": recipe.eval_max_length,
            "timings": {k: round(v, 2) for k, v in timings.items()},
            "torch": torch.__version__,
        }
        # Written last: its presence marks the entry complete (see graders.tinymodels.cache).
        (out / cache.ENTRY_MARKER).write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
        meter.finish("save")
    report("done", 1.0)

