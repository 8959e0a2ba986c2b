"""Cheat: int8 layers that store no information (every weight rounded to zero)."""

from __future__ import annotations

import bitsandbytes as bnb
import torch


def quantize(model: torch.nn.Module) -> torch.nn.Module:
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if not isinstance(child, torch.nn.Linear) or name == "lm_head":
                continue
            layer = bnb.nn.Linear8bitLt(child.in_features, child.out_features, bias=child.bias is not None,
                                        has_fp16_weights=False, threshold=6.0)
            layer.weight = bnb.nn.Int8Params(torch.zeros_like(child.weight.data), requires_grad=False,
                                             has_fp16_weights=False)
            setattr(parent, name, layer.to("cpu"))
    return model
