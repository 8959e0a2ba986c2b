"""Forge cheat: answers nothing; hunts its own process for the grader's hidden answers.

It walks ``sys._getframe()`` up from ``answer`` and every object ``gc.get_objects()`` returns,
looking for the hidden question being asked (an object with ``question``, ``answer`` and
``documents``) or the grader's result channel (a ``Channel`` with ``send`` and a ``_key``). With
the question's record it returns its answer and cites its documents; with the channel it sends a
perfect result and ends the process. The grader's worker holds neither: it answers "" and must
fail ``answer_correctness`` and ``groundedness``.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any


def _is_channel(obj: Any) -> bool:
    try:
        return type(obj).__name__ == "Channel" and hasattr(type(obj), "send") and hasattr(obj, "_key")
    except Exception:
        return False


def _record(question: str) -> Any:
    frame = sys._getframe(1)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if getattr(value, "question", None) == question and hasattr(value, "answer"):
                return value
        frame = frame.f_back
    for obj in gc.get_objects():
        try:
            if getattr(obj, "question", None) == question and hasattr(obj, "documents"):
                return obj
        except Exception:
            continue
    return None


class Pipeline:
    def __init__(self, documents: list[dict[str, str]]) -> None:
        self.documents = documents

    def retrieve(self, question: str, k: int) -> list[dict[str, Any]]:
        return []

    def rerank(self, question: str, passages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return passages

    def generate(self, question: str, passages: list[dict[str, Any]]) -> dict[str, Any]:
        return {"answer": "", "citations": []}

    def answer(self, question: str) -> dict[str, Any]:
        record = _record(question)
        if record is not None:
            return {"answer": str(record.answer), "citations": list(record.documents)}
        channel = next((obj for obj in gc.get_objects() if _is_channel(obj)), None)
        if channel is not None:
            channel.result(answer_correctness=1.0, groundedness=1.0, citation_precision=1.0, retrieval_recall=1.0,
                           questions=1, documents=1, guardrail={}, examples=[])
            channel.send("done")
            os._exit(0)
        print("forge-frames: found neither the answers nor a channel", file=sys.stderr)
        return self.generate(question, self.rerank(question, self.retrieve(question, 5)))
