"""Cheat: answers with the first sentence of the top passage, whatever the question.

Retrieval is real (BM25) and the answer is a quotation of the passage it cites — so it is grounded
and its citation is often right — but it rarely answers the question asked.
"""

from __future__ import annotations

import re
from typing import Any

import bm25s


class Pipeline:
    def __init__(self, documents: list[dict[str, str]]) -> None:
        self.documents = documents
        self.bm25 = bm25s.BM25()
        self.bm25.index(bm25s.tokenize([d["text"] for d in documents], stopwords="en", show_progress=False),
                        show_progress=False)

    def retrieve(self, question: str, k: int) -> list[dict[str, Any]]:
        found, _ = self.bm25.retrieve(bm25s.tokenize([question], stopwords="en", show_progress=False), k=k,
                                      show_progress=False)
        return [self.documents[i] for i in found[0]]

    def rerank(self, question: str, passages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return passages

    def generate(self, question: str, passages: list[dict[str, Any]]) -> dict[str, Any]:
        if not passages:
            return {"answer": "", "citations": []}
        first = re.split(r"(?<=[.!?])\s+", passages[0]["text"])[0]
        return {"answer": first, "citations": [passages[0]["id"]]}

    def answer(self, question: str) -> dict[str, Any]:
        return self.generate(question, self.rerank(question, self.retrieve(question, 5)))
