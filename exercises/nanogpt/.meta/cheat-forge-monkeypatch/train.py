"""Forge cheat: trains nothing. At import it patches what a grader in its process would measure
with — ``torch.nn.functional.cross_entropy`` (always 0), ``torch.isfinite``, ``time.perf_counter``,
the harness's ``Channel.send`` — then saves the untrained reference model. The measurer computes
the loss in its own process with its own torch, so the patches change nothing that is measured."""

from __future__ import annotations

import json
import time
from pathlib import Path

import torch
from safetensors.torch import save_model

from model import GPT

CONFIG = {"vocab_size": 256, "block_size": 64, "n_layer": 2, "n_head": 4, "n_embd": 128, "dropout": 0.0}

torch.nn.functional.cross_entropy = lambda *a, **k: torch.tensor(0.0)  # type: ignore[assignment]
time.perf_counter = lambda: 0.0  # type: ignore[assignment]
try:
    from graders.harness import channel as _channel

    _channel.Channel.send = lambda self, *a, **k: None  # type: ignore[method-assign]
except Exception:
    pass


def train(text: str, out_dir: str) -> None:
    model = GPT(**CONFIG)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    (Path(out_dir) / "config.json").write_text(json.dumps(CONFIG))
    save_model(model, f"{out_dir}/model.safetensors")
