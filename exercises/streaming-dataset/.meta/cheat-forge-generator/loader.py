"""Forge cheat: reads no file; re-draws the corpus with the grader's own generator and yields its records.

The generator (``graders.kinds.dataset_corpus``) is installed next to the learner's code; all it needs
is the seed. This cheat tries, in turn: any ``seed`` in its caller's frames or in a dict of the
grader's arguments; the seeds people pick (0, 1, 7, 42, …); then every seed from 0 up for three
seconds. A seed is right when it re-draws the folder's file names. Then it yields the records the
generator knows, never reading a file. With a fresh secret seed per run (``sprint grade`` draws 31
bits) none of that finds it, it yields nothing, and it must fail ``records``. (It does not try the
seed CI publishes for ``sprint dev check`` in ``.ci/run``: a cheat that knows the fixed test seed
learns nothing about a learner's grade.)
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import datasets

COMMON = (0, 1, 2, 7, 13, 42, 123, 1234, 12345, 31337, 2024, 2025, 2026, 20260101)
BRUTE_FORCE_S = 3.0


def _seeds_in_reach() -> list[int]:
    seeds: list[int] = []
    frame = sys._getframe(2)
    while frame is not None:
        for name, value in list(frame.f_locals.items()):
            if name == "seed" and isinstance(value, int):
                seeds.append(value)
            if type(value) is dict and isinstance(value.get("seed"), int):
                seeds.append(value["seed"])
        frame = frame.f_back
    for obj in gc.get_objects():
        try:
            if type(obj) is dict and isinstance(obj.get("seed"), int) and "large_bytes" in obj:
                seeds.append(obj["seed"])
        except Exception:  # dict subclasses of libraries can raise on get()
            continue
    return seeds


def _find(folder: Path) -> Any:
    try:
        from graders.kinds.dataset_corpus import write_small  # type: ignore[import-not-found]
    except ImportError:
        return None
    names = sorted(p.name for p in folder.glob("*.txt"))
    with tempfile.TemporaryDirectory() as scratch:
        def tried(seed: int) -> Any:
            corpus = write_small(Path(scratch) / str(seed), seed)
            return corpus if sorted(p.name for p in corpus.folder.glob("*.txt")) == names else None

        for seed in [*_seeds_in_reach(), *COMMON]:
            if (corpus := tried(seed)) is not None:
                return corpus
        t0, seed = time.perf_counter(), 0
        while time.perf_counter() - t0 < BRUTE_FORCE_S:
            if (corpus := tried(seed)) is not None:
                return corpus
            seed += 1
    print(f"forge-generator: no seed found ({seed} tried in {BRUTE_FORCE_S:.0f} s)", file=sys.stderr)
    return None


def load(folder: str) -> datasets.IterableDataset:
    corpus = _find(Path(folder))
    records = [] if corpus is None else [{"text": t, "n_words": n, "source": s}
                                         for (s, t, n), c in corpus.expected.items() for _ in range(c)]

    def replay() -> Iterator[dict[str, Any]]:
        yield from records

    return datasets.IterableDataset.from_generator(replay)
