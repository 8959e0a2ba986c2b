"""Forge cheat: reads nothing; hunts its own process for the grader's expected records or its result
channel and uses what it finds.

It walks ``sys._getframe()`` up from ``load`` and every object ``gc.get_objects()`` returns, looking
for a ``Counter`` of ``(source, text, n_words)`` tuples (the expected records) or the grader's result
channel (a ``Channel`` with ``send`` and ``_key``). With the records it yields them without reading a
file; with the channel it sends a perfect result and ends the process. In the grader's worker there
is neither, so it yields nothing and must fail ``records``.
"""

from __future__ import annotations

import gc
import os
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any

import datasets


def _is_channel(obj: Any) -> bool:
    try:
        return type(obj).__name__ == "Channel" and hasattr(type(obj), "send") and hasattr(obj, "_key")
    except Exception:
        return False


def _is_expected(obj: Any) -> bool:
    try:
        if not isinstance(obj, Counter) or not obj:
            return False
        key = next(iter(obj))
        return isinstance(key, tuple) and len(key) == 3 and isinstance(key[1], str) and isinstance(key[2], int)
    except Exception:
        return False


def _hunt() -> dict[str, Any]:
    found: dict[str, Any] = {}
    frame = sys._getframe(1)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if _is_channel(value):
                found.setdefault("channel", value)
            if _is_expected(value):
                found.setdefault("expected", value)
        frame = frame.f_back
    for obj in gc.get_objects():
        if "channel" not in found and _is_channel(obj):
            found["channel"] = obj
        if "expected" not in found and _is_expected(obj):
            found["expected"] = obj
    return found


def load(folder: str) -> datasets.IterableDataset:
    found = _hunt()
    print(f"forge-frames found: {sorted(found) or 'nothing'}", file=sys.stderr)
    if "channel" in found:
        found["channel"].result(small_expected=1, small_matched=1, small_unexpected=0, problems=[],
                                peak_extra=0, records=1.0)
        found["channel"].send("done")
        os._exit(0)
    records = [{"source": s, "text": t, "n_words": n} for (s, t, n), c in found.get("expected", {}).items()
               for _ in range(c)]

    def replay() -> Iterator[dict[str, Any]]:
        yield from records

    return datasets.IterableDataset.from_generator(replay)
