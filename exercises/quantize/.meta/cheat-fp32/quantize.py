"""Cheat: returns the model as it came — nothing is quantized (float32 weights)."""

from __future__ import annotations

import torch


def quantize(model: torch.nn.Module) -> torch.nn.Module:
    return model
