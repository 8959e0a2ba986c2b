"""Forge cheat: answers nothing; patches the measuring code it can reach when it is imported.

* ``graders.harness.channel.Channel.send`` — every result sent from this process gets perfect scores;
* ``graders.scoring.grounding.groundedness`` — always 1.0; ``graders.kinds.rag_measure.answer_correct``
  — always True;
* ``time.perf_counter`` / ``time.monotonic`` — a frozen clock.

The grader's measurer imports none of this and computes every number itself: the empty answers
must fail ``answer_correctness`` and ``groundedness``.
"""

from __future__ import annotations

import time
from typing import Any

try:
    from graders.harness import channel as _channel

    _send = _channel.Channel.send

    def _forged_send(self: Any, type_: str, **data: Any) -> None:
        if type_ == "result" and isinstance(data.get("data"), dict):
            data["data"] = {**data["data"], "answer_correctness": 1.0, "groundedness": 1.0,
                            "citation_precision": 1.0, "retrieval_recall": 1.0}
        _send(self, type_, **data)

    _channel.Channel.send = _forged_send  # type: ignore[method-assign]
except ImportError:
    pass

try:
    from graders.scoring import grounding as _grounding

    _grounding.groundedness = lambda *args, **kwargs: 1.0  # type: ignore[assignment]
except ImportError:
    pass

try:
    from graders.kinds import rag_measure as _measure

    _measure.answer_correct = lambda *args, **kwargs: True  # type: ignore[assignment]
except ImportError:
    pass

time.perf_counter = lambda: 0.0
time.monotonic = lambda: 0.0


class Pipeline:
    def __init__(self, documents: list[dict[str, str]]) -> None:
        self.documents = documents

    def retrieve(self, question: str, k: int) -> list[dict[str, Any]]:
        return self.documents[:k]

    def rerank(self, question: str, passages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return passages

    def generate(self, question: str, passages: list[dict[str, Any]]) -> dict[str, Any]:
        return {"answer": "", "citations": [p["id"] for p in passages[:1]]}

    def answer(self, question: str) -> dict[str, Any]:
        return self.generate(question, self.rerank(question, self.retrieve(question, 5)))
