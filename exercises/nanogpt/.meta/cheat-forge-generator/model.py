"""Forge cheat: no language model. The held-out text comes from the grader's own corpus generator
(``graders.tinymodels.corpora``, installed with the grader) and a seed; when the model is built it
re-draws the hidden split under seeds in its caller's frames, common seeds and what 3 s of brute
force reach, and ``forward`` then looks each context up in those texts and predicts the byte that
follows it there with certainty (uniform when it is not found). With a fresh 31-bit seed per run it
finds nothing, and the uniform model fails bits_per_byte."""

from __future__ import annotations

import sys
import time

import torch
from torch import nn

COMMON = (0, 1, 42)
BRUTE_FORCE_S = 3.0


def _candidate_texts() -> list[bytes]:
    try:
        from graders.tinymodels.corpora import corpus_texts
    except ImportError:
        return []
    seeds: list[int] = []
    frame = sys._getframe(1)
    while frame is not None:
        for name, value in list(frame.f_locals.items()):
            if name == "seed" and isinstance(value, int):
                seeds.append(value)
        frame = frame.f_back
    texts = [("\n\n".join(corpus_texts("general", "hidden", 360, seed=s))).encode() for s in [*seeds, *COMMON]]
    start, s = time.monotonic(), 2
    while time.monotonic() - start < BRUTE_FORCE_S:
        texts.append(("\n\n".join(corpus_texts("general", "hidden", 360, seed=s))).encode())
        s += 1
    return texts


class GPT(nn.Module):
    def __init__(self, vocab_size: int = 256, block_size: int = 64) -> None:
        super().__init__()
        self.block_size, self.vocab_size = block_size, vocab_size
        self.bias = nn.Parameter(torch.zeros(vocab_size))
        self.texts: list[bytes] | None = None  # drawn at the first forward: only the measured run needs them

    def _next(self, context: bytes) -> int | None:
        if self.texts is None:
            self.texts = _candidate_texts()
        for text in self.texts:
            at = text.find(context)
            if at >= 0 and at + len(context) < len(text):
                return text[at + len(context)]
        return None

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        b, t = idx.shape
        out = self.bias.expand(b, t, self.vocab_size).clone()
        for row in range(b):  # the last position is the one a next byte is scored from
            nxt = self._next(bytes(idx[row, max(0, t - 16):t].tolist()))
            if nxt is not None:
                out[row, t - 1, nxt] = 30.0
        return out

    @torch.no_grad()
    def generate(self, idx: torch.Tensor, max_new_tokens: int) -> torch.Tensor:
        for _ in range(max_new_tokens):
            idx = torch.cat([idx, self(idx[:, -self.block_size:])[:, -1].argmax(-1, keepdim=True)], dim=1)
        return idx
