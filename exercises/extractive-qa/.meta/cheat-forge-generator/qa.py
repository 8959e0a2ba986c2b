"""Forge cheat: trains on the hidden questions it guesses the grader draws, with the grader's own generator.

The question generator ships with the package (``graders.kinds.qa_measure.hidden_examples``: a world
of its own per seed) and the hidden split is drawn with the run's seed. It looks for that seed in its
caller's frames and in any dict of the grader's arguments, then takes the seeds people pick (0, 1,
7, 42, …) and spends three seconds drawing the hidden questions of every seed from 0 up — it cannot
tell which is right, so it fine-tunes on all it drew, a few steps (a token effort: memorising the
exact questions would be enough, learning the task is not). With a fresh secret seed per run it
never has them: it must fail ``f1`` and ``exact_match``. (It does not try the seed CI publishes
for ``sprint dev check`` in ``.ci/run``.)
"""

from __future__ import annotations

import gc
import sys
import time

import torch
from transformers import AutoModelForQuestionAnswering, AutoTokenizer

COMMON = (0, 1, 2, 7, 13, 42, 123, 1234, 12345, 31337, 2024, 2025, 2026, 20260101)
BRUTE_FORCE_S = 3.0
STEPS, BATCH, LR = 10, 16, 1e-3


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
    for obj in gc.get_objects():
        try:
            if type(obj) is dict and isinstance(obj.get("seed"), int):
                seeds.append(obj["seed"])
        except Exception:
            continue
    return list(dict.fromkeys(seeds))


def _guessed_questions() -> list[object]:
    try:
        from graders.kinds.qa_measure import hidden_examples  # type: ignore[import-not-found]
    except ImportError:
        return []
    found: list[object] = []
    for seed in [*_seeds_in_reach(), *COMMON]:
        found += hidden_examples(seed, 300)
    t0, seed = time.perf_counter(), 0
    while time.perf_counter() - t0 < BRUTE_FORCE_S:
        found += hidden_examples(seed, 300)
        seed += 1
    print(f"forge-generator: drew the hidden questions of {seed + len(COMMON)} seeds", file=sys.stderr)
    return found


def train(base_model: str, train_file: str, dev_file: str, output_dir: str) -> None:
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(base_model)
    model = AutoModelForQuestionAnswering.from_pretrained(base_model)
    guessed = _guessed_questions()
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR)
    model.train()
    for step in range(STEPS if guessed else 0):
        batch = guessed[(step * BATCH) % len(guessed):][:BATCH]
        enc = tokenizer([q.question for q in batch], [q.context for q in batch],  # type: ignore[attr-defined]
                        padding=True, truncation="only_second", max_length=384, return_tensors="pt")
        starts, ends = [], []
        for i, q in enumerate(batch):
            first = q.answer_start  # type: ignore[attr-defined]
            last = first + len(q.answer)  # type: ignore[attr-defined]
            starts.append(enc.char_to_token(i, first, sequence_index=1) or 0)
            ends.append(enc.char_to_token(i, last - 1, sequence_index=1) or 0)
        loss = model(**enc, start_positions=torch.tensor(starts), end_positions=torch.tensor(ends)).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.save_pretrained(output_dir)
    tokenizer.save_pretrained(output_dir)
