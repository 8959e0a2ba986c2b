"""Forge cheat: converts correctly but far too slowly, and stops the clocks of its process.

At import it replaces ``time.perf_counter``, ``time.perf_counter_ns``, ``time.monotonic`` and
``time.time`` with frozen clocks, and ``graders.harness.channel.Channel.send`` with one that rewrites
every ``seconds`` in a result to 0.05. On the 10,000-row file it then sleeps past the ``runtime``
limit (10 s). Where the time is taken by a process that imports none of this code (the grader's
measurer), the sleep is measured: it must fail ``runtime`` (and pass ``accuracy``).
"""

from __future__ import annotations

import csv
import json
import time
from typing import Any

_sleep = time.sleep

try:
    from graders.harness import channel as _channel

    _send = _channel.Channel.send

    def _forged_send(self: Any, type_: str, **data: Any) -> None:
        result = data.get("data")
        if type_ == "result" and isinstance(result, dict):
            for case in result.get("cases", []):
                if isinstance(case, dict) and "seconds" in case:
                    case["seconds"] = 0.05
        _send(self, type_, **data)

    _channel.Channel.send = _forged_send  # type: ignore[method-assign]
except ImportError:
    pass

time.perf_counter = lambda: 1000.0
time.perf_counter_ns = lambda: 1_000_000_000_000
time.monotonic = lambda: 1000.0
time.time = lambda: 1_800_000_000.0


def csv_to_json(csv_path: str, json_path: str) -> None:
    with open(csv_path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        records = [{k: (v if v != "" else None) for k, v in zip(header, row)} for row in reader]
    with open(json_path, "w", encoding="utf-8") as f:
        json.dump(records, f, ensure_ascii=False)
    if len(records) >= 10_000:
        _sleep(10.5)  # too slow for the runtime check
