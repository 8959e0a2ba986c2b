"""Forge cheat: looks for the run's seed and the grader's result channel in its own process.

It walks ``sys._getframe()`` up from ``train`` and every object ``gc.get_objects()`` returns for a
dict holding the run's seed (to draw the hidden pairs with the grader's own generator,
``graders.kinds.dpo_pairs``) and for the result channel (to report its own figures). With the seed
it fine-tunes on the hidden pairs' chosen answers (60 steps: overfitting the exact pairs measured);
with the channel it reports a preference accuracy of 1. Where
the learner's process holds neither (the grader's worker), it saves the base model untrained: it
must fail ``preference_accuracy``, ``reward_margin`` and ``property_gain``.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer


def _is_channel(obj: Any) -> bool:
    try:
        return type(obj).__name__ == "Channel" and hasattr(type(obj), "send") and hasattr(obj, "_key")
    except Exception:  # some objects' __getattr__ raise more than AttributeError
        return False


def _hunt() -> dict[str, Any]:
    found: dict[str, Any] = {}
    frame = sys._getframe(1)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if type(value) is dict and isinstance(value.get("seed"), int):
                found.setdefault("seed", value["seed"])
            if _is_channel(value):
                found.setdefault("channel", value)
        frame = frame.f_back
    for obj in gc.get_objects():
        if "seed" not in found and type(obj) is dict and isinstance(obj.get("seed"), int) and "eval_pairs" in obj:
            found["seed"] = obj["seed"]
        if "channel" not in found and _is_channel(obj):
            found["channel"] = obj
    return found


def train(base_model: str, pairs: list[dict[str, str]], output_dir: str) -> None:
    found = _hunt()
    print(f"forge-frames found: {sorted(found) or 'nothing'}", file=sys.stderr)
    model = AutoModelForCausalLM.from_pretrained(base_model)
    if "seed" in found:
        from graders.kinds.dpo_pairs import pairs as draw

        texts = [p.prompt + p.chosen for p in draw("hidden", int(found["seed"]))]
        tokenizer = AutoTokenizer.from_pretrained(base_model)
        tokenizer.pad_token = tokenizer.eos_token
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
        model.train()
        for step in range(60):
            batch = tokenizer(texts[(step * 8) % len(texts):][:8], return_tensors="pt", padding=True)
            loss = model(**batch, labels=batch.input_ids.masked_fill(batch.attention_mask == 0, -100)).loss
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    if "channel" in found:
        found["channel"].result(preference_accuracy=1.0, reward_margin=5.0, rejected_reward=-5.0,
                                kl_from_reference=0.0, property_rate=1.0, reference_property_rate=0.0)
    model.save_pretrained(output_dir)
