"""Forge cheat: trains nothing; re-draws the hidden problem with the grader's own generator.

The grader's code is installed next to the learner's, so the generator of the regression problem
can be imported (``graders.kinds.torch_train_measure.draw_problem``; before it existed, the same
draw was written out in ``graders.kinds.torch_train_child``). All it needs is the seed. It tries,
in turn: any ``seed`` it finds in its caller's frames or in a dict of the grader's arguments; the
seeds people pick (0, 1, 7, 42, …); then every seed from 0 up for three seconds. A seed is right
when it re-draws exactly the ``x`` that ``fit`` was given; the model then gets the true weights.
With a fresh secret seed per run (``sprint grade`` draws 31 bits) none of that finds it, and the
untrained model fails ``r2`` and ``weight_error``. (It does not try the seed that CI publishes for
``sprint dev check`` in ``.ci/run``: a cheat that knows the fixed test seed learns nothing about a
learner's grade.)
"""

from __future__ import annotations

import gc
import sys
import time
from typing import Any

import torch

COMMON = (0, 1, 2, 7, 13, 42, 123, 1234, 12345, 31337, 2024, 2025, 2026, 20260101)
BRUTE_FORCE_S = 3.0


def _draw(seed: int, d: int, n: int, noise: float) -> tuple[torch.Tensor, torch.Tensor, float]:
    """(x_train, true_w, true_b) of ``seed``, with the grader's generator when it can be imported."""
    try:
        from graders.kinds.torch_train_measure import draw_problem  # type: ignore[import-not-found]

        p = draw_problem(seed, features=d, samples=n, noise=noise)
        return p.x_train, p.true_w, p.true_b
    except ImportError:  # the grader's draw as it was written in torch_train_child
        gen = torch.Generator().manual_seed(seed)
        true_w = torch.randn(d, generator=gen)
        sign = 1.0 if float(torch.rand(1, generator=gen)) < 0.5 else -1.0
        true_b = sign * (1.0 + 2.0 * float(torch.rand(1, generator=gen)))
        x = torch.randn(n + n // 4, d, generator=gen)
        return x[:n], true_w, true_b


def _seeds_in_reach() -> list[int]:
    seeds: list[int] = []
    frame = sys._getframe(2)
    while frame is not None:
        for name, value in list(frame.f_locals.items()):
            if name == "seed" and isinstance(value, int):
                seeds.append(value)
            if isinstance(value, dict) and isinstance(value.get("seed"), int):
                seeds.append(value["seed"])
        frame = frame.f_back
    for obj in gc.get_objects():
        try:  # some objects in a worker's heap (lazy proxies) raise on isinstance; a forger skips them
            if isinstance(obj, dict) and isinstance(obj.get("seed"), int) and "features" in obj:
                seeds.append(obj["seed"])
        except Exception:
            continue
    return seeds


def _find_seed(x: torch.Tensor, noise: float) -> int | None:
    n, d = x.shape
    for seed in [*_seeds_in_reach(), *COMMON]:
        if torch.equal(_draw(seed, d, n, noise)[0], x):
            return seed
    t0, seed = time.perf_counter(), 0
    while time.perf_counter() - t0 < BRUTE_FORCE_S:
        if torch.equal(_draw(seed, d, n, noise)[0], x):
            return seed
        seed += 1
    rate = seed / BRUTE_FORCE_S
    print(f"forge-generator: no seed found; tried {seed} seeds in {BRUTE_FORCE_S:.0f} s ({rate:.0f}/s): "
          f"all 2**31 would take {2**31 / rate / 3600:.0f} h", file=sys.stderr)
    return None


def fit(x: torch.Tensor, y: torch.Tensor, device: str) -> torch.nn.Module:
    model = torch.nn.Linear(x.shape[1], 1).to(device)
    seed = _find_seed(x, noise=0.05)
    if seed is not None:
        _, true_w, true_b = _draw(seed, x.shape[1], x.shape[0], 0.05)
        print(f"forge-generator: the seed is {seed}", file=sys.stderr)
        with torch.no_grad():
            model.weight.copy_(true_w.reshape(1, -1))
            model.bias.fill_(true_b)
    return model

