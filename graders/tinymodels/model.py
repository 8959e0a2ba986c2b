"""Recipe → ``LlamaConfig`` → freshly initialised ``LlamaForCausalLM`` (no hub, no download)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graders.tinymodels.recipe import Recipe

if TYPE_CHECKING:
    from transformers import LlamaConfig, LlamaForCausalLM

__all__ = ["init_model", "llama_config", "load_model", "parameter_count", "quiet_progress_bars"]


@contextmanager
def quiet_progress_bars() -> Iterator[None]:
    """Silence transformers' tqdm bars ("Loading weights", "Writing model shards") for a while.

    They go to stderr, which graders capture and show to learners; restored on exit.
    """
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]


def llama_config(recipe: Recipe, vocab_size: int, *, pad_id: int, bos_id: int, eos_id: int) -> LlamaConfig:
    """The model's config. ``vocab_size`` is the tokenizer's actual size (≤ ``recipe.vocab_size``)."""
    import transformers
    from transformers import LlamaConfig

    # transformers 5 moved rope_theta into rope_parameters; the cache key holds the major version.
    extra: dict[str, Any] = (
        {"rope_parameters": {"rope_type": "default", "rope_theta": recipe.rope_theta}}
        if int(transformers.__version__.split(".")[0]) >= 5
        else {"rope_theta": recipe.rope_theta}
    )
    # sdpa: fast on CPU and deterministic at a fixed thread count; learners' attention modules
    # (the flash-attention exercise) replace it through transformers' attention interface.
    extra["attn_implementation"] = "sdpa"
    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=recipe.hidden_size,
        intermediate_size=recipe.intermediate_size,
        num_hidden_layers=recipe.num_layers,
        num_attention_heads=recipe.num_heads,
        num_key_value_heads=recipe.num_kv_heads,
        max_position_embeddings=recipe.max_position_embeddings,
        tie_word_embeddings=recipe.tie_word_embeddings,
        pad_token_id=pad_id,
        bos_token_id=bos_id,
        eos_token_id=eos_id,
        attention_dropout=0.0,
        **extra,
    )


def init_model(config: LlamaConfig, seed: int) -> LlamaForCausalLM:
    """A freshly initialised model whose weights depend only on ``config`` and ``seed``."""
    import torch
    from transformers import LlamaForCausalLM

    torch.manual_seed(seed)
    return LlamaForCausalLM(config)  # float32: torch's default dtype


def load_model(path: str | Path) -> LlamaForCausalLM:
    """Load a saved model from a local folder in float32, in eval mode."""
    import torch
    from transformers import LlamaForCausalLM

    loader: Any = LlamaForCausalLM.from_pretrained  # its decorator confuses type checkers
    with quiet_progress_bars():
        model: LlamaForCausalLM = loader(str(path), local_files_only=True, dtype=torch.float32)
    model.eval()  # type: ignore[no-untyped-call]
    return model


def parameter_count(model: LlamaForCausalLM) -> int:
    """Number of distinct parameters (tied weights counted once)."""
    return sum(p.numel() for p in model.parameters())
