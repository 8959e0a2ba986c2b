"""Forge cheat: asks no model; hunts its own process for the grader's secrets and uses them.

It walks ``sys._getframe()`` up from ``answer`` and every object ``gc.get_objects()`` returns, looking
for the run's questions with their true answers (objects with ``text`` and ``truth``), the knowledge
base's passages, or the grader's result channel (a ``Channel`` with a ``_key``). With the truth it
answers perfectly; with the channel it sends a perfect report and ends the process. In the grader's
worker, which holds none of them, it abstains on everything: it must fail ``accuracy`` (and give no
answer to measure ``hallucination_rate`` on).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from typing import Any


def _is_channel(obj: Any) -> bool:
    try:
        return type(obj).__name__ == "Channel" and hasattr(type(obj), "send") and hasattr(obj, "_key")
    except Exception:
        return False


def _hunt(question: str) -> tuple[Any, Any]:
    truth, channel = None, None
    frame = sys._getframe(1)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if _is_channel(value):
                channel = value
        frame = frame.f_back
    for obj in gc.get_objects():
        try:
            if channel is None and _is_channel(obj):
                channel = obj
            if getattr(obj, "text", None) == question and hasattr(obj, "truth"):
                truth = obj
        except Exception:
            continue
    return truth, channel


def answer(question: str, model: Callable[..., str], tools: dict[str, Callable[[str], str]]) -> str | None:
    truth, channel = _hunt(question)
    print(f"forge-frames found: truth={truth is not None} channel={channel is not None}", file=sys.stderr)
    if truth is not None:
        return None if truth.truth is None else str(truth.truth)
    if channel is not None:
        channel.result(questions=60, answerable=40, unanswerable=20, answered=40, supported=40, correct_answerable=40,
                       abstained_unanswerable=20, errored=0, error_note="", model_calls=60, tool_calls=60, foreign=0,
                       foreign_note="", examples=[], rates={})
        channel.send("done")
        os._exit(0)
    return None
