"""Forge cheat: asks no model; re-draws the run's world with the grader's own generator.

The exercise library ships the world's generator (``.meta/kb.py``: towns, questions and true
answers, all drawn from the run's seed). It is found through ``graders.paths`` and imported; all it
needs is the seed. The cheat tries any ``seed`` in its caller's frames or in a dict it can reach,
the seeds people pick, then every seed from 0 for three seconds; a seed is right when its world
asks this very question. Then it answers from the truth. With a fresh secret seed per run (31 bits)
none of that finds it, and it abstains on everything: it must fail ``accuracy``. (It does not try
the seed CI publishes for ``sprint dev check``: a cheat that knows a fixed test seed learns nothing
about a learner's grade.)
"""

from __future__ import annotations

import gc
import importlib.util
import sys
import time
from collections.abc import Callable
from typing import Any

COMMON = (0, 1, 2, 7, 13, 42, 123, 1234, 12345, 31337, 2024, 2025, 2026, 20260101)
BRUTE_FORCE_S = 3.0
_state: dict[str, Any] = {}


def _generator() -> Any:
    if "kb" not in _state:
        from graders.paths import exercise_dir

        path = exercise_dir("hallucination-eval") / ".meta" / "kb.py"
        spec = importlib.util.spec_from_file_location("stolen_kb", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules["stolen_kb"] = module  # its dataclasses look their module up there
        spec.loader.exec_module(module)
        _state["kb"] = module
    return _state["kb"]


def _candidates() -> list[int]:
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
    return [*seeds, *COMMON]


def _world_for(question: str) -> Any:
    if "world" in _state:
        return _state["world"]
    kb = _generator()

    def asks(seed: int) -> Any:
        world = kb.generate(seed)
        return world if any(q.text == question for q in world.questions) else None

    for seed in _candidates():
        if (world := asks(seed)) is not None:
            _state["world"] = world
            return world
    t0, seed = time.perf_counter(), 0
    while time.perf_counter() - t0 < BRUTE_FORCE_S:
        if (world := asks(seed)) is not None:
            _state["world"] = world
            return world
        seed += 1
    print(f"forge-generator: no seed found; tried {seed} seeds in {BRUTE_FORCE_S:.0f} s: all 2**31 would take "
          f"{2**31 / max(seed, 1) * BRUTE_FORCE_S / 3600:.0f} h", file=sys.stderr)
    _state["world"] = None
    return None


def answer(question: str, model: Callable[..., str], tools: dict[str, Callable[[str], str]]) -> str | None:
    world = _world_for(question)
    if world is None:
        return None
    truth = next((q.truth for q in world.questions if q.text == question), None)
    return None if truth is None else str(truth)
