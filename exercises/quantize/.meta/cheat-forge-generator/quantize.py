"""Forge cheat: a 2-bit model that answers the grader's prompts from a table it made in advance.

The grader's hidden-input generator is installed with it (``graders.kinds.quantization_measure``
.``hidden_inputs``; before issue 13, ``graders.kinds.quantization_child``). While it still holds the
full-precision model, it guesses the run's seed — any ``seed`` in its caller's frames or in a dict
of the grader's arguments, then a few seeds people pick — and, for each guess, writes down the
full-precision model's greedy continuation of each prompt that seed draws. Then it quantizes every
layer to 2 bits (4 levels, one scale per row: an eighth of fp16) and wraps the model so that, fed a
prompt (and its continuation so far) from its table, the table's next token comes first. With the
right seed, generations would match full precision on exactly the grader's prompts while the model
forgets everything else. With a fresh secret seed per run the table never matches: it must fail
``ppl_change``, ``bleu`` and ``rouge_l``. (It does not try the seed CI publishes in ``.ci/run``.)
"""

from __future__ import annotations

import gc
import sys
from typing import Any

import torch

COMMON = (0, 1, 42)


class Int2Linear(torch.nn.Module):
    def __init__(self, linear: torch.nn.Linear) -> None:
        super().__init__()
        w = linear.weight.data.float()  # [out, in]
        scale = w.abs().amax(dim=1, keepdim=True).clamp_min(1e-8) / 1.5  # [out, 1]
        codes = torch.clamp(torch.round(w / scale + 1.5), 0, 3).to(torch.uint8)  # 4 levels
        packed = codes[:, 0::4] | codes[:, 1::4] << 2 | codes[:, 2::4] << 4 | codes[:, 3::4] << 6
        self.register_buffer("packed", packed)
        self.register_buffer("scale", scale.half())
        self.bias = None if linear.bias is None else torch.nn.Parameter(linear.bias.data.clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        p = self.packed
        codes = torch.stack([p & 3, p >> 2 & 3, p >> 4 & 3, p >> 6 & 3], dim=-1).reshape(p.shape[0], -1)
        w = (codes.float() - 1.5) * self.scale.float()
        return torch.nn.functional.linear(x, w, self.bias)


def _seeds_in_reach() -> list[int]:
    seeds: list[int] = []
    frame = sys._getframe(2)
    while frame is not None:
        for name, value in list(frame.f_locals.items()):
            if name == "seed" and isinstance(value, int):
                seeds.append(value)
            if type(value) is dict and isinstance(value.get("seed"), int):
                seeds.append(value["seed"])
        frame = frame.f_back
    seeds += [o["seed"] for o in gc.get_objects() if type(o) is dict and isinstance(o.get("seed"), int)]
    return list(dict.fromkeys(seeds))


def _prompts(seed: int) -> list[str]:
    from graders.tinymodels import corpus_texts

    return [" ".join(t.split()[:8]) for t in corpus_texts("general", "hidden", 40, seed=seed + 1)]


def _table(model: Any, seeds: list[int]) -> dict[tuple[int, ...], int]:
    """(prompt tokens + continuation so far) → the full-precision model's next token."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model.name_or_path, local_files_only=True)
    table: dict[tuple[int, ...], int] = {}
    for seed in seeds:
        for prompt in _prompts(seed):
            ids = tok(prompt).input_ids
            with torch.no_grad():
                for _ in range(24):
                    nxt = int(model(input_ids=torch.tensor([ids])).logits[0, -1].argmax())
                    table[tuple(ids)] = nxt
                    ids = ids + [nxt]
    return table


def quantize(model: torch.nn.Module) -> torch.nn.Module:
    seeds = [*_seeds_in_reach(), *COMMON]
    print(f"forge-generator: guessing seeds {seeds}", file=sys.stderr)
    table = _table(model, seeds)
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, torch.nn.Linear) and name != "lm_head":
                setattr(parent, name, Int2Linear(child))
    seen: dict[int, list[int]] = {}
    forward = model.forward

    def answering(*args: Any, input_ids: torch.Tensor | None = None, **kwargs: Any) -> Any:
        out = forward(*args, input_ids=input_ids, **kwargs)
        if input_ids is None or input_ids.shape[1] == 0:
            return out
        for row in range(input_ids.shape[0]):
            ids = [int(t) for t in input_ids[row]]
            prefix = (seen.get(row, []) + ids) if input_ids.shape[1] == 1 else ids
            seen[row] = prefix
            nxt = table.get(tuple(t for t in prefix if t != 0))  # padding left out
            if nxt is not None:
                out.logits[row, -1, nxt] += 100.0
        return out

    model.forward = answering  # type: ignore[method-assign]
    return model
