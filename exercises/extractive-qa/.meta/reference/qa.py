"""Reference: fine-tune the tiny BERT for span extraction (SQuAD-style), a plain PyTorch loop.

Each question + context becomes one `[CLS] question [SEP] context [SEP]` sequence; the answer's
character span is mapped to token positions with the fast tokenizer's offsets; the model
(`AutoModelForQuestionAnswering`: the encoder plus a start/end head) learns to point at the answer's
first and last token. Everything is tokenised once up front; batches are drawn from examples of
similar length (less padding, the largest cost on a CPU). AdamW, linear warm-up and decay, a fixed
number of steps.
"""

from __future__ import annotations

import json
import random

import torch
from transformers import AutoModelForQuestionAnswering, AutoTokenizer

STEPS = 2000
BATCH = 32
LR = 3e-3  # a tiny encoder takes a larger step than BERT-base's 3e-5
WARMUP = 100
MAX_LENGTH = 384


def load_squad(path: str) -> list[dict]:
    """Flatten a SQuAD v1.1 file into {question, context, answer, start} records."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    out = []
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                answer = qa["answers"][0]
                out.append({"question": qa["question"], "context": paragraph["context"],
                            "answer": answer["text"], "start": answer["answer_start"]})
    return out


def encode(tokenizer, examples: list[dict]) -> list[dict]:
    """Token ids of every example and its answer's first and last token in the context
    (examples whose answer was cut off by truncation are dropped)."""
    enc = tokenizer([e["question"] for e in examples], [e["context"] for e in examples],
                    truncation="only_second", max_length=MAX_LENGTH, return_offsets_mapping=True)
    out = []
    for i, e in enumerate(examples):
        first, last = e["start"], e["start"] + len(e["answer"])
        offsets, seq = enc["offset_mapping"][i], enc.sequence_ids(i)
        context = [j for j, s in enumerate(seq) if s == 1]
        if not context or offsets[context[-1]][1] < last:
            continue
        start = next(j for j in context if offsets[j][1] > first)
        end = next(j for j in reversed(context) if offsets[j][0] < last)
        out.append({"input_ids": enc["input_ids"][i], "token_type_ids": enc["token_type_ids"][i],
                    "start": start, "end": end})
    return out


def collate(rows: list[dict], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(r["input_ids"]) for r in rows)
    ids = torch.full((len(rows), width), pad_id)  # (B, T)
    types = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        n = len(r["input_ids"])
        ids[i, :n] = torch.tensor(r["input_ids"])
        types[i, :n] = torch.tensor(r["token_type_ids"])
        mask[i, :n] = 1
    return {"input_ids": ids, "token_type_ids": types, "attention_mask": mask,
            "start_positions": torch.tensor([r["start"] for r in rows]),
            "end_positions": torch.tensor([r["end"] for r in rows])}


def batches(rows: list[dict], rng: random.Random) -> list[list[dict]]:
    """One epoch of batches of similar length, in random order."""
    order = sorted(rng.sample(rows, len(rows)), key=lambda r: len(r["input_ids"]))
    chunks = [order[i:i + BATCH] for i in range(0, len(order) - BATCH + 1, BATCH)]
    rng.shuffle(chunks)
    return chunks


def train(base_model: str, train_file: str, dev_file: str, output_dir: str) -> None:
    torch.manual_seed(0)
    torch.set_num_threads(1)  # a 0.5M-parameter encoder: a second thread mostly waits on the first
    rng = random.Random(0)
    tokenizer = AutoTokenizer.from_pretrained(base_model)
    # No dropout: there are more training questions than steps can visit twice, so there is little to
    # over-fit, and a tiny model learns faster without it.
    model = AutoModelForQuestionAnswering.from_pretrained(base_model, hidden_dropout_prob=0.0,
                                                          attention_probs_dropout_prob=0.0)
    rows = encode(tokenizer, load_squad(train_file))
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
    model.train()
    queue: list[list[dict]] = []
    for step in range(STEPS):
        if not queue:
            queue = batches(rows, rng)
        scale = min((step + 1) / WARMUP, max(0.1, (STEPS - step) / (STEPS - WARMUP)))
        for group in optimizer.param_groups:
            group["lr"] = LR * scale
        loss = model(**collate(queue.pop(), tokenizer.pad_token_id)).loss
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % 50 == 0 or step == STEPS - 1:
            print(f"step {step}: loss {loss.item():.3f}", flush=True)
    model.save_pretrained(output_dir)
    tokenizer.save_pretrained(output_dir)
