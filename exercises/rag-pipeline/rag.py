"""Weeks 11–12 — a RAG prototype: retriever → reranker → generator, answering with citations.

Grade it with:  sprint grade rag-pipeline
"""

from __future__ import annotations

from typing import Any


class Pipeline:
    """Answers questions about a document collection, citing the documents it used.

    ``answer`` must go through ``self.retrieve``, ``self.rerank`` and ``self.generate`` (the grader
    replaces them one at a time to check your guardrail catches a broken part).
    """

    def __init__(self, documents: list[dict[str, str]]) -> None:
        """documents: [{"id": "doc-0042", "title": "...", "text": "..."}, ...] — index them here."""
        raise NotImplementedError("index the documents (BM25, embeddings — your hybrid search fits here)")

    def retrieve(self, question: str, k: int) -> list[dict[str, Any]]:
        """The ``k`` passages most likely to answer ``question``, best first: each a dict with at
        least the document's "id" and "text" (add a "score" if you like)."""
        raise NotImplementedError

    def rerank(self, question: str, passages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``passages`` reordered (and possibly cut) by a finer relevance score."""
        raise NotImplementedError

    def generate(self, question: str, passages: list[dict[str, Any]]) -> dict[str, Any]:
        """{"answer": str, "citations": [ids of the passages the answer comes from]} — conditioned on
        ``passages`` only."""
        raise NotImplementedError

    def answer(self, question: str) -> dict[str, Any]:
        """retrieve → rerank → generate."""
        passages = self.retrieve(question, 5)
        return self.generate(question, self.rerank(question, passages))
