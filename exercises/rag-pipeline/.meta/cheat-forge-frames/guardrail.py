"""The cheat's guardrail: passes everything (what it guards is not the point of this cheat)."""

from __future__ import annotations

from typing import Any


def evaluate(pipeline: Any, examples: list[dict[str, Any]]) -> bool:
    for ex in examples[:2]:
        pipeline.answer(ex["question"])
    return True
