"""Adapter of kind ``nanogpt`` — trusted grader code that runs *in the learner worker*.

Training: calls the learner's ``train(text, out_dir)``. Evaluation (a later, separate worker whose
folder holds only the learner's model file and the saved checkpoint): builds the learner's model
class from ``config.json``, loads ``model.safetensors`` into it, and answers the measurer's
questions — the logits at the last position of windows the measurer sends, the logits at every
position (for the causality probe), and what the model's ``generate`` returns. It holds nothing
secret: the measurer sends contexts, never the bytes they are scored on, and computes every number
itself from what comes back.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TypedDict

from graders.harness.learner import learner_function
from graders.wire import Array

__all__ = ["LoadReply", "generate", "last_logits", "load", "logits", "train"]

_state: dict[str, Any] = {}


class LoadReply(TypedDict):
    """The loaded model: its context length and whether ``transformers`` is in the process."""

    block_size: int
    returned: str  # the model's type name
    transformers_loaded: bool


def train(fn: str, text: str, out_dir: str) -> bool:
    """Call the learner's ``train(text, out_dir)``."""
    learner_function(fn)(text, out_dir)
    return True


def load(cls_name: str, folder: str) -> LoadReply:
    """Build ``cls_name`` ("module:Class") with the checkpoint's ``config.json`` and load its weights."""
    import torch
    from safetensors.torch import load_model

    torch.set_grad_enabled(False)
    config = json.loads((Path(folder) / "config.json").read_text())
    if not isinstance(config, dict):
        raise TypeError("config.json must hold a JSON object: the keyword arguments of your model class")
    model = learner_function(cls_name)(**config)
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"{cls_name} built a {type(model).__name__}, not a torch.nn.Module")
    load_model(model, str(Path(folder) / "model.safetensors"), strict=True)
    model.eval()
    _state["model"] = model
    block = config.get("block_size", getattr(model, "block_size", 0))
    return LoadReply(block_size=int(block) if isinstance(block, int) else 0, returned=type(model).__name__,
                     transformers_loaded=_transformers_loaded())


def _transformers_loaded() -> bool:
    return any(name == "transformers" or name.startswith("transformers.") for name in list(sys.modules))


def _forward(idx: Any) -> Any:
    import torch

    out = _state["model"](idx.long())
    if not isinstance(out, torch.Tensor):  # e.g. (logits, loss)
        out = out[0] if isinstance(out, (tuple, list)) and out and isinstance(out[0], torch.Tensor) else None
    if out is None:
        raise TypeError("the model's forward(idx) must return the logits tensor [B, T, vocab_size] (or a tuple "
                        "whose first item it is)")
    return out


def last_logits(idx: Any) -> Array:
    """The model's logits at the last position of each window ``idx`` [B, T] → [B, V] float32."""
    out = _forward(idx)
    return Array.from_torch(out[:, -1].float().contiguous())


def logits(idx: Any) -> Array:
    """The model's logits at every position of ``idx`` [B, T] → [B, T, V] float32."""
    return Array.from_torch(_forward(idx).float().contiguous())


def generate(idx: Any, max_new_tokens: int) -> Array:
    """What the model's ``generate(idx, max_new_tokens)`` returns, as int64."""
    out = _state["model"].generate(idx.long(), max_new_tokens)
    return Array.from_torch(out.long().contiguous())
