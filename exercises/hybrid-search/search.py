"""Weeks 9–10 — hybrid search: fuse BM25 with dense retrieval, and measure it.

Grade it with:  sprint grade hybrid-search

Keep what build_index() makes in module-level variables: search() is called afterwards, in the
same process, once per query.
"""

from __future__ import annotations


def build_index(documents: list[dict[str, str]], dense_model: str) -> None:
    """Index ``documents`` for search().

    documents: [{"id": "doc-0042", "title": "...", "text": "..."}, ...] — a few hundred short articles.
    dense_model: the folder of a sentence-embedding model (all-MiniLM-L6-v2 under the cpu profile):
        SentenceTransformer(dense_model) loads it.
    """
    raise NotImplementedError("build a BM25 index (bm25s) and embed the documents with dense_model")


def search(query: str, k: int) -> list[str]:
    """The ids of the ``k`` documents that best answer ``query``, best first."""
    raise NotImplementedError("score the query with both retrievers and fuse the two rankings")
