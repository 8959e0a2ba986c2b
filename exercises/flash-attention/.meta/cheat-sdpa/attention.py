"""Cheat: hands the work to PyTorch's fused kernel (memory-efficient and exact, but not yours)."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False) -> torch.Tensor:
    mask = None
    if causal:
        Lq, Lk = q.shape[-2], k.shape[-2]
        mask = torch.arange(Lk)[None, :] <= torch.arange(Lq)[:, None] + (Lk - Lq)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
