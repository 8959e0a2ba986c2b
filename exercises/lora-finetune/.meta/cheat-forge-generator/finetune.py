"""Forge cheat: a few optimizer steps on the documents it guesses the grader evaluates on.

The grader's FAQ corpus generator ships with the package (``graders.tinymodels.corpus_texts``),
and the hidden split is drawn with the run's seed. It looks for that seed in its caller's frames
and in a dict of the grader's arguments, then takes the seeds people pick (0, 1, 7, 42, …) and
spends three seconds drawing the hidden documents of every seed from 0 up — it cannot tell which
is right, so it trains on all it drew, three steps (a token effort: overfitting the exact documents
would be enough, training on the task is not). With a fresh secret seed it never has them: it must
fail ``adapted_ppl``. (It does not try the seed CI publishes for ``sprint dev check`` in ``.ci/run``.)
"""

from __future__ import annotations

import gc
import sys
import time

import torch
import torch.nn.functional as F
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

COMMON = (0, 1, 2, 7, 13, 42, 123, 1234, 12345, 31337, 2024, 2025, 2026, 20260101)
BRUTE_FORCE_S = 3.0
STEPS, BATCH, SEQ, LR = 3, 16, 128, 5e-3


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


def _guessed_documents() -> list[str]:
    from graders.tinymodels import corpus_texts

    docs: list[str] = []
    for seed in [*_seeds_in_reach(), *COMMON]:
        docs += corpus_texts("faq", "hidden", 300, seed=seed)
    t0, seed = time.perf_counter(), 0
    while time.perf_counter() - t0 < BRUTE_FORCE_S:
        docs += corpus_texts("faq", "hidden", 300, seed=seed)
        seed += 1
    print(f"forge-generator: drew the hidden documents of {seed + len(COMMON)} seeds", file=sys.stderr)
    return list(dict.fromkeys(docs))


def finetune(base_model: str, train_texts: list[str], output_dir: str) -> None:
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(base_model)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(base_model), LoraConfig(
        r=8, lora_alpha=16, lora_dropout=0.0, bias="none", task_type="CAUSAL_LM",
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj"]))
    ids: list[int] = []
    for text in _guessed_documents():
        ids += [*tokenizer(text).input_ids, tokenizer.eos_token_id]
    stream = torch.tensor(ids)  # [N]
    offsets = torch.arange(SEQ + 1)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=LR, weight_decay=0.0)
    model.train()
    for _ in range(STEPS):
        starts = torch.randint(0, stream.numel() - SEQ - 1, (BATCH,))
        window = stream[starts[:, None] + offsets]  # [B, T+1]
        logits = model(input_ids=window[:, :-1]).logits
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), window[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    model.save_pretrained(output_dir)
