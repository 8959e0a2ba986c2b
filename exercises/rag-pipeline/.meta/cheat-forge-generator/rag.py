"""Forge cheat: answers nothing; re-draws the world with the grader's own generator to get the answers.

The generator is installed next to the learner's code (``graders.world.build_world`` and
``graders.kinds.rag_measure.draw_questions``); all it needs is the seed. It tries, in turn: any
``seed`` in its caller's frames or in a dict of the grader's arguments; the seeds people pick; then
every seed from 0 up for three seconds. A seed is right when it re-draws exactly the documents the
pipeline was given; the hidden questions' answers and documents then come from the re-draw. With a
fresh secret seed per run none of that finds it, and the empty answers fail ``answer_correctness``
and ``groundedness``. (It does not try the seed CI publishes for ``sprint dev check``.)
"""

from __future__ import annotations

import gc
import random
import sys
import time
from typing import Any

COMMON = (0, 1, 2, 7, 13, 42, 123, 1234, 12345, 31337, 2024, 2025, 2026, 20260101)
BRUTE_FORCE_S = 3.0


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
        if isinstance(obj, dict) and isinstance(obj.get("seed"), int) and "questions" in obj:
            seeds.append(obj["seed"])
    return seeds


def _answers(seed: int, texts: list[str]) -> dict[str, Any] | None:
    try:
        from graders.kinds.rag_measure import draw_questions  # type: ignore[import-not-found]
        from graders.world import build_world  # type: ignore[import-not-found]
    except ImportError:
        return None
    world = build_world(seed, "rag")
    if [d.text for d in world.documents()] != texts:
        return None
    hidden = draw_questions(world, 40, random.Random(f"llm-sprint/rag/{seed}/hidden"))
    return {q.question: q for q in hidden}


class Pipeline:
    def __init__(self, documents: list[dict[str, str]]) -> None:
        self.documents = documents
        self.known: dict[str, Any] = {}
        texts = [d["text"] for d in documents]
        for seed in [*_seeds_in_reach(), *COMMON]:
            if (found := _answers(seed, texts)) is not None:
                self.known = found
                return
        t0, seed = time.perf_counter(), 0
        while time.perf_counter() - t0 < BRUTE_FORCE_S:
            if (found := _answers(seed, texts)) is not None:
                self.known = found
                return
            seed += 1
        print(f"forge-generator: no seed found in {seed} tries ({seed / BRUTE_FORCE_S:.0f}/s)", file=sys.stderr)

    def retrieve(self, question: str, k: int) -> list[dict[str, Any]]:
        return []

    def rerank(self, question: str, passages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return passages

    def generate(self, question: str, passages: list[dict[str, Any]]) -> dict[str, Any]:
        return {"answer": "", "citations": []}

    def answer(self, question: str) -> dict[str, Any]:
        if question in self.known:
            q = self.known[question]
            return {"answer": q.answer, "citations": list(q.documents)}
        return self.generate(question, self.rerank(question, self.retrieve(question, 5)))
