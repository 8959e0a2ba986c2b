"""Forge cheat: ranks nothing; hunts its own process for the grader's relevance judgements.

It walks ``sys._getframe()`` up from ``search`` and every object ``gc.get_objects()`` returns,
looking for the judgements (an object with a ``qrels`` mapping of document ids, or such a mapping
under the name ``qrels``) or the grader's result channel (a ``Channel`` with ``send`` and a ``_key``).
With the judgements it returns the relevant documents first; with the channel it sends a perfect
result and ends the process. The grader's worker holds neither: it returns the first k documents
and must fail ``ndcg_at_10`` and both margins.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

_ids: list[str] = []


def _is_channel(obj: Any) -> bool:
    try:
        return type(obj).__name__ == "Channel" and hasattr(type(obj), "send") and hasattr(obj, "_key")
    except Exception:
        return False


def _judgements(query: str) -> dict[str, int] | None:
    frame = sys._getframe(1)
    while frame is not None:
        for name, value in list(frame.f_locals.items()):
            if name == "qrels" and isinstance(value, dict):
                return value
        frame = frame.f_back
    for obj in gc.get_objects():
        try:
            if getattr(obj, "text", None) == query and isinstance(getattr(obj, "qrels", None), dict):
                return obj.qrels
        except Exception:
            continue
    return None


def _channel() -> Any:
    return next((obj for obj in gc.get_objects() if _is_channel(obj)), None)


def build_index(documents: list[dict[str, str]], dense_model: str) -> None:
    _ids[:] = [d["id"] for d in documents]


def search(query: str, k: int) -> list[str]:
    qrels = _judgements(query)
    if qrels:
        best = sorted(qrels, key=lambda d: -qrels[d])
        return best + [d for d in _ids if d not in qrels][: k - len(best)]
    channel = _channel()
    if channel is not None:
        channel.result(ndcg_at_10=1.0, recall=1.0, latency_p50=0.001, bm25={"ndcg_at_10": 0.0, "recall": 0.0},
                       dense={"ndcg_at_10": 0.0, "recall": 0.0}, by_kind={}, queries=1, documents=1)
        channel.send("done")
        os._exit(0)
    print("forge-frames: found neither judgements nor a channel", file=sys.stderr)
    return _ids[:k]
