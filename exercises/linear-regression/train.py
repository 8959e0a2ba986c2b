"""P1 — train a linear regression with PyTorch, on whichever device you are given.

Grade it with:  sprint grade linear-regression
"""

from __future__ import annotations

import torch


def fit(x: torch.Tensor, y: torch.Tensor, device: str) -> torch.nn.Module:
    """Train and return a model predicting ``y`` from ``x``.

    x: [n, d] float32 features, y: [n] float32 targets, both on the CPU.
    device: "cpu" or "cuda" — train there, and return the model on that device.
    The model must contain an ``nn.Linear(d, 1)`` whose weights the grader compares with the truth.
    """
    raise NotImplementedError("build an nn.Linear, move it and the data to `device`, and train it")
