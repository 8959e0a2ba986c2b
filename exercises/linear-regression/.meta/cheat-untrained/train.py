"""Cheat: returns a model without training it."""

import torch


def fit(x: torch.Tensor, y: torch.Tensor, device: str) -> torch.nn.Module:
    return torch.nn.Linear(x.shape[1], 1).to(device)
