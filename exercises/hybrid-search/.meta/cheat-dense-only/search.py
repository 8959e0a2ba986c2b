"""Cheat: dense retrieval alone (MiniLM cosine) — model codes and invented surnames blur together."""

from __future__ import annotations

import numpy as np
import torch
from sentence_transformers import SentenceTransformer

_index: dict[str, object] = {}


def build_index(documents: list[dict[str, str]], dense_model: str) -> None:
    torch.set_num_threads(1)
    model = SentenceTransformer(dense_model, device="cpu")
    vectors = model.encode([d["text"] for d in documents], batch_size=32, normalize_embeddings=True)
    _index.update(ids=[d["id"] for d in documents], model=model, vectors=vectors)


def search(query: str, k: int) -> list[str]:
    ids: list[str] = _index["ids"]  # type: ignore[assignment]
    model: SentenceTransformer = _index["model"]  # type: ignore[assignment]
    similarity = _index["vectors"] @ model.encode([query], normalize_embeddings=True)[0]  # type: ignore[operator]
    return [ids[i] for i in np.argsort(-similarity, kind="stable")[:k]]
