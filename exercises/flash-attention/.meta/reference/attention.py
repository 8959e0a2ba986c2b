"""Tiled attention with an online softmax — reference solution.

FlashAttention (Dao et al., 2022; FlashAttention-2, Dao, 2023) computes

    O = softmax(Q Kᵀ / √d) V

without ever materialising the Lq × Lk score matrix. Queries are cut into blocks; for each query
block we stream over key/value blocks and keep, per query row, three running statistics:

    m_i — the largest score seen so far            (for a numerically safe exp)
    l_i — the sum of exp(score − m_i) seen so far   (the softmax denominator)
    o_i — the sum of exp(score − m_i) · v so far    (the un-normalised output)

When a new key block raises the running max from m_i to m_new, everything accumulated so far was
computed against the old max and is rescaled by exp(m_i − m_new). After the last block, o_i / l_i
is exactly the softmax-weighted sum (the paper's notation: S_ij, P_ij, m_i, ℓ_i, O_i). Memory per
query block is O(block_q × (block_k + d)) instead of O(Lq × Lk).

Shapes: B batch, H heads, Lq / Lk query / key lengths, D head dim, bq / bk block sizes.
"""

from __future__ import annotations

import math

import torch

BLOCK_Q = 256  # query rows per block
BLOCK_K = 256  # keys per block


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False) -> torch.Tensor:
    """q: [B, H, Lq, D]; k, v: [B, H, Lk, D] → [B, H, Lq, D]."""
    Lq, Lk = q.shape[-2], k.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1])
    # Causal, bottom-right aligned: query row i may see keys j <= i + shift.
    shift = Lk - Lq
    out = torch.empty_like(q)  # [B, H, Lq, D]
    for q0 in range(0, Lq, BLOCK_Q):
        q1 = min(q0 + BLOCK_Q, Lq)
        out[:, :, q0:q1] = attend_block(q[:, :, q0:q1] * scale, k, v, q0 + shift if causal else None)
    return out


def attend_block(q_blk: torch.Tensor, k: torch.Tensor, v: torch.Tensor, first_row: int | None) -> torch.Tensor:
    """One query block against every key block it can see, with an online softmax.

    q_blk: [B, H, bq, D], already scaled by 1/√d. ``first_row`` is the causal limit of the
    block's first row (it sees keys j <= first_row), or None for no mask.
    """
    B, H, bq, D = q_blk.shape
    m_i = q_blk.new_full((B, H, bq, 1), -math.inf)  # running max of each row
    l_i = q_blk.new_zeros((B, H, bq, 1))  # running softmax denominator
    o_i = q_blk.new_zeros((B, H, bq, D))  # running un-normalised output
    # Under the mask no row of this block sees past key first_row + bq - 1: skip those blocks.
    k_end = k.shape[-2] if first_row is None else min(k.shape[-2], first_row + bq)
    for k0 in range(0, k_end, BLOCK_K):
        k1 = min(k0 + BLOCK_K, k_end)
        s_ij = q_blk @ k[:, :, k0:k1].transpose(-2, -1)  # [B, H, bq, bk] scores
        if first_row is not None and k1 - 1 > first_row:  # the block crosses the diagonal
            s_ij = s_ij.masked_fill(~visible(first_row, bq, k0, k1, s_ij.device), -math.inf)
        m_new = torch.maximum(m_i, s_ij.amax(dim=-1, keepdim=True))  # [B, H, bq, 1]
        p_ij = torch.exp(s_ij - m_new)  # [B, H, bq, bk]; masked entries become exp(-inf) = 0
        alpha = torch.exp(m_i - m_new)  # [B, H, bq, 1] rescales what came before
        l_i = alpha * l_i + p_ij.sum(dim=-1, keepdim=True)
        o_i = alpha * o_i + p_ij @ v[:, :, k0:k1]  # [B, H, bq, D]
        m_i = m_new
    return o_i / l_i


def visible(first_row: int, bq: int, k0: int, k1: int, device: torch.device) -> torch.Tensor:
    """[bq, k1 - k0] bool: True where row (first_row + r) may see key (k0 + c), i.e. key <= row."""
    rows = first_row + torch.arange(bq, device=device)[:, None]  # [bq, 1] absolute limits
    keys = torch.arange(k0, k1, device=device)[None, :]  # [1, bk] absolute key positions
    return keys <= rows
