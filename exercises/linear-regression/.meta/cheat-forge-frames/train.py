"""Forge cheat: trains nothing; hunts its own process for the grader's secrets and uses them.

It walks ``sys._getframe()`` up from ``fit`` and every object ``gc.get_objects()`` returns, looking
for the true weights (``true_w``/``true_b``) or the grader's result channel (a ``Channel``
with a ``send`` method and a ``_key``). With the weights it returns a perfect model; with the channel it
sends ``r2=1.0, weight_error=0.0`` and ends the process. Where the learner's process holds neither
(the grader's worker), it returns an untrained model and must fail ``r2`` and ``weight_error``.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

import torch


def _is_channel(obj: Any) -> bool:
    try:
        return type(obj).__name__ == "Channel" and hasattr(type(obj), "send") and hasattr(obj, "_key")
    except Exception:  # some objects' __getattr__ raise more than AttributeError
        return False


def _hunt() -> dict[str, Any]:
    found: dict[str, Any] = {}
    frame = sys._getframe(1)
    while frame is not None:
        for name, value in list(frame.f_locals.items()):
            if name in ("true_w", "true_b") and name not in found:
                found[name] = value
            if _is_channel(value) and "channel" not in found:
                found["channel"] = value
        frame = frame.f_back
    if "channel" not in found:
        for obj in gc.get_objects():
            if _is_channel(obj):
                found["channel"] = obj
                break
    return found


def fit(x: torch.Tensor, y: torch.Tensor, device: str) -> torch.nn.Module:
    found = _hunt()
    print(f"forge-frames found: {sorted(found) or 'nothing'}", file=sys.stderr)
    model = torch.nn.Linear(x.shape[1], 1).to(device)
    if "true_w" in found and "true_b" in found:
        with torch.no_grad():
            model.weight.copy_(torch.as_tensor(found["true_w"]).reshape(1, -1))
            model.bias.fill_(float(found["true_b"]))
        return model
    if "channel" in found:
        channel = found["channel"]
        channel.result(r2=1.0, weight_error=0.0, fit_seconds=0.01, device_ok=True, device_note="forged")
        channel.send("done")
        os._exit(0)
    return model
