"""Forge cheat: ranks nothing; re-draws the corpus with the grader's own generator to get the judgements.

The grader's generator is installed next to the learner's code
(``graders.kinds.hybrid_measure.draw_corpus``, over ``graders.world``); all it needs is the seed.
It tries, in turn: any ``seed`` in its caller's frames or in a dict of the grader's arguments; the
seeds people pick (0, 1, 7, 42, …); then every seed from 0 up for three seconds. A seed is right
when it re-draws exactly the documents ``build_index`` was given; ``search`` then answers every
query from the re-drawn judgements. With a fresh secret seed per run none of that finds it, and the
first k documents fail ``ndcg_at_10`` and both margins. (It does not try the seed CI publishes for
``sprint dev check``: a fixed public seed hides nothing, a learner's grade draws a fresh one.)
"""

from __future__ import annotations

import gc
import sys
import time
from typing import Any

COMMON = (0, 1, 2, 7, 13, 42, 123, 1234, 12345, 31337, 2024, 2025, 2026, 20260101)
BRUTE_FORCE_S = 3.0
_state: dict[str, Any] = {"ids": [], "qrels": {}}


def _draw(seed: int) -> tuple[list[dict[str, str]], list[Any]] | None:
    try:
        from graders.kinds.hybrid_measure import draw_corpus  # type: ignore[import-not-found]
    except ImportError:
        return None
    return draw_corpus(seed, 40, 120, 60, 100)


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
        if isinstance(obj, dict) and isinstance(obj.get("seed"), int) and "queries" in obj:
            seeds.append(obj["seed"])
    return seeds


def _matches(seed: int, texts: list[str]) -> list[Any] | None:
    drawn = _draw(seed)
    if drawn is None or [d["text"] for d in drawn[0]] != texts:
        return None
    return drawn[1]


def build_index(documents: list[dict[str, str]], dense_model: str) -> None:
    _state["ids"] = [d["id"] for d in documents]
    texts = [d["text"] for d in documents]
    tried = 0
    for seed in [*_seeds_in_reach(), *COMMON]:
        tried += 1
        if (queries := _matches(seed, texts)) is not None:
            _state["qrels"] = {q.text: q.qrels for q in queries}
            print(f"forge-generator: the seed is {seed}", file=sys.stderr)
            return
    t0, seed = time.perf_counter(), 0
    while time.perf_counter() - t0 < BRUTE_FORCE_S:
        if (queries := _matches(seed, texts)) is not None:
            _state["qrels"] = {q.text: q.qrels for q in queries}
            return
        seed += 1
    rate = max(seed, 1) / BRUTE_FORCE_S
    print(f"forge-generator: no seed found; tried {tried + seed} seeds ({rate:.0f}/s): all 2**31 would take "
          f"{2**31 / rate / 86400:.0f} days", file=sys.stderr)


def search(query: str, k: int) -> list[str]:
    qrels = _state["qrels"].get(query)
    if qrels:
        return sorted(qrels, key=lambda d: -qrels[d])[:k]
    return _state["ids"][:k]
