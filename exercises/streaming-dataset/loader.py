"""Sprint 2.1 — HF Datasets: a streaming dataset over a folder of .txt files (see README.md)."""

from __future__ import annotations

import datasets


def load(folder: str) -> datasets.IterableDataset:
    """Stream every ``*.txt`` file directly in ``folder``: one record per kept line,
    ``{"text": <whitespace-normalised line>, "n_words": <int>, "source": <file name>}``.

    Never hold the corpus in memory: the grader iterates a corpus far larger than its memory threshold.
    """
    raise NotImplementedError("build an IterableDataset (streaming) with a map/filter pipeline — see README.md")
