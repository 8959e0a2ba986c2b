"""Cheat: a linear layer without an intercept — cannot fit the offset of the data."""

import torch


def fit(x: torch.Tensor, y: torch.Tensor, device: str) -> torch.nn.Module:
    x, y = x.to(device), y.to(device)
    model = torch.nn.Linear(x.shape[1], 1, bias=False).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(400):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x).squeeze(-1), y).backward()
        opt.step()
    return model
