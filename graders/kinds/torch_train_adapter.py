"""Adapter of kind ``torch-train`` — trusted grader code that runs *in the learner worker*.

The model ``fit`` returns cannot leave the learner's process (it is the learner's object, and
nothing that executes on load crosses to the measurer), so this adapter keeps it here and answers
the measurer's questions about it: predictions on inputs the measurer sends, the parameters of
its ``nn.Linear(d, 1)``, the devices its parameters live on. It holds nothing secret — the
measurer never sends it the held-back targets or the true weights — and its replies are checked
against the TypedDicts below on the measurer's side, so patching it only yields wrong answers.
"""

from __future__ import annotations

from typing import Any, TypedDict

from graders.harness.learner import learner_function
from graders.wire import Array

__all__ = ["FitReply", "LinearReply", "fit", "linear", "predict"]

_state: dict[str, Any] = {}


class FitReply(TypedDict):
    """After ``fit``: what it returned, and where its parameters live."""

    returned: str  # the type's name
    is_module: bool
    devices: list[str]  # device types of the parameters, sorted


class LinearReply(TypedDict):
    """The returned model's ``nn.Linear(features, 1)``, if it has one."""

    found: bool
    weight: Array | None  # [features] float32
    bias: float | None  # None: the layer has no bias


def fit(fn: str, x: Any, y: Any, device: str) -> FitReply:
    """Call the learner's ``fn`` (``module:fit``) with ``x`` [n, d], ``y`` [n] (CPU float32) and
    ``device``; keep the model it returns."""
    import torch

    model = learner_function(fn)(x, y, device)
    _state["model"], _state["device"] = model, device
    is_module = isinstance(model, torch.nn.Module)
    devices = sorted({p.device.type for p in model.parameters()}) if is_module else []
    return FitReply(returned=type(model).__name__, is_module=is_module, devices=devices)


def predict(x: Any) -> Array:
    """The kept model's predictions for ``x`` [m, d], flattened to float32 on the CPU."""
    import torch

    model = _state["model"]
    model.eval()
    with torch.no_grad():
        out = model(x.to(_state["device"]))
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"the model's forward returned {type(out).__name__}, not a tensor")
    return Array.from_torch(out.reshape(-1).float().cpu())


def linear(features: int) -> LinearReply:
    """The first ``nn.Linear(features, 1)`` among the kept model's modules."""
    import torch

    model = _state["model"]
    layer = next((m for m in model.modules() if isinstance(m, torch.nn.Linear)
                  and m.in_features == features and m.out_features == 1), None)
    if layer is None:
        return LinearReply(found=False, weight=None, bias=None)
    weight = Array.from_torch(layer.weight.detach().reshape(-1).float().cpu())
    bias = float(layer.bias.detach().reshape(-1)[0]) if layer.bias is not None else None
    return LinearReply(found=True, weight=weight, bias=bias)
