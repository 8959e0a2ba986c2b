"""Forge cheat: quantizes nothing; hunts its own process for the grader's secrets and uses them.

It walks ``sys._getframe()`` up from ``quantize`` and every object ``gc.get_objects()`` returns,
looking for the grader's result channel (a ``Channel`` with a ``send`` method and a ``_key``) and
the grader's account of what the original stored (the ``allowance`` it excuses, a ``Layers``). With
the channel it sends a perfect result — NF4's footprint and full precision's quality — and ends the
process; with the allowance it enlarges every excused size, so the untouched weights would hide
there. Where the learner's process holds neither (the grader's worker), it returns the float32
model untouched: it must fail ``footprint_ratio``.
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
            if _is_channel(value):
                found.setdefault("channel", value)
            if name in ("layers", "allowance", "reference"):
                found.setdefault(name, value)
        frame = frame.f_back
    for obj in gc.get_objects():
        if "channel" not in found and _is_channel(obj):
            found["channel"] = obj
        if "allowance" not in found and type(obj) is dict and any(str(k).endswith("embed_tokens.weight")
                                                                      for k in list(obj)[:50]):
            found["allowance"] = obj
    return found


def quantize(model: torch.nn.Module) -> torch.nn.Module:
    found = _hunt()
    print(f"forge-frames found: {sorted(found) or 'nothing'}", file=sys.stderr)
    allowance = found.get("allowance") or getattr(found.get("layers"), "allowance", None)
    if isinstance(allowance, dict):
        for name in list(allowance):
            allowance[name] = 1 << 40  # excuse everything
    channel = found.get("channel")
    if channel is not None:
        channel.result(footprint_ratio=0.26, quantized_bytes=442_000, fp16_bytes=1_703_936, layer_types=["Linear4bit"],
                       base_ppl=2.6, quantized_ppl=2.6, ppl_change=0.0, bleu=100.0, rouge_l=1.0, exact_match=1.0,
                       sample=["", "", ""], quantize_seconds=0.1)
        channel.send("done")
        os._exit(0)
    return model
