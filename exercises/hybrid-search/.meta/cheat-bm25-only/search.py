"""Cheat: BM25 alone (bm25s), no embeddings — a paraphrase shares no word with its article."""

from __future__ import annotations

import bm25s

_index: dict[str, object] = {}


def build_index(documents: list[dict[str, str]], dense_model: str) -> None:
    bm25 = bm25s.BM25()
    bm25.index(bm25s.tokenize([d["text"] for d in documents], stopwords="en", show_progress=False),
               show_progress=False)
    _index.update(ids=[d["id"] for d in documents], bm25=bm25)


def search(query: str, k: int) -> list[str]:
    ids: list[str] = _index["ids"]  # type: ignore[assignment]
    bm25: bm25s.BM25 = _index["bm25"]  # type: ignore[assignment]
    found, scores = bm25.retrieve(bm25s.tokenize([query], stopwords="en", show_progress=False),
                                  k=min(k, len(ids)), show_progress=False)
    return [ids[i] for i, s in zip(found[0], scores[0]) if s > 0]
