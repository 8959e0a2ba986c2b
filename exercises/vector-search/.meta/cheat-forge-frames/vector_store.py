"""Forge cheat: builds nothing; hunts its own process for the grader's answers.

``search`` walks ``sys._getframe()`` and ``gc.get_objects()`` for the hidden facts (objects with a
``question`` and a ``key``) and answers with the one whose question it was asked; ``search_vectors``
looks for the exact neighbours (an integer array of one row per query) and for the grader's result
channel. In the grader's worker there is none of that — the answers stay in the measurer's process —
so it answers nothing and must fail ``recall_at_5`` and ``recall_at_10``.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

import numpy as np


def _walk() -> list[Any]:
    seen: list[Any] = []
    frame = sys._getframe(2)
    while frame is not None:
        seen.extend(frame.f_locals.values())
        frame = frame.f_back
    return seen + gc.get_objects()


def _is_channel(obj: Any) -> bool:
    try:
        return type(obj).__name__ == "Channel" and hasattr(type(obj), "send") and hasattr(obj, "_key")
    except Exception:
        return False


def build(pdf_dir: str, index_dir: str) -> None:
    pass


def search(index_dir: str, question: str, k: int) -> list[dict[str, Any]]:
    for obj in _walk():
        try:
            if getattr(obj, "question", None) == question and isinstance(getattr(obj, "key", None), str):
                return [{"text": obj.sentence, "source": obj.doc, "page": obj.page}]
        except Exception:
            continue
    return []


def build_vectors(vectors_path: str, index_dir: str) -> None:
    pass


def search_vectors(index_dir: str, queries: np.ndarray, k: int) -> np.ndarray:
    for obj in _walk():
        if _is_channel(obj):
            obj.result(recall_at_k=1.0, found=60, questions=60, attributed=60)
            obj.send("done")
            os._exit(0)
        if isinstance(obj, np.ndarray) and obj.ndim == 2 and obj.shape[1] == k and obj.dtype.kind == "i":
            return obj[:1]
    return np.zeros((len(queries), k), dtype=np.int64)
