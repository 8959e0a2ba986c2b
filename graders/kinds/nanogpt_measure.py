"""Measurer of kind ``nanogpt`` — trusted; runs beside the learner worker (see graders.measurer).

Two phases, two runs (graders.kinds.nanogpt starts them):

* ``train`` — sends the worker the shipped general corpus's train split as text and an output
  folder; the learner's ``train(text, out_dir)`` runs there (the adapter calls it) and must save
  ``config.json`` and ``model.safetensors``. Its wall time, seen from here, is ``train_seconds``.
* ``evaluate`` — a fresh run whose folder holds only the learner's model file and the checkpoint
  (none of the training code). Here: the parameter count, read from the safetensors file by this
  process; a **hidden held-out text** drawn from the run's seed (``corpus_texts("general",
  "hidden", seed=…)``: documents no train split of any seed holds); **bits per byte** on it, each
  target byte scored from the logits at the *last* position of a window that ends just before it —
  the model never sees the byte it is scored on, and the windows are disjoint, so no target appears
  in any input (a non-causal model gains nothing); a **causality probe** (the logits at positions
  before t must not change when the tokens after t do); and **greedy generation** through the
  model's ``generate``, each new token checked against the argmax of the model's own logits.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any, Literal, TypedDict

from graders.faults import LearnerFault
from graders.harness.channel import Channel
from graders.kinds.nanogpt_adapter import LoadReply
from graders.measurer import Worker, expect
from graders.wire import Array

__all__ = ["NanoJob", "NanoReport", "measure"]

ADAPTER = "graders.kinds.nanogpt_adapter"
VOCAB = 256
MAX_CONFIG_BYTES = 64 * 1024


class NanoJob(TypedDict):
    """What the parent (graders.kinds.nanogpt) sends the measurer."""

    phase: Literal["train", "evaluate"]
    train_fn: str  # "train:train"
    model_cls: str  # "model:GPT"
    seed: int
    train_docs: int
    out_dir: str  # the checkpoint folder (written in train, read in evaluate)
    train_timeout_s: float
    hidden_docs: int
    targets: int  # held-out bytes scored
    context: int  # longest window (bytes); the model's block_size if shorter
    generate_tokens: int


class NanoReport(TypedDict):
    """What the measurer sends back on the result channel (zeros and "" where a phase measures nothing)."""

    train_seconds: float
    parameters: int
    bits_per_byte: float
    targets: int
    context: int
    causal: bool
    causal_note: str
    generate_ok: bool
    generate_note: str
    transformers_loaded: bool


def _empty() -> NanoReport:
    return NanoReport(train_seconds=0.0, parameters=0, bits_per_byte=0.0, targets=0, context=0, causal=False,
                      causal_note="", generate_ok=False, generate_note="", transformers_loaded=False)


def measure(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    job = expect(args, NanoJob, what="the nanogpt kind's job")
    report = _empty()
    if job["phase"] == "train":
        from graders.tinymodels.corpora import corpus_texts

        text = "\n\n".join(corpus_texts("general", "train", job["train_docs"]))
        worker.load(job["train_fn"])
        worker.adapter(f"{ADAPTER}:train", job["train_fn"], text, job["out_dir"], returns=bool,
                       timeout_s=job["train_timeout_s"])
        report["train_seconds"] = worker.last_seconds
    else:
        _evaluate(job, worker, report)
    channel.result(**report)


def _parameters(folder: Path) -> int:
    from safetensors import safe_open

    total = 0
    with safe_open(str(folder / "model.safetensors"), framework="pt") as f:
        for key in f.keys():  # noqa: SIM118 — safe_open is not a mapping
            shape = f.get_slice(key).get_shape()
            total += math.prod(shape)
    return total


def _evaluate(job: NanoJob, worker: Worker, report: NanoReport) -> None:
    import torch

    folder = Path(job["out_dir"])
    if (folder / "config.json").stat().st_size > MAX_CONFIG_BYTES:
        raise LearnerFault("config.json is larger than 64 KB: it should hold your model's keyword arguments",
                           status="fail")
    try:
        report["parameters"] = _parameters(folder)
    except Exception as exc:  # a malformed file is the learner's
        raise LearnerFault(f"model.safetensors cannot be read ({exc}): save it with "
                           "safetensors.torch.save_model(model, path)", status="fail") from None
    loaded = worker.adapter(f"{ADAPTER}:load", job["model_cls"], str(folder), returns=LoadReply)
    if loaded["block_size"] < 8:
        raise LearnerFault("config.json (or the model) must give block_size, the longest context, ≥ 8",
                           status="fail")
    ctx = min(job["context"], loaded["block_size"])
    report["context"] = ctx

    from graders.tinymodels.corpora import corpus_texts

    data = "\n\n".join(corpus_texts("general", "hidden", job["hidden_docs"], seed=job["seed"])).encode()
    stream = torch.tensor(list(data), dtype=torch.long)
    rng = random.Random(f"nanogpt:{job['seed']}")
    span = ctx + 1
    spans = stream[: (len(stream) // span) * span].view(-1, span)
    n = min(job["targets"], spans.shape[0] - 8)
    if n < 64:
        raise RuntimeError(f"the hidden text has only {spans.shape[0]} windows of {span} bytes")
    order = list(range(spans.shape[0]))
    rng.shuffle(order)
    scored, probes = spans[order[:n]], spans[order[n:n + 8]]

    nll, seen = 0.0, 0
    for start in range(0, n, 128):
        batch = scored[start:start + 128]
        out = worker.adapter(f"{ADAPTER}:last_logits", Array.from_torch(batch[:, :ctx].contiguous()),
                             returns=Array, timeout_s=120.0)
        if tuple(out.shape) != (batch.shape[0], VOCAB):
            raise LearnerFault(f"forward(idx [B, T]) gave logits of shape {list(out.shape)} at the last position; "
                               f"[B, {VOCAB}] was expected (one logit per byte value)", status="fail")
        logits = out.to_torch()
        if not torch.isfinite(logits).all():
            raise LearnerFault("the model's logits are not all finite", status="fail")
        nll += float(torch.nn.functional.cross_entropy(logits.double(), batch[:, ctx], reduction="sum"))
        seen += batch.shape[0]
    report["bits_per_byte"], report["targets"] = nll / seen / math.log(2), seen

    # Causality: change the second half of each probe window; the first half's logits must not move.
    half = ctx // 2
    probe = probes[:4, :ctx].contiguous()
    changed = probe.clone()
    gen = torch.Generator().manual_seed(job["seed"] % (2**31))
    changed[:, half:] = torch.randint(32, 127, (4, ctx - half), generator=gen)
    a = worker.adapter(f"{ADAPTER}:logits", Array.from_torch(probe), returns=Array).to_torch()
    b = worker.adapter(f"{ADAPTER}:logits", Array.from_torch(changed), returns=Array).to_torch()
    if tuple(a.shape) != (4, ctx, VOCAB) or tuple(b.shape) != (4, ctx, VOCAB):
        report["causal_note"] = f"forward gave logits of shape {list(a.shape)}, not [4, {ctx}, {VOCAB}]"
    else:
        moved = float((a[:, :half] - b[:, :half]).abs().max())
        scale = max(float(a.abs().max()), 1.0)
        report["causal"] = moved <= 1e-4 * scale
        report["causal_note"] = (f"changing the tokens after position {half} of a {ctx}-byte window moved the "
                                 f"logits before it by up to {moved:.3g}: position t sees tokens after t "
                                 "(a missing or wrong causal mask)") if not report["causal"] else ""

    # Generation: greedy, through the model's own generate; each new token its logits' argmax.
    prompt = probes[4:5, :min(24, ctx)].contiguous()
    k = job["generate_tokens"]
    out = worker.adapter(f"{ADAPTER}:generate", Array.from_torch(prompt), k, returns=Array)
    if tuple(out.shape) != (1, prompt.shape[1] + k):
        report["generate_note"] = (f"generate(idx [1, {prompt.shape[1]}], {k}) returned shape {list(out.shape)}, not "
                                   f"[1, {prompt.shape[1] + k}]")
    else:
        tokens = out.to_torch().long()
        if not torch.equal(tokens[:, : prompt.shape[1]], prompt):
            report["generate_note"] = "generate's output does not begin with the prompt"
        elif int(tokens.min()) < 0 or int(tokens.max()) >= VOCAB:
            report["generate_note"] = f"generate returned tokens outside 0..{VOCAB - 1}"
        else:
            mismatch = ""
            for t in range(prompt.shape[1], tokens.shape[1]):
                window = tokens[:, max(0, t - loaded["block_size"]):t].contiguous()
                step = worker.adapter(f"{ADAPTER}:last_logits", Array.from_torch(window), returns=Array).to_torch()
                if float(step[0, tokens[0, t]]) < float(step[0].max()) - 1e-4:
                    mismatch = (f"token {t - prompt.shape[1] + 1} of {k} ({int(tokens[0, t])}) is not the argmax of "
                                f"the model's logits ({int(step[0].argmax())}): generate must be greedy")
                    break
            report["generate_ok"] = not mismatch
            text = bytes(tokens[0].tolist()).decode("utf-8", "replace")
            report["generate_note"] = mismatch or f"{text!r}"
    report["transformers_loaded"] = loaded["transformers_loaded"]
