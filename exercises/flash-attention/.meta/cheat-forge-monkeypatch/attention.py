"""Forge cheat: plain O(n²) attention, with every in-process instrument patched (forge_patches.py).

It materialises the full score matrix, then resets its process's memory high-water mark and
reports nothing else. Where memory is read from outside the process that runs this code, and the
process cannot reset its own mark (the grader's worker gets a read-only /proc), none of that
matters: it must fail ``memory_ratio`` (and pass ``max_abs_error``).
"""

from __future__ import annotations

import math
import sys

import torch

import forge_patches


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False) -> torch.Tensor:
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # [B, H, Lq, Lk]
    if causal:
        Lq, Lk = q.shape[-2], k.shape[-2]
        s = s.masked_fill(torch.arange(Lk)[None, :] > torch.arange(Lq)[:, None] + (Lk - Lq), -math.inf)
    out = torch.softmax(s, dim=-1) @ v
    del s
    if q.shape[-2] >= 4096:
        print(f"forge-monkeypatch: resetting the high-water mark: {forge_patches.reset_high_water_mark()}",
              file=sys.stderr)
    return out
