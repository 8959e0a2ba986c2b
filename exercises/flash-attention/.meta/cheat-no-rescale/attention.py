"""Cheat (the other classic bug): an online softmax that forgets to rescale the running sum and
output when the running max grows. Memory-efficient, exact only while the first block holds
every row's maximum."""

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
            if causal:
                rows = q0 + (Lk - Lq) + torch.arange(bq)[:, None]
                keys = k0 + torch.arange(s.shape[-1])[None, :]
                s = s.masked_fill(keys > rows, -math.inf)
            m = torch.maximum(m, s.amax(-1, keepdim=True))
            p = torch.exp(s - m)
            l = l + p.sum(-1, keepdim=True)  # BUG: no exp(m_old - m_new) correction
            o = o + p @ v[:, :, k0:k0 + BLOCK]
        out[:, :, q0:q0 + BLOCK] = o / l
    return out
