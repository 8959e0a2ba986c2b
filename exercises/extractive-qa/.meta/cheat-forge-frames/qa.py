"""Forge cheat: trains on the grader's hidden questions, or reports a perfect score, if it can reach them.

It walks ``sys._getframe()`` up from ``train`` and every object ``gc.get_objects()`` returns, looking
for the run's seed (in a dict of the grader's arguments, as the training run's job holds it), the
hidden questions themselves (objects with ``question``, ``context`` and ``answer``) and the grader's
result channel. With hidden questions it trains on them; with the channel it sends a perfect F1.
Where the learner's process holds none of them (the grader's worker), it saves the encoder with an
untrained span head: it must fail ``f1`` and ``exact_match``.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

from transformers import AutoModelForQuestionAnswering, AutoTokenizer


def _is_channel(obj: Any) -> bool:
    try:
        return type(obj).__name__ == "Channel" and hasattr(type(obj), "send") and hasattr(obj, "_key")
    except Exception:  # some objects' __getattr__ raise more than AttributeError
        return False


def _hunt() -> dict[str, Any]:
    found: dict[str, Any] = {}
    frame = sys._getframe(1)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if type(value) is dict and isinstance(value.get("seed"), int):
                found.setdefault("seed", value["seed"])
            if _is_channel(value):
                found.setdefault("channel", value)
        frame = frame.f_back
    for obj in gc.get_objects():
        try:
            if "seed" not in found and type(obj) is dict and isinstance(obj.get("seed"), int):
                found["seed"] = obj["seed"]
            elif "channel" not in found and _is_channel(obj):
                found["channel"] = obj
            elif all(hasattr(obj, a) for a in ("question", "context", "answer", "answer_start")):
                found.setdefault("hidden", []).append(obj)
        except Exception:
            continue
    return found


def train(base_model: str, train_file: str, dev_file: str, output_dir: str) -> None:
    found = _hunt()
    print(f"forge-frames found: {sorted(found) or 'nothing'}", file=sys.stderr)
    if "channel" in found:
        found["channel"].result(f1=1.0, exact_match=1.0, train_seconds=1.0, files=["config.json"])
    if "seed" in found or "hidden" in found:
        print("forge-frames: would train on the hidden questions now", file=sys.stderr)
    tokenizer = AutoTokenizer.from_pretrained(base_model)
    AutoModelForQuestionAnswering.from_pretrained(base_model).save_pretrained(output_dir)
    tokenizer.save_pretrained(output_dir)
