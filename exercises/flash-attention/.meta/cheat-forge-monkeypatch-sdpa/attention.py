"""Forge cheat: PyTorch's fused kernel, with the grader's fused-kernel watch patched away.

Built on cheat-forge-monkeypatch (its forge_patches.py silences every instrument in this process:
the watch records nothing, the import blocker lets everything through, torch function modes see
no call). Exact and memory-efficient, so it passes ``max_abs_error`` and ``memory_ratio``; the
watch in its process sees nothing. What it cannot patch is the grader's static scan of this file,
done by the grader's own process: it must fail ``no_fused_kernel``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

import forge_patches  # noqa: F401 — imported for what it patches


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False) -> torch.Tensor:
    mask = None
    if causal:
        Lq, Lk = q.shape[-2], k.shape[-2]
        mask = torch.arange(Lk)[None, :] <= torch.arange(Lq)[:, None] + (Lk - Lq)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
