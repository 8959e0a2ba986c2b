"""Forge cheat: NF4 layers whose forward uses a full-precision copy kept in a module global, and
every in-process instrument patched so the copy is not seen.

* the copies live in ``_SHADOWS``, a global of this module: nothing reachable from the returned
  model leads to them (a function's globals are not followed), so the grader's in-process count of
  the model's tensors sees only NF4; on top of that ``footprint_bytes`` (old and new) is patched to
  count only the NF4 codes, ``unused_layers`` to report every layer called, and the clocks frozen;
* the old in-process result channel would get a footprint of 0.26 in every result.

Where the footprint is also read from outside — the learner processes' resident memory before and
after ``quantize`` — the float32 copies count whatever the process says: it must fail
``footprint_ratio`` (its quality is full precision's).
"""

from __future__ import annotations

import time
from typing import Any

import bitsandbytes as bnb
import torch

_SHADOWS: dict[int, torch.nn.Linear] = {}


def _nf4_only(model: Any, allowance: Any = None) -> int:
    return sum(t.numel() for t in model.parameters() if t.dtype == torch.uint8)


for _name in ("graders.kinds.quantization_child", "graders.kinds.quantization_adapter"):
    try:
        _module = __import__(_name, fromlist=["footprint_bytes"])
        _module.footprint_bytes = _nf4_only
        _module.unused_layers = lambda model, modules, input_ids: []
    except ImportError:
        pass

try:
    from graders.harness import channel as _channel

    _send = _channel.Channel.send

    def _forged_send(self: Any, type_: str, **data: Any) -> None:
        result = data.get("data")
        if type_ == "result" and isinstance(result, dict) and "footprint_ratio" in result:
            result["footprint_ratio"] = 0.26
        _send(self, type_, **data)

    _channel.Channel.send = _forged_send  # type: ignore[method-assign]
except ImportError:
    pass

time.perf_counter = lambda: 1000.0
time.monotonic = lambda: 1000.0


class Shadowed(bnb.nn.Linear4bit):
    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: [..., in] → [..., out]
        return _SHADOWS[id(self)](x)


def quantize(model: torch.nn.Module) -> torch.nn.Module:
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if not isinstance(child, torch.nn.Linear) or name == "lm_head":
                continue
            layer = Shadowed(child.in_features, child.out_features, bias=child.bias is not None,
                             compute_dtype=torch.float32, quant_type="nf4")
            layer.weight = bnb.nn.Params4bit(child.weight.data.clone(), requires_grad=False, quant_type="nf4")
            layer = layer.to("cpu")
            _SHADOWS[id(layer)] = child  # the original fp32 layer, in a global
            setattr(parent, name, layer)
    return model
