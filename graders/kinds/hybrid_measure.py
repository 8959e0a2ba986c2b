"""Measurer of kind ``hybrid-retrieval`` — trusted; runs beside the learner worker (see graders.measurer).

It draws the run's world and queries from the seed (graders.world.search), sends the worker the
documents (``build_index(documents, dense_model)``) and then one query at a time
(``search(query, k)``), each call timed from here. The relevance judgements never leave this
process; nDCG@10 and recall@k are computed here (graders.scoring.ranking), and so are the two
baselines the learner's fusion must beat, run by the grader itself on the same documents and
queries: BM25 alone (``bm25s``) and dense retrieval alone (the same embedding model the learner is
given). The baselines run after the learner's calls, so an unfinished solution fails fast; the
dense one only when the learner's ranking beats BM25 alone (otherwise it fails anyway, and the
embedding model's load is the largest cost of a grade).
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable
from typing import Any, TypedDict

from graders.faults import LearnerFault
from graders.harness.channel import Channel
from graders.measurer import Worker, expect

__all__ = ["HybridJob", "HybridReport", "bm25_rankings", "dense_rankings", "draw_corpus", "measure"]


class HybridJob(TypedDict):
    """What the parent (graders.kinds.hybrid) sends the measurer."""

    module: str
    build: str
    search: str
    seed: int
    towns: int
    persons: int
    orgs: int
    queries: int
    k: int
    dense_model: str
    query_prefix: str  # E5 wants "query: " / "passage: " before its inputs; MiniLM nothing
    passage_prefix: str


class KindScores(TypedDict):
    ndcg_at_10: float
    recall: float


class HybridReport(TypedDict):
    """What the measurer sends back on the result channel."""

    ndcg_at_10: float
    recall: float
    latency_p50: float
    bm25: KindScores
    dense: KindScores | None  # None: not run, the learner's ranking did not beat BM25 alone
    by_kind: dict[str, float]  # the learner's nDCG@10 per query kind
    queries: int
    documents: int


def draw_corpus(seed: int, towns: int, persons: int, orgs: int, queries: int) -> tuple[list[dict[str, str]], list[Any]]:
    """The run's documents (id, title, text) and queries (graders.world.search.Query)."""
    from graders.world import WorldSize, build_world
    from graders.world.search import draw_queries

    world = build_world(seed, "search", WorldSize(towns=towns, persons=persons, orgs=orgs))
    docs = [{"id": d.id, "title": d.title, "text": d.text} for d in world.documents()]
    return docs, draw_queries(world, queries, rng=random.Random(f"llm-sprint/hybrid/{seed}/queries"))


def bm25_rankings(docs: list[dict[str, str]], texts: list[str], k: int) -> list[list[str]]:
    """BM25 alone, ``k`` documents per query, best first: ``bm25s`` defaults (k1 1.5, b 0.75,
    Lucene's idf), English stop words dropped, documents with a score of 0 left out."""
    import bm25s

    ids = [d["id"] for d in docs]
    k = min(k, len(ids))
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize([d["text"] for d in docs], stopwords="en", show_progress=False),
                    show_progress=False)
    found, scores = retriever.retrieve(bm25s.tokenize(texts, stopwords="en", show_progress=False), k=k,
                                       show_progress=False)
    return [[ids[j] for j, s in zip(row, sc, strict=True) if s > 0] for row, sc in zip(found, scores, strict=True)]


def dense_rankings(docs: list[dict[str, str]], texts: list[str], job: HybridJob) -> list[list[str]]:
    """Dense retrieval alone, ``k`` documents per query, best first: the embedding model the
    learner gets, pooled as its folder says (mean or [CLS]), L2-normalised, ranked by cosine similarity."""
    import numpy as np

    ids = [d["id"] for d in docs]
    k = min(job["k"], len(ids))
    embed = _embedder(job["dense_model"])
    doc_vectors = embed([job["passage_prefix"] + d["text"] for d in docs])  # (N, D)
    query_vectors = embed([job["query_prefix"] + t for t in texts])  # (Q, D)
    similarity = query_vectors @ doc_vectors.T  # (Q, N)
    order = np.argsort(-similarity, axis=1, kind="stable")[:, :k]
    return [[ids[j] for j in row] for row in order]


def _embedder(folder: str) -> Callable[[list[str]], Any]:
    """Texts → L2-normalised sentence embeddings (numpy, (n, D)), as ``SentenceTransformer(folder)``
    computes them with ``normalize_embeddings=True``. For a folder whose pooling is the mean of the
    token vectors or the [CLS] vector with nothing after it but a normalisation (all-MiniLM-L6-v2,
    E5) it runs the transformer with ``transformers`` alone — importing sentence-transformers costs
    more CPU than the whole of MiniLM's pass over the corpus (it pulls in optional integrations); for
    any other folder (a Dense layer, another pooling) it uses sentence-transformers."""
    import json
    from pathlib import Path

    import torch

    torch.set_num_threads(1)
    root = Path(folder)
    pooling_file = root / "1_Pooling" / "config.json"
    pooling = json.loads(pooling_file.read_text(encoding="utf-8")) if pooling_file.is_file() else {}
    modes = {name for name, on in pooling.items() if name.startswith("pooling_mode_") and on}
    modules_file = root / "modules.json"
    stages = [m.get("type", "").rsplit(".", 1)[-1] for m in json.loads(modules_file.read_text(encoding="utf-8"))
              ] if modules_file.is_file() else ["Transformer", "Pooling"]
    plain = stages in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"])  # no Dense, no prompts
    if not plain or modes not in ({"pooling_mode_mean_tokens"}, {"pooling_mode_cls_token"}):
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(folder, device="cpu", local_files_only=True)
        return lambda texts: model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)

    from transformers import AutoModel, AutoTokenizer

    settings_file = root / "sentence_bert_config.json"
    settings = json.loads(settings_file.read_text(encoding="utf-8")) if settings_file.is_file() else {}
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    encoder = AutoModel.from_pretrained(folder, local_files_only=True).eval()
    max_length = int(settings.get("max_seq_length") or tokenizer.model_max_length)
    mean = modes == {"pooling_mode_mean_tokens"}

    def embed(texts: list[str]) -> Any:
        out = []
        with torch.inference_mode():
            for lo in range(0, len(texts), 32):
                enc = tokenizer(texts[lo:lo + 32], padding=True, truncation=True, max_length=max_length,
                                return_tensors="pt")
                hidden = encoder(**enc).last_hidden_state  # (B, T, D)
                if mean:
                    mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
                    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)  # (B, D)
                else:
                    pooled = hidden[:, 0]
                out.append(torch.nn.functional.normalize(pooled, p=2, dim=1))
        return torch.cat(out).numpy()

    return embed


def measure(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    from graders.scoring.ranking import ndcg_at_k, recall_at_k

    job = expect(args, HybridJob, what="the hybrid-retrieval kind's job")
    docs, queries = draw_corpus(job["seed"], job["towns"], job["persons"], job["orgs"], job["queries"])
    build, search = f"{job['module']}:{job['build']}", f"{job['module']}:{job['search']}"
    worker.load(build)
    worker.call(build, docs, job["dense_model"])
    known = {d["id"] for d in docs}
    rankings: list[list[str]] = []
    seconds: list[float] = []
    for q in queries:
        found = worker.call(search, q.text, job["k"], returns=list[str])
        unknown = [d for d in found if d not in known]
        if unknown:
            raise LearnerFault(f"{job['search']}() returned {unknown[0]!r}, which is not the id of a document it was "
                               "given: return document ids (the documents' \"id\" field), best first", status="fail")
        rankings.append(found[:job["k"]])
        seconds.append(worker.last_seconds)
    worker.close()  # the learner's process is done: the baselines get the machine to themselves

    def scores(runs: list[list[str]]) -> KindScores:
        return KindScores(
            ndcg_at_10=statistics.fmean(ndcg_at_k(r, q.qrels, 10) for r, q in zip(runs, queries, strict=True)),
            recall=statistics.fmean(recall_at_k(r, q.qrels, job["k"]) for r, q in zip(runs, queries, strict=True)))

    texts = [q.text for q in queries]
    mine, bm25 = scores(rankings), scores(bm25_rankings(docs, texts, job["k"]))
    # Fail fast: a ranking no better than BM25 alone fails whatever dense retrieval scores, so the
    # dense baseline (an embedding model's load and a pass over the corpus) is left out.
    dense = scores(dense_rankings(docs, texts, job)) if mine["ndcg_at_10"] > bm25["ndcg_at_10"] else None
    by_kind: dict[str, list[float]] = {}
    for r, q in zip(rankings, queries, strict=True):
        by_kind.setdefault(q.kind, []).append(ndcg_at_k(r, q.qrels, 10))
    channel.result(**HybridReport(
        ndcg_at_10=mine["ndcg_at_10"], recall=mine["recall"], latency_p50=statistics.median(seconds),
        bm25=bm25, dense=dense, by_kind={k: statistics.fmean(v) for k, v in sorted(by_kind.items())},
        queries=len(queries), documents=len(docs)))
