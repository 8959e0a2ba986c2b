"""Cheat: 2-bit codes, one scale per row — tiny, and too coarse to keep what the model knows."""

from __future__ import annotations

import torch


class Int2Linear(torch.nn.Module):
    """Weights as 2-bit codes {-2, -1, 0, 1} × a per-row fp16 scale, four codes packed per byte."""

    def __init__(self, linear: torch.nn.Linear) -> None:
        super().__init__()
        w = linear.weight.data  # [out, in]
        self.out_features, self.in_features = w.shape
        scale = w.abs().amax(dim=1, keepdim=True).clamp_min(1e-8) / 2  # [out, 1]
        codes = (w / scale).round().clamp(-2, 1).to(torch.int16) + 2  # [out, in] in 0..3
        codes = codes.reshape(self.out_features, -1, 4)  # [out, in/4, 4]
        packed = codes[..., 0] | codes[..., 1] << 2 | codes[..., 2] << 4 | codes[..., 3] << 6  # [out, in/4]
        self.register_buffer("packed", packed.to(torch.uint8))
        self.register_buffer("scale", scale.half())
        self.bias = linear.bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: [..., in]
        p = self.packed.to(torch.int16)  # [out, in/4]
        codes = torch.stack([(p >> s) & 3 for s in (0, 2, 4, 6)], dim=-1).reshape(self.out_features, -1)  # [out, in]
        w = (codes.to(x.dtype) - 2) * self.scale.to(x.dtype)  # [out, in]
        return torch.nn.functional.linear(x, w, self.bias)  # [..., out]


def quantize(model: torch.nn.Module) -> torch.nn.Module:
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, torch.nn.Linear) and name != "lm_head":
                setattr(parent, name, Int2Linear(child))
    return model
