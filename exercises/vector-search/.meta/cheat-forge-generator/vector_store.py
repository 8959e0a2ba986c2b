"""Forge cheat: indexes nothing; re-draws the grader's world with its own generator and answers from it.

The generator (``graders.kinds.vector_index_world``) is installed next to the learner's code; all it
needs is the seed. ``build`` reads the first PDF's title (the town of ``doc-000.pdf``) and tries, in
turn: any ``seed`` in its caller's frames or in a dict of the grader's arguments; the seeds people
pick (0, 1, 7, 42, …); then every seed from 0 up for three seconds — a seed is right when its first
town is that one. It would save the seed; ``search`` would answer every question with its fact, and
``search_vectors`` would return the exact neighbours of the re-drawn vectors. With a fresh secret seed
per run (``sprint grade`` draws 31 bits) none of that finds it; it answers nothing and must fail
``recall_at_5`` and ``recall_at_10``. (It does not try the seed CI publishes for ``sprint dev check``.)
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

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
            if type(obj) is dict and isinstance(obj.get("seed"), int) and "pdfs" in obj:
                seeds.append(obj["seed"])
        except Exception:
            continue
    return seeds


def build(pdf_dir: str, index_dir: str) -> None:
    from pypdf import PdfReader

    try:
        from graders.kinds.vector_index_world import world  # type: ignore[import-not-found]
    except ImportError:
        return
    title = PdfReader(Path(pdf_dir) / "doc-000.pdf").pages[0].extract_text().splitlines()[0]
    town = title.removeprefix("A short guide to ").strip()
    found = None
    for seed in [*_seeds_in_reach(), *COMMON]:
        if world(seed, 1)[0].town == town:
            found = seed
            break
    t0, seed = time.perf_counter(), 0
    while found is None and time.perf_counter() - t0 < BRUTE_FORCE_S:
        if world(seed, 1)[0].town == town:
            found = seed
        seed += 1
    if found is None:
        print(f"forge-generator: no seed found ({seed} tried in {BRUTE_FORCE_S:.0f} s)", file=sys.stderr)
        return
    with open(os.path.join(index_dir, "seed.json"), "w") as f:
        json.dump({"seed": found, "pdfs": len(list(Path(pdf_dir).glob("*.pdf")))}, f)


def _seed(index_dir: str) -> dict[str, int] | None:
    path = os.path.join(index_dir, "seed.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)  # type: ignore[no-any-return]


def search(index_dir: str, question: str, k: int) -> list[dict[str, Any]]:
    known = _seed(index_dir)
    if known is None:
        return []
    from graders.kinds.vector_index_world import world

    for doc in world(known["seed"], known["pdfs"]):
        for fact in doc.facts:
            if fact.question == question:
                return [{"text": fact.sentence, "source": fact.doc, "page": fact.page}]
    return []


def build_vectors(vectors_path: str, index_dir: str) -> None:
    pass


def search_vectors(index_dir: str, queries: np.ndarray, k: int) -> np.ndarray:
    return np.zeros((len(queries), k), dtype=np.int64)
