"""Cheat: saves the passages without embedding anything and answers with random ones; random row ids
for the vectors, and an index file of nothing but their count (fails recall_at_5 and recall_at_10)."""

from __future__ import annotations

import json
import os
import random
import zlib
from pathlib import Path
from typing import Any

import numpy as np


def build(pdf_dir: str, index_dir: str) -> None:
    from pypdf import PdfReader

    passages = [{"text": page.extract_text()[:700], "source": path.name, "page": number}
                for path in sorted(Path(pdf_dir).glob("*.pdf"))
                for number, page in enumerate(PdfReader(path).pages, start=1)]
    os.makedirs(index_dir, exist_ok=True)
    with open(os.path.join(index_dir, "passages.json"), "w", encoding="utf-8") as f:
        json.dump(passages, f)


def search(index_dir: str, question: str, k: int) -> list[dict[str, Any]]:
    with open(os.path.join(index_dir, "passages.json"), encoding="utf-8") as f:
        return random.Random(question).sample(json.load(f), k)  # random, the same at every run


def build_vectors(vectors_path: str, index_dir: str) -> None:
    os.makedirs(index_dir, exist_ok=True)
    with open(os.path.join(index_dir, "count.txt"), "w") as f:
        f.write(str(len(np.load(vectors_path, mmap_mode="r"))))


def search_vectors(index_dir: str, queries: np.ndarray, k: int) -> np.ndarray:
    with open(os.path.join(index_dir, "count.txt")) as f:
        n = int(f.read())
    return np.random.default_rng(zlib.crc32(queries.tobytes())).integers(0, n, size=(len(queries), k))
