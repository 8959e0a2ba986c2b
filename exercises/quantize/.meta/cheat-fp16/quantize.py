"""Cheat: half precision is not quantization (footprint = fp16)."""

from __future__ import annotations

import torch


def quantize(model: torch.nn.Module) -> torch.nn.Module:
    return model.half()
