"""Ranking quality: nDCG@k with graded relevance, and recall@k — a twenty-line function, tested.

Why not a package: ``ranx`` and ``ir-measures`` compute the same numbers but pull in numba,
ir_datasets and pandas (hundreds of MB) for two formulas; ``pytrec_eval`` needs a C build. The
definitions are trec_eval's (``ndcg_cut.k``), which MTEB reports through pytrec_eval:

* gain = the judged relevance level (linear: 2 counts twice 1), unjudged documents gain 0;
* DCG@k = Σ_{i=1..k} gain_i / log2(i + 1);
* ideal DCG@k = the DCG of the judged documents sorted by relevance, best first;
* nDCG@k = DCG@k / ideal DCG@k (0 for a query with no relevant document — it is never drawn).

A document id repeated in a ranking counts at its first place only (trec_eval reads one line per
document; returning the answer ten times must not earn ten times its gain).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

__all__ = ["dcg", "ndcg_at_k", "recall_at_k", "unique"]


def unique(ranking: Sequence[str]) -> list[str]:
    """``ranking`` with repeated ids dropped after their first place."""
    seen: set[str] = set()
    return [d for d in ranking if not (d in seen or seen.add(d))]  # type: ignore[func-returns-value]


def dcg(gains: Sequence[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at_k(ranking: Sequence[str], qrels: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k of ``ranking`` (document ids, best first) against ``qrels`` (id → relevance ≥ 0)."""
    ideal = dcg(sorted((r for r in qrels.values() if r > 0), reverse=True)[:k])
    if ideal == 0.0:
        return 0.0
    return dcg([qrels.get(d, 0) for d in unique(ranking)[:k]]) / ideal


def recall_at_k(ranking: Sequence[str], qrels: Mapping[str, int], k: int = 100) -> float:
    """Share of the relevant documents (relevance > 0) found in the first ``k`` places."""
    relevant = {d for d, r in qrels.items() if r > 0}
    if not relevant:
        return 0.0
    return len(relevant & set(unique(ranking)[:k])) / len(relevant)
