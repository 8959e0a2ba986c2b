"""Cheat: a bigram table — the next byte's logits from the current byte alone (no attention)."""

from __future__ import annotations

import torch
from torch import nn


class GPT(nn.Module):
    def __init__(self, vocab_size: int = 256, block_size: int = 64) -> None:
        super().__init__()
        self.block_size = block_size
        self.table = nn.Embedding(vocab_size, vocab_size)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        return self.table(idx)

    @torch.no_grad()
    def generate(self, idx: torch.Tensor, max_new_tokens: int) -> torch.Tensor:
        for _ in range(max_new_tokens):
            idx = torch.cat([idx, self(idx)[:, -1].argmax(-1, keepdim=True)], dim=1)
        return idx
