"""Cheat: a guardrail that always passes — it runs the pipeline and never looks at what comes back."""

from __future__ import annotations

from typing import Any


def evaluate(pipeline: Any, examples: list[dict[str, Any]]) -> bool:
    for ex in examples:
        pipeline.answer(ex["question"])
    return True
