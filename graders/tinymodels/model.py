"""Recipe → ``LlamaConfig`` → freshly initialised ``LlamaForCausalLM`` (no hub, no download)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from graders.tinymodels.recipe import Recipe

if TYPE_CHECKING:
    from transformers import LlamaConfig, LlamaForCausalLM

__all__ = ["init_model", "llama_config", "load_model", "parameter_count"]


def llama_config(recipe: Recipe, vocab_size: int, *, pad_id: int, bos_id: int, eos_id: int) -> LlamaConfig:
    """The model's config. ``vocab_size`` is the tokenizer's actual size (≤ ``recipe.vocab_size``)."""
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=recipe.hidden_size,
        intermediate_size=recipe.intermediate_size,
        num_hidden_layers=recipe.num_layers,
        num_attention_heads=recipe.num_heads,
        num_key_value_heads=recipe.num_kv_heads,
        max_position_embeddings=recipe.max_position_embeddings,
        rope_theta=recipe.rope_theta,
        tie_word_embeddings=recipe.tie_word_embeddings,
        pad_token_id=pad_id,
        bos_token_id=bos_id,
        eos_token_id=eos_id,
        attention_dropout=0.0,
        # sdpa: fast on CPU and deterministic at a fixed thread count; learners' attention
        # modules (the flash-attention exercise) replace it through the attention interface.
        attn_implementation="sdpa",
    )


def init_model(config: LlamaConfig, seed: int) -> LlamaForCausalLM:
    """A freshly initialised model whose weights depend only on ``config`` and ``seed``."""
    import torch
    from transformers import LlamaForCausalLM

    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    return model.to(torch.float32)


def load_model(path: str | Path) -> LlamaForCausalLM:
    """Load a saved model from a local folder in float32, in eval mode."""
    from transformers import LlamaForCausalLM

    model = LlamaForCausalLM.from_pretrained(str(path), local_files_only=True, dtype="float32")
    return model.eval()


def parameter_count(model: LlamaForCausalLM) -> int:
    """Number of distinct parameters (tied weights counted once)."""
    return sum(p.numel() for p in model.parameters())
