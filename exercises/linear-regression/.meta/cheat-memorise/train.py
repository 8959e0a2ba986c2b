"""Cheat: memorises the training set and answers with the nearest training target (1-NN)."""

import torch


class Lookup(torch.nn.Module):
    def __init__(self, x: torch.Tensor, y: torch.Tensor) -> None:
        super().__init__()
        self.x = torch.nn.Parameter(x, requires_grad=False)
        self.y = torch.nn.Parameter(y, requires_grad=False)

    def forward(self, q: torch.Tensor) -> torch.Tensor:
        return self.y[torch.cdist(q, self.x).argmin(dim=1)]


def fit(x: torch.Tensor, y: torch.Tensor, device: str) -> torch.nn.Module:
    return Lookup(x.to(device), y.to(device))
