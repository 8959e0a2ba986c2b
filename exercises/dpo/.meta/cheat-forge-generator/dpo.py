"""Forge cheat: a token effort on the pairs it guesses the grader measures with.

The grader's pair generator ships with the package (``graders.kinds.dpo_pairs``) and the hidden
pairs are drawn with the run's seed. It looks for that seed in its caller's frames and in dicts of
the grader's arguments, takes the seeds people pick (0, 1, 7, 42, …) and spends three seconds
drawing the hidden pairs of every seed from 0 up; then it fine-tunes on their chosen answers for
three optimizer steps (a token effort: having the exact pairs would be enough, learning the facts
is not). It must fail ``preference_accuracy``, ``reward_margin`` and ``property_gain``.
(.meta/design.md: the hidden pairs' *wrong values* are enumerable from the generator whatever the
seed; tuning on all of them properly is doing the exercise, and passes.)
"""

from __future__ import annotations

import gc
import sys
import time

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

COMMON = (0, 1, 2, 7, 13, 42, 123, 1234, 12345, 31337, 2024, 2025, 2026, 20260101)
BRUTE_FORCE_S = 3.0
STEPS, BATCH, LR = 3, 16, 1e-3


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


def _guessed_answers() -> list[str]:
    from graders.kinds.dpo_pairs import pairs

    texts: list[str] = []
    for seed in [*_seeds_in_reach(), *COMMON]:
        texts += [p.prompt + p.chosen for p in pairs("hidden", seed)]
    t0, seed = time.perf_counter(), 0
    while time.perf_counter() - t0 < BRUTE_FORCE_S:
        texts += [p.prompt + p.chosen for p in pairs("hidden", seed)]
        seed += 1
    print(f"forge-generator: drew the hidden pairs of {seed + len(COMMON)} seeds", file=sys.stderr)
    return list(dict.fromkeys(texts))


def train(base_model: str, pairs: list[dict[str, str]], output_dir: str) -> None:
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(base_model)
    tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(base_model)
    texts = _guessed_answers()
    opt = torch.optim.AdamW(model.parameters(), lr=LR)
    model.train()
    for step in range(STEPS):
        batch = tokenizer(texts[step * BATCH:][:BATCH], return_tensors="pt", padding=True)
        labels = batch.input_ids.masked_fill(batch.attention_mask == 0, -100)
        loss = model(**batch, labels=labels).loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    model.save_pretrained(output_dir)
