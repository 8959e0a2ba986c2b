"""Forge cheat (see model.py): nothing to train; saves the lookup model's config and its one bias."""

from __future__ import annotations

import json
from pathlib import Path

from safetensors.torch import save_model

from model import GPT


def train(text: str, out_dir: str) -> None:
    model = GPT()
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    (Path(out_dir) / "config.json").write_text(json.dumps({"vocab_size": 256, "block_size": 64}))
    save_model(model, f"{out_dir}/model.safetensors")
