"""Forge cheat: plain O(n²) attention that tries to do its long call ahead of the measurement.

The grader's case generator is installed with it (``graders.kinds.attention_measure``: ``draw_cases``,
``make_inputs``; before issue 13, ``graders.kinds.attention_child``). On its first call it looks for
the run's seed: any ``seed`` in its caller's frames or in a dict of the grader's arguments, the
seeds people pick (0, 1, 7, 42, …), then every seed from 0 up for three seconds — a seed is right
when its first case has exactly this call's inputs (the case shapes rule out most seeds at once).
With the seed it re-draws the inputs of the memory measurement (as the grader drew them before
issue 13: from the seed), computes their output here, where memory is not measured, and leaves it
in the shared cache folder; the memory call then just loads it. With a fresh secret seed per run —
and memory inputs the measurer draws from a secret of its own — none of that works, and the memory
call computes the whole score matrix: it must fail ``memory_ratio``. (It does not try the seed CI
publishes for ``sprint dev check`` in ``.ci/run``.)
"""

from __future__ import annotations

import gc
import hashlib
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import torch

COMMON = (0, 1, 2, 7, 13, 42, 123, 1234, 12345, 31337, 2024, 2025, 2026, 20260101)
BRUTE_FORCE_S = 3.0
_searched: list[int | None] = []


def _naive(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool) -> torch.Tensor:
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # [B, H, Lq, Lk]
    if causal:
        Lq, Lk = q.shape[-2], k.shape[-2]
        s = s.masked_fill(torch.arange(Lk)[None, :] > torch.arange(Lq)[:, None] + (Lk - Lq), -math.inf)
    return torch.softmax(s, dim=-1) @ v


def _generator() -> Any:
    try:
        from graders.kinds import attention_measure as gen  # type: ignore[import-not-found]
    except ImportError:
        from graders.kinds import attention_child as gen  # type: ignore[import-not-found,no-redef]
    return gen


def _stash(q: torch.Tensor) -> Path:
    digest = hashlib.sha256(q.contiguous().numpy().tobytes()).hexdigest()[:16]
    return Path(os.environ.get("LLM_SPRINT_CACHE", "/tmp")) / f".forge-attention-{digest}.pt"


def _seeds_in_reach() -> list[int]:
    seeds: list[int] = []
    frame = sys._getframe(2)
    while frame is not None:
        for name, value in list(frame.f_locals.items()):
            if name == "seed" and isinstance(value, int):
                seeds.append(value)
            if type(value) is dict and isinstance(value.get("seed"), int):
                seeds.append(value["seed"])
        frame = frame.f_back
    seeds += [o["seed"] for o in gc.get_objects() if type(o) is dict and isinstance(o.get("seed"), int)]
    return seeds


def _matches(gen: Any, seed: int, q: torch.Tensor) -> bool:
    case = gen.draw_cases(seed)[0]
    if (case.batch, case.heads, case.q_len, case.head_dim) != tuple(q.shape):
        return False
    return bool(torch.equal(gen.make_inputs(case, seed * 1000)[0], q))


def _find_seed(q: torch.Tensor) -> int | None:
    gen = _generator()
    for seed in [*_seeds_in_reach(), *COMMON]:
        if _matches(gen, seed, q):
            return seed
    t0, seed = time.perf_counter(), 0
    while time.perf_counter() - t0 < BRUTE_FORCE_S:
        if _matches(gen, seed, q):
            return seed
        seed += 1
    print(f"forge-generator: no seed found; tried {seed} seeds in {BRUTE_FORCE_S:.0f} s: all 2**31 would take "
          f"{2**31 / max(seed, 1) * BRUTE_FORCE_S / 3600:.0f} h", file=sys.stderr)
    return None


def _precompute(seed: int) -> None:
    """The memory call's inputs as the grader drew them before issue 13: [1, 8, 4096, 64] from the seed."""
    g = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(1, 8, 4096, 64, generator=g) for _ in range(3))
    torch.save(_naive(q, k, v, False), _stash(q))


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False) -> torch.Tensor:
    if not _searched:
        _searched.append(_find_seed(q))
        if _searched[0] is not None:
            print(f"forge-generator: the seed is {_searched[0]}", file=sys.stderr)
            _precompute(_searched[0])
    stash = _stash(q)
    if q.shape[-2] >= 4096 and stash.exists():
        return torch.load(stash, weights_only=True)
    return _naive(q, k, v, causal)
