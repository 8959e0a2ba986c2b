"""Reference: NF4 (4-bit NormalFloat, blocks of 64 with an absmax each) through bitsandbytes."""

from __future__ import annotations

import bitsandbytes as bnb
import torch


def quantize(model: torch.nn.Module) -> torch.nn.Module:
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if not isinstance(child, torch.nn.Linear) or name == "lm_head":
                continue
            layer = bnb.nn.Linear4bit(child.in_features, child.out_features, bias=child.bias is not None,
                                      compute_dtype=torch.float32, quant_type="nf4")
            # [out, in] fp32 → packed 4-bit codes [out*in/2, 1] uint8 + one absmax per 64 weights
            layer.weight = bnb.nn.Params4bit(child.weight.data.clone(), requires_grad=False, quant_type="nf4")
            if child.bias is not None:
                layer.bias = torch.nn.Parameter(child.bias.data.clone(), requires_grad=False)
            setattr(parent, name, layer.to("cpu"))  # .to() is where bitsandbytes quantizes
    return model
