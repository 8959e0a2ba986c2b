"""Cheat: NF4 layers in place, but each computes with a full-precision copy kept out of sight
(in a plain list, so it is no registered submodule) — small on paper, full precision in fact."""

from __future__ import annotations

import bitsandbytes as bnb
import torch


class Shadowed(bnb.nn.Linear4bit):
    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: [..., in] → [..., out]
        return self.__dict__["_shadow"][0](x)


def quantize(model: torch.nn.Module) -> torch.nn.Module:
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if not isinstance(child, torch.nn.Linear) or name == "lm_head":
                continue
            layer = Shadowed(child.in_features, child.out_features, bias=child.bias is not None,
                             compute_dtype=torch.float32, quant_type="nf4")
            layer.weight = bnb.nn.Params4bit(child.weight.data.clone(), requires_grad=False, quant_type="nf4")
            layer = layer.to("cpu")
            layer.__dict__["_shadow"] = [child]  # the original fp32 layer, unregistered
            setattr(parent, name, layer)
    return model
