"""Your decoder-only Transformer over bytes, in plain PyTorch (see README.md).

``GPT(**config)`` is built by the grader from the ``config.json`` your ``train`` saves; ``forward``
and ``generate`` are called on the loaded checkpoint. Keep this file self-contained (torch only):
the grader measures the checkpoint with this file alone, without train.py.
"""

from __future__ import annotations

import torch
from torch import nn


class GPT(nn.Module):
    def __init__(self, vocab_size: int = 256, block_size: int = 64, **hyper: int | float) -> None:
        super().__init__()
        raise NotImplementedError("build the embeddings, the causal self-attention blocks and the head")

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """idx [B, T] (byte values, T <= block_size) → logits [B, T, vocab_size]."""
        raise NotImplementedError

    @torch.no_grad()
    def generate(self, idx: torch.Tensor, max_new_tokens: int) -> torch.Tensor:
        """Greedy: append the most likely next byte ``max_new_tokens`` times → [B, T + max_new_tokens]."""
        raise NotImplementedError
