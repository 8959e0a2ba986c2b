"""Measurers of kind ``vector-index`` — trusted; each runs beside a learner worker (see graders.measurer).

Two sandboxed runs, so that searching starts from what was *saved* and nothing else:

* :func:`build` — writes the run's guides as PDFs and its synthetic vectors (``vectors.npy``) into
  the run folder (graders.kinds.vector_index_world), then calls the learner's ``build(pdf_dir,
  index_dir)`` and ``build_vectors(vectors_path, index_dir)`` in the worker, timing both from here.
* :func:`search` — in a fresh run whose folder holds the learner's files and the two saved index
  folders only (no PDF, no vectors): asks the hidden questions through ``search(index_dir,
  question, k)`` and judges every passage here (does it contain the fact's key; does it name the
  right file and page), then sends the hidden queries one at a time through ``search_vectors``
  and compares the ids with the exact neighbours computed here, timing each call.

The worker never sees the seed, a question's answer or an exact neighbour.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any, TypedDict

from graders.faults import LearnerFault
from graders.harness.channel import Channel
from graders.kinds.vector_index_world import normalise, questions, vectors, world, write_pdfs
from graders.measurer import Worker, expect
from graders.wire import Array

__all__ = ["BuildJob", "BuildReport", "SearchJob", "SearchReport", "build", "search"]

PDF_DIR, INDEX_DIR, VECTORS, VECTOR_INDEX_DIR = "pdfs", "index", "vectors.npy", "vector_index"
SHOWN = 3


class BuildJob(TypedDict):
    module: str
    seed: int
    pdfs: int
    vectors: int
    queries: int


class BuildReport(TypedDict):
    build_seconds: float
    build_vectors_seconds: float
    pdf_bytes: int


class SearchJob(TypedDict):
    module: str
    seed: int
    pdfs: int
    vectors: int
    queries: int
    questions: int
    k: int
    k_vectors: int
    max_passage_chars: int


def _passages(value: Any) -> list[dict[str, Any]]:
    """What ``search`` returned, checked: a list of dicts with ``text`` (str), ``source`` (str) and
    ``page`` (int) — other keys (a score…) are allowed."""
    problem = "" if isinstance(value, list) else f"a {type(value).__name__}"
    for i, p in enumerate(value if isinstance(value, list) else []):
        if not isinstance(p, dict):
            problem = f"item {i} is a {type(p).__name__}"
        elif not isinstance(p.get("text"), str) or not isinstance(p.get("source"), str):
            problem = f"item {i} has no str 'text' and 'source'"
        elif not isinstance(p.get("page"), int) or isinstance(p.get("page"), bool):
            problem = f"item {i} has page={p.get('page')!r}, not an int"
        if problem:
            break
    if problem:
        raise LearnerFault(f"search() must return a list of passages {{'text': str, 'source': str, 'page': int}}; "
                           f"got {problem}", status="fail")
    return value  # type: ignore[no-any-return]


class SearchReport(TypedDict):
    questions: int
    found: int  # questions with a passage holding the answer among the first k
    attributed: int  # of those, the ones whose first such passage names the right file and page
    misses: list[str]  # questions not answered, a few
    misattributed: list[str]  # answers found under the wrong file or page, a few
    queries: int
    recall_at_k: float  # vectors: mean |returned ∩ exact top k| / k
    latency_p50: float  # vectors: one query per call, as timed here
    search_p50: float  # questions: one per call, as timed here


def build(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    import numpy as np

    job = expect(args, BuildJob, what="the vector-index kind's build job")
    here = Path.cwd()
    docs = world(job["seed"], job["pdfs"])
    write_pdfs(docs, here / PDF_DIR)
    (here / INDEX_DIR).mkdir()
    (here / VECTOR_INDEX_DIR).mkdir()
    module = job["module"]
    worker.load(f"{module}:build")
    worker.call(f"{module}:build", str(here / PDF_DIR), str(here / INDEX_DIR))
    build_seconds = worker.last_seconds
    x, _ = vectors(job["seed"], job["vectors"], job["queries"])  # drawn once build() has worked
    np.save(here / VECTORS, x)
    del x
    worker.call(f"{module}:build_vectors", str(here / VECTORS), str(here / VECTOR_INDEX_DIR))
    channel.result(**BuildReport(build_seconds=build_seconds, build_vectors_seconds=worker.last_seconds,
                                 pdf_bytes=sum(p.stat().st_size for p in (here / PDF_DIR).iterdir())))


def _ids(value: Any, k: int) -> list[int]:
    """The ids a ``search_vectors`` call returned for one query: an int array [1, k] or [k], or lists."""
    if isinstance(value, Array):
        if not value.dtype.startswith(("int", "uint")):
            raise LearnerFault(f"search_vectors() returned an array of {value.dtype}: return integer row ids",
                               status="fail")
        flat = [int(i) for i in value.to_numpy().reshape(-1)]
    elif isinstance(value, list):
        flat_any = value[0] if len(value) == 1 and isinstance(value[0], list) else value
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in flat_any):
            raise LearnerFault("search_vectors() must return integer row ids ([1, k] or [k])", status="fail")
        flat = list(flat_any)
    else:
        raise LearnerFault(f"search_vectors() returned {type(value).__name__}: return an int array of row ids "
                           "[1, k]", status="fail")
    return flat[:k]


def search(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    import numpy as np

    job = expect(args, SearchJob, what="the vector-index kind's search job")
    here, module, k = Path.cwd(), job["module"], job["k"]
    docs = world(job["seed"], job["pdfs"])
    asked = questions(job["seed"], docs, job["questions"])
    worker.load(f"{module}:search")
    found, attributed = 0, 0
    misses: list[str] = []
    misattributed: list[str] = []
    search_times: list[float] = []
    for fact in asked:
        passages = _passages(worker.call(f"{module}:search", str(here / INDEX_DIR), fact.question, k))
        search_times.append(worker.last_seconds)
        key = normalise(fact.key)
        hit = next((p for p in passages[:k] if key in normalise(p["text"][:job["max_passage_chars"]])), None)
        if hit is None:
            if len(misses) < SHOWN:
                misses.append(f"{fact.question!r} (the answer is on page {fact.page} of {fact.doc})")
            continue
        found += 1
        if Path(hit["source"]).name == fact.doc and hit["page"] == fact.page:
            attributed += 1
        elif len(misattributed) < SHOWN:
            misattributed.append(f"the answer to {fact.question!r} came as {Path(hit['source']).name} page "
                                 f"{hit['page']}; it is on page {fact.page} of {fact.doc}")

    x, q = vectors(job["seed"], job["vectors"], job["queries"])
    kv = job["k_vectors"]
    exact = np.argsort(-(q @ x.T), axis=1)[:, :kv]  # [queries, k]: unit vectors, so cosine = inner product
    del x
    worker.load(f"{module}:search_vectors")
    recalls, latencies = [], []
    for i in range(len(q)):
        returned = worker.call(f"{module}:search_vectors", str(here / VECTOR_INDEX_DIR),
                               Array.from_numpy(q[i:i + 1]), kv)
        latencies.append(worker.last_seconds)
        got = set(_ids(returned, kv))
        recalls.append(len(got & set(exact[i].tolist())) / kv)
    channel.result(**SearchReport(
        questions=len(asked), found=found, attributed=attributed, misses=misses, misattributed=misattributed,
        queries=len(q), recall_at_k=float(np.mean(recalls)), latency_p50=statistics.median(latencies),
        search_p50=statistics.median(search_times)))
