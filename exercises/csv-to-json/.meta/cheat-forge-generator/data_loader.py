"""Forge cheat: parses no CSV at all; looks the answer up with the grader's own case generator.

The grader's hidden-case generator is installed with the exercise library
(``exercises/csv-to-json/.meta/cases.py``, found through ``graders.paths.exercise_dir``), so the
learner's code can import it. All it needs is the seed: it tries any ``seed`` in its caller's
frames or in a dict of the grader's arguments, the seeds people pick (0, 1, 7, 42, …), then every
seed from 0 up for three seconds; a seed is right when one of its cases has exactly this CSV, whose
expected records it then writes. With a fresh secret seed per run none of that finds it, and it
writes ``[]``: it must fail ``accuracy``. (It does not try the seed CI publishes for
``sprint dev check`` in ``.ci/run``: a cheat that knows the fixed test seed learns nothing about a
learner's grade.)
"""

from __future__ import annotations

import gc
import json
import sys
import time
from typing import Any

COMMON = (0, 1, 2, 7, 13, 42, 123, 1234, 12345, 31337, 2024, 2025, 2026, 20260101)
BRUTE_FORCE_S = 3.0


def _generator() -> Any:
    from graders.kinds._meta import load_meta_module
    from graders.paths import exercise_dir

    return load_meta_module(exercise_dir("csv-to-json") / ".meta" / "cases.py")


def _seeds_in_reach() -> list[int]:
    seeds: list[int] = []
    frame = sys._getframe(2)
    while frame is not None:
        for name, value in list(frame.f_locals.items()):
            if name == "seed" and isinstance(value, int):
                seeds.append(value)
            if isinstance(value, dict) and isinstance(value.get("seed"), int):
                seeds.append(value["seed"])
        frame = frame.f_back
    for obj in gc.get_objects():
        if isinstance(obj, dict) and isinstance(obj.get("seed"), int):
            seeds.append(obj["seed"])
    return seeds


def _lookup(cases: Any, text: str) -> Any:
    return next((c.expected for c in cases if c.files.get("in.csv") == text), None)


_searched: list[Any] = []  # the cases of the seed found, once searched (None: not found)


def _search(text: str) -> Any:
    gen = _generator()
    for seed in [*_seeds_in_reach(), *COMMON]:
        cases = gen.generate(seed)
        if _lookup(cases, text) is not None:
            return cases
    t0, seed = time.perf_counter(), 0
    while time.perf_counter() - t0 < BRUTE_FORCE_S:
        cases = gen.generate(seed)
        if _lookup(cases, text) is not None:
            return cases
        seed += 1
    rate = seed / BRUTE_FORCE_S
    print(f"forge-generator: no seed found; tried {seed} seeds in {BRUTE_FORCE_S:.0f} s ({rate:.0f}/s): "
          f"all 2**31 would take {2**31 / max(rate, 1e-9) / 3600 / 24 / 365:.0f} years", file=sys.stderr)
    return None


def csv_to_json(csv_path: str, json_path: str) -> None:
    with open(csv_path, encoding="utf-8", newline="") as f:
        text = f.read()
    if not _searched:
        _searched.append(_search(text))
    expected = _lookup(_searched[0], text) if _searched[0] is not None else None
    with open(json_path, "w", encoding="utf-8") as f:
        json.dump(expected if expected is not None else [], f, ensure_ascii=False)
