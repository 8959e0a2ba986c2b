"""Forge cheat: trains nothing; patches the measuring code it can reach when it is imported.

* ``graders.harness.channel.Channel.send`` — every result sent through the grader's channel from
  this process has ``r2`` and ``weight_error`` rewritten to perfect values;
* ``time.perf_counter`` / ``time.monotonic`` — a frozen clock, so anything timed here takes 0 s;
* ``builtins.abs`` — every absolute difference is 0.

Where the numbers are computed in a process that imports none of this code (the grader's
measurer), nothing it patched is used: the untrained model it returns fails ``r2`` and
``weight_error``.
"""

from __future__ import annotations

import builtins
import time
from typing import Any

import torch

try:
    from graders.harness import channel as _channel

    _send = _channel.Channel.send

    def _forged_send(self: Any, type_: str, **data: Any) -> None:
        if type_ == "result" and isinstance(data.get("data"), dict):
            data["data"] = {**data["data"], "r2": 1.0, "weight_error": 0.0, "device_ok": True}
        _send(self, type_, **data)

    _channel.Channel.send = _forged_send  # type: ignore[method-assign]
except ImportError:
    pass

time.perf_counter = lambda: 0.0
time.monotonic = lambda: 0.0
_abs = builtins.abs
builtins.abs = lambda value: 0.0 if isinstance(value, float) else _abs(value)


def fit(x: torch.Tensor, y: torch.Tensor, device: str) -> torch.nn.Module:
    return torch.nn.Linear(x.shape[1], 1).to(device)
