"""Train the byte-level GPT of model.py on ``text`` and save it to ``out_dir``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch
from safetensors.torch import save_model
from torch.nn import functional as F

from model import GPT

CONFIG = {"vocab_size": 256, "block_size": 64, "n_layer": 2, "n_head": 4, "n_embd": 128, "dropout": 0.0}
STEPS, BATCH, LR, WARMUP = 600, 32, 3e-3, 20


def train(text: str, out_dir: str) -> None:
    torch.manual_seed(0)
    data = torch.tensor(list(text.encode("utf-8")), dtype=torch.long)
    model = GPT(**CONFIG)
    block = CONFIG["block_size"]
    decay = [p for p in model.parameters() if p.dim() >= 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}],
                            lr=LR, betas=(0.9, 0.95))
    model.train()
    for step in range(STEPS):
        lr = LR * min(1.0, (step + 1) / WARMUP) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / STEPS)))
        for group in opt.param_groups:
            group["lr"] = lr
        starts = torch.randint(len(data) - block - 1, (BATCH,))
        x = torch.stack([data[s:s + block] for s in starts])
        y = torch.stack([data[s + 1:s + block + 1] for s in starts])
        loss = F.cross_entropy(model(x).reshape(-1, CONFIG["vocab_size"]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 100 == 0 or step == STEPS - 1:
            print(f"step {step}: loss {loss.item():.3f}", flush=True)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(CONFIG))
    save_model(model, str(out / "model.safetensors"))
