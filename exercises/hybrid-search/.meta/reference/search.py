"""Reference: BM25 (bm25s) and MiniLM cosine similarity, fused by a weighted sum of raw scores.

Why a sum of *raw* scores and not of normalised ones, nor reciprocal-rank fusion: a BM25 score is
large only when a rare term matches (a model code, a surname: 4–10 here) and small when the query
shares a common word or none (below 2), so `cosine + 0.05 × BM25` lets an exact rare match win and
leaves a paraphrase to the embeddings. Min-max normalising BM25 per query, or RRF, give a
paraphrase query's accidental BM25 hits the same weight as a real match.
"""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np
import torch
from sentence_transformers import SentenceTransformer

BM25_WEIGHT = 0.05
_index: dict[str, object] = {}


def _prefixes(dense_model: str) -> tuple[str, str]:
    """E5 models expect "query: " and "passage: " before their inputs; MiniLM nothing."""
    return ("query: ", "passage: ") if "e5" in Path(dense_model).name.lower() else ("", "")


def build_index(documents: list[dict[str, str]], dense_model: str) -> None:
    torch.set_num_threads(1)  # steadier on a small shared CPU
    texts = [d["text"] for d in documents]
    bm25 = bm25s.BM25()
    bm25.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
    model = SentenceTransformer(dense_model, device="cpu")
    query_prefix, passage_prefix = _prefixes(dense_model)
    vectors = model.encode([passage_prefix + t for t in texts], batch_size=32, normalize_embeddings=True)
    _index.update(ids=[d["id"] for d in documents], bm25=bm25, model=model, vectors=vectors,
                  query_prefix=query_prefix)


def search(query: str, k: int) -> list[str]:
    ids: list[str] = _index["ids"]  # type: ignore[assignment]
    bm25: bm25s.BM25 = _index["bm25"]  # type: ignore[assignment]
    model: SentenceTransformer = _index["model"]  # type: ignore[assignment]
    found, scores = bm25.retrieve(bm25s.tokenize([query], stopwords="en", show_progress=False), k=len(ids),
                                  show_progress=False)
    lexical = np.zeros(len(ids))
    lexical[found[0]] = scores[0]
    vector = model.encode([_index["query_prefix"] + query], normalize_embeddings=True)[0]
    dense = _index["vectors"] @ vector  # type: ignore[operator]
    fused = dense + BM25_WEIGHT * lexical
    return [ids[i] for i in np.argsort(-fused, kind="stable")[:k]]
