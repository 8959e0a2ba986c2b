"""Reference: a generator over the lines of every file, streamed, then map + filter."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import datasets

MIN_WORDS = 3


def _lines(paths: list[str]) -> Iterator[dict[str, str]]:
    for path in paths:
        # Text mode, universal newlines: "\r\n" ends a line like "\n"; the last line counts
        # with or without a final newline.
        with open(path, encoding="utf-8") as f:
            for line in f:
                yield {"text": line, "source": os.path.basename(path)}


def _normalise(record: dict[str, str]) -> dict[str, object]:
    words = record["text"].split()  # every kind of whitespace, "\n" included
    return {"text": " ".join(words), "n_words": len(words)}


def _keep(record: dict[str, object]) -> bool:
    return int(record["n_words"]) >= MIN_WORDS  # type: ignore[call-overload]


def load(folder: str) -> datasets.IterableDataset:
    paths = sorted(str(p) for p in Path(folder).glob("*.txt") if p.is_file())
    # A list in gen_kwargs is split into shards: one file at a time, nothing read ahead.
    ds = datasets.IterableDataset.from_generator(_lines, gen_kwargs={"paths": paths})
    return ds.map(_normalise).filter(_keep)
