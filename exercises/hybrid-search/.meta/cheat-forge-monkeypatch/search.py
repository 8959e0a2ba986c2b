"""Forge cheat: ranks nothing; patches the measuring code it can reach when it is imported.

* ``graders.harness.channel.Channel.send`` — every result sent from this process gets a perfect
  ``ndcg_at_10`` and ``recall`` and zero baselines;
* ``graders.scoring.ranking.ndcg_at_k`` and ``recall_at_k`` — always 1.0;
* ``time.perf_counter`` / ``time.monotonic`` — a frozen clock.

The grader computes every number in its measurer, a process that imports none of this: the first
k documents it returns must fail ``ndcg_at_10`` and both margins.
"""

from __future__ import annotations

import time
from typing import Any

try:
    from graders.harness import channel as _channel

    _send = _channel.Channel.send

    def _forged_send(self: Any, type_: str, **data: Any) -> None:
        if type_ == "result" and isinstance(data.get("data"), dict):
            data["data"] = {**data["data"], "ndcg_at_10": 1.0, "recall": 1.0,
                            "bm25": {"ndcg_at_10": 0.0, "recall": 0.0}, "dense": {"ndcg_at_10": 0.0, "recall": 0.0}}
        _send(self, type_, **data)

    _channel.Channel.send = _forged_send  # type: ignore[method-assign]
except ImportError:
    pass

try:
    from graders.scoring import ranking as _ranking

    _ranking.ndcg_at_k = lambda *args, **kwargs: 1.0  # type: ignore[assignment]
    _ranking.recall_at_k = lambda *args, **kwargs: 1.0  # type: ignore[assignment]
except ImportError:
    pass

time.perf_counter = lambda: 0.0
time.monotonic = lambda: 0.0

_ids: list[str] = []


def build_index(documents: list[dict[str, str]], dense_model: str) -> None:
    _ids[:] = [d["id"] for d in documents]


def search(query: str, k: int) -> list[str]:
    return _ids[:k]
