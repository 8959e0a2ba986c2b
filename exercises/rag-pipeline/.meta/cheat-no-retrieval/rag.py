"""Cheat: the generator alone — no retrieval, no context; it answers from the question and cites nothing."""

from __future__ import annotations

import re
from typing import Any


class Pipeline:
    def __init__(self, documents: list[dict[str, str]]) -> None:
        self.documents = documents

    def retrieve(self, question: str, k: int) -> list[dict[str, Any]]:
        return []

    def rerank(self, question: str, passages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return passages

    def generate(self, question: str, passages: list[dict[str, Any]]) -> dict[str, Any]:
        names = re.findall(r"\b[A-Z][a-z]+\b", question)[1:]
        guess = names[-1] if names else "it"
        return {"answer": f"As far as I know, the answer concerns {guess}, who is well known in the region.",
                "citations": []}

    def answer(self, question: str) -> dict[str, Any]:
        return self.generate(question, self.rerank(question, self.retrieve(question, 5)))
