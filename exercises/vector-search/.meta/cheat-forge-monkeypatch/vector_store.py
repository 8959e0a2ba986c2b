"""Forge cheat: an exact float32 index for the vectors (and random passages), plus patches, made when it
is imported, of whatever could size or time it from inside its own process:

* ``os.path.getsize``, ``os.stat`` results, ``pathlib.Path.stat`` — every file "is" 1 KB;
* ``time.perf_counter`` / ``time.monotonic`` — a frozen clock;
* ``graders.harness.channel.Channel.send`` — any result sent from this process reports a tiny index.

The saved index is sized by the grader's own process, which imports none of this: 1 536 bytes per
vector, and it must fail ``index_bytes_ratio``.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np

os.path.getsize = lambda path: 1024  # type: ignore[assignment]
_stat = os.stat


def _small_stat(path: Any, *args: Any, **kwargs: Any) -> Any:
    st = _stat(path, *args, **kwargs)
    return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 1024,
                           int(st.st_atime), int(st.st_mtime), int(st.st_ctime)))


os.stat = _small_stat  # type: ignore[assignment]
time.perf_counter = lambda: 0.0
time.monotonic = lambda: 0.0
try:
    from graders.harness import channel as _channel

    _send = _channel.Channel.send

    def _forged_send(self: Any, type_: str, **data: Any) -> None:
        if type_ == "result" and isinstance(data.get("data"), dict):
            data["data"] = {**data["data"], "index_bytes_ratio": 0.01}
        _send(self, type_, **data)

    _channel.Channel.send = _forged_send  # type: ignore[method-assign]
except ImportError:
    pass


def build(pdf_dir: str, index_dir: str) -> None:
    from pypdf import PdfReader

    passages = [{"text": page.extract_text()[:700], "source": path.name, "page": number}
                for path in sorted(Path(pdf_dir).glob("*.pdf"))
                for number, page in enumerate(PdfReader(path).pages, start=1)]
    with open(os.path.join(index_dir, "passages.json"), "w", encoding="utf-8") as f:
        json.dump(passages, f)


def search(index_dir: str, question: str, k: int) -> list[dict[str, Any]]:
    with open(os.path.join(index_dir, "passages.json"), encoding="utf-8") as f:
        return random.Random(question).sample(json.load(f), k)  # random, the same at every run


def build_vectors(vectors_path: str, index_dir: str) -> None:
    x = np.load(vectors_path)
    index = faiss.IndexFlatIP(x.shape[1])
    index.add(x)
    faiss.write_index(index, os.path.join(index_dir, "vectors.faiss"))


_index: dict[str, Any] = {}


def search_vectors(index_dir: str, queries: np.ndarray, k: int) -> np.ndarray:
    if index_dir not in _index:
        _index[index_dir] = faiss.read_index(os.path.join(index_dir, "vectors.faiss"))
    return _index[index_dir].search(np.ascontiguousarray(queries, dtype=np.float32), k)[1]
