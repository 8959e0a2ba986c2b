"""Cheat (a classic tiling bug): the causal mask is built from *tile-local* indices, so every tile
is masked as if it sat on the diagonal. Memory-efficient, and right whenever causal=False."""

from __future__ import annotations

import math

import torch

BLOCK = 128


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False) -> torch.Tensor:
    B, H, Lq, D = q.shape
    Lk = k.shape[-2]
    scale = 1.0 / math.sqrt(D)
    out = torch.empty_like(q)
    for q0 in range(0, Lq, BLOCK):
        qb = q[:, :, q0:q0 + BLOCK] * scale
        bq = qb.shape[-2]
        m = qb.new_full((B, H, bq, 1), -math.inf)
        l = qb.new_zeros((B, H, bq, 1))
        o = qb.new_zeros((B, H, bq, D))
        for k0 in range(0, Lk, BLOCK):
            s = qb @ k[:, :, k0:k0 + BLOCK].transpose(-2, -1)
            if causal:  # BUG: positions relative to the tile, not to the sequence
                keep = torch.arange(s.shape[-1])[None, :] <= torch.arange(bq)[:, None]
                s = s.masked_fill(~keep, -math.inf)
            m_new = torch.maximum(m, s.amax(-1, keepdim=True))
            p = torch.exp(s - m_new)
            alpha = torch.exp(m - m_new)
            l = alpha * l + p.sum(-1, keepdim=True)
            o = alpha * o + p @ v[:, :, k0:k0 + BLOCK]
            m = m_new
        out[:, :, q0:q0 + BLOCK] = o / l
    return out
