"""Measurers of kind ``dpo``: ``train`` drives the learner's preference tuning in a learner worker;
``measure`` — a separate, trusted process that imports none of the learner's code — loads the
saved policy beside the pristine reference model and measures it.

``train`` (``Sandbox.measure``) holds the training pairs (drawn by the grader; never the seed); the
learner's ``train(base_model, pairs, output_dir)`` runs in the worker, which gets those three
arguments and nothing else (no seed, no hidden pairs, no result channel), and is timed from here.

``measure`` runs on a folder holding only the saved policy — a LoRA adapter's two files or a full
model's ``config.json`` + ``model.safetensors`` — and draws the hidden pairs, the greedy prompts
and the neutral documents from the seed, so the learner's process never held them.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, TypedDict

from graders.faults import LearnerFault
from graders.harness.channel import Channel
from graders.measurer import Worker, expect

__all__ = ["ADAPTER_FILES", "FULL_FILES", "MeasureJob", "MeasureReport", "TrainJob", "TrainReport", "measure",
           "sequence_logps", "train"]

ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
FULL_FILES = ("config.json", "model.safetensors")


class TrainJob(TypedDict):
    module: str
    function: str
    base_model: str  # the folder the learner's code gets (a private copy on the cpu profile)
    pairs: list[dict[str, str]]  # {"prompt", "chosen", "rejected"}: the training split
    output_dir: str


class TrainReport(TypedDict):
    train_seconds: float
    files: list[str]


class MeasureJob(TypedDict):
    model_path: str  # the pristine base: the reference model
    policy_dir: str  # only the policy's files (ADAPTER_FILES or FULL_FILES)
    seed: int
    eval_pairs: int
    neutral_docs: int
    beta: float
    device: str


class MeasureReport(TypedDict):
    form: str  # "adapter" or "full"
    preference_accuracy: float
    reward_margin: float
    chosen_reward: float
    rejected_reward: float
    kl_from_reference: float
    property_rate: float
    reference_property_rate: float
    examples: list[list[str]]  # [question, policy's answer] for the first few greedy prompts
    measure_seconds: float


def train(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    """Hand the learner the base model folder and the training pairs; time the call from here."""
    job = expect(args, TrainJob, what="the dpo kind's training job")
    fn = f"{job['module']}:{job['function']}"
    worker.load(fn)  # import time (trl's ~5 s) is not training time
    worker.call(fn, job["base_model"], job["pairs"], job["output_dir"])
    seconds = worker.last_seconds
    out = Path(job["output_dir"])
    files = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    if not files:
        raise LearnerFault(f"{job['function']}() returned but {out.name}/ is empty: save the policy there "
                           "(trainer.save_model(output_dir))", status="fail")
    channel.result(**TrainReport(train_seconds=seconds, files=files))


def measure(args: dict[str, Any], channel: Channel) -> None:
    """Reference (the pristine base) and policy → preference accuracy, reward margin, rewards of the
    chosen and rejected completions, KL on neutral text, and the greedy answers' property rate."""
    import torch

    from graders.kinds.dpo_pairs import pairs
    from graders.tinymodels import corpus_texts

    job = expect(args, MeasureJob, what="the dpo kind's measuring job")
    start = time.perf_counter()
    torch.manual_seed(0)
    device = job["device"]
    if device == "cpu":
        torch.set_num_threads(1)  # a 2M-parameter model: more threads only contend on a busy machine
    reference, tok = _load_base(job["model_path"], device)
    policy, form = _load_policy(job["model_path"], Path(job["policy_dir"]), device)
    hidden = pairs("hidden", job["seed"], job["eval_pairs"])
    prompts = [p.prompt for p in hidden]
    chosen = [p.chosen for p in hidden]
    rejected = [p.rejected for p in hidden]
    pc, pr = sequence_logps(policy, tok, prompts, chosen), sequence_logps(policy, tok, prompts, rejected)
    rc, rr = sequence_logps(reference, tok, prompts, chosen), sequence_logps(reference, tok, prompts, rejected)
    beta = job["beta"]
    delta = (pc - rc) - (pr - rr)  # [N] the implicit reward difference / β
    docs = corpus_texts("general", "hidden", job["neutral_docs"], seed=job["seed"])
    kl = _mean_kl(policy, reference, tok, docs)
    questions = sorted({p.prompt for p in hidden})
    answers = {p.prompt: p.chosen.strip() for p in hidden}
    said = _greedy(policy, tok, questions)
    said_ref = _greedy(reference, tok, questions)
    rate = sum(s == answers[q] for q, s in zip(questions, said, strict=True)) / len(questions)
    rate_ref = sum(s == answers[q] for q, s in zip(questions, said_ref, strict=True)) / len(questions)
    channel.result(**MeasureReport(
        form=form,
        preference_accuracy=float((delta > 0).float().mean()),
        reward_margin=float(beta * delta.mean()),
        chosen_reward=float(beta * (pc - rc).mean()),
        rejected_reward=float(beta * (pr - rr).mean()),
        kl_from_reference=kl,
        property_rate=rate,
        reference_property_rate=rate_ref,
        examples=[[q.removeprefix("Q: ").removesuffix("\nA:"), s]
                  for q, s in zip(questions[:3], said[:3], strict=True)],
        measure_seconds=time.perf_counter() - start,
    ))


def _load_base(path: str, device: str) -> tuple[Any, Any]:
    from transformers import AutoTokenizer

    from graders.tinymodels.model import load_model

    tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    model: Any = load_model(path)  # transformers is untyped for mypy here
    return model.to(device).eval(), tok


def _load_policy(base_path: str, folder: Path, device: str) -> tuple[Any, str]:
    """The policy: the base with the learner's LoRA adapter, or the base's architecture with the
    learner's full weights (loaded strictly: every tensor present, with the base's shapes). Either
    way the architecture and code are the grader's; the learner supplies tensors only."""
    from safetensors.torch import load_file

    from graders.tinymodels.model import load_model

    base: Any = load_model(base_path)
    if (folder / ADAPTER_FILES[0]).is_file():
        from peft import PeftModel

        config = _json(folder / ADAPTER_FILES[0])
        if config.get("peft_type") != "LORA":
            raise LearnerFault(f"the adapter is a {config.get('peft_type')!r} adapter; save a LoRA adapter or the "
                               "full model", status="fail")
        try:
            model = PeftModel.from_pretrained(base, str(folder), is_trainable=False)
        except (ValueError, RuntimeError, KeyError) as exc:
            raise LearnerFault(f"the LoRA adapter does not fit the base model: {exc}", status="fail") from None
        return model.to(device).eval(), "adapter"
    config = _json(folder / FULL_FILES[0])
    if config.get("model_type") not in (None, base.config.model_type):
        raise LearnerFault(f"config.json says model_type {config.get('model_type')!r}; the policy must be the base "
                           f"model ({base.config.model_type}) fine-tuned", status="fail")
    try:
        state = load_file(str(folder / FULL_FILES[1]))
        base.load_state_dict(state, strict=True)
    except (RuntimeError, OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0][:300]
        raise LearnerFault(f"model.safetensors does not hold the base model's tensors with their shapes: {first}",
                           status="fail") from None
    return base.to(device).eval(), "full"


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LearnerFault(f"{path.name} is not readable JSON ({exc})", status="fail") from None
    if not isinstance(data, dict):
        raise LearnerFault(f"{path.name} holds {type(data).__name__}, not a JSON object", status="fail")
    return data


def sequence_logps(model: Any, tok: Any, prompts: list[str], completions: list[str], batch: int = 32) -> Any:
    """log π(completion | prompt) summed over the completion's tokens, one per pair: a float tensor [N].

    Token ids are the prompt's (with ``<s>``) followed by the completion's (no special tokens), as
    TRL builds them; the same ids go to the policy and the reference, so their difference is the
    log-ratio whatever the tokenization's details.
    """
    import torch

    out: list[torch.Tensor] = []
    for i in range(0, len(prompts), batch):
        rows = [(tok(p).input_ids, tok(c, add_special_tokens=False).input_ids)
                for p, c in zip(prompts[i:i + batch], completions[i:i + batch], strict=True)]
        width = max(len(p) + len(c) for p, c in rows)
        ids = torch.full((len(rows), width), tok.pad_token_id)  # [B, T]
        keep = torch.zeros((len(rows), width), dtype=torch.bool)  # [B, T] completion tokens
        attn = torch.zeros((len(rows), width), dtype=torch.long)  # [B, T]
        for r, (p, c) in enumerate(rows):
            ids[r, :len(p) + len(c)] = torch.tensor(p + c)
            keep[r, len(p):len(p) + len(c)] = True
            attn[r, :len(p) + len(c)] = 1
        device = next(model.parameters()).device
        with torch.no_grad():
            logits = model(input_ids=ids.to(device), attention_mask=attn.to(device)).logits.float()  # [B, T, V]
        logp = logits[:, :-1].log_softmax(-1).gather(-1, ids[:, 1:, None].to(device))[..., 0]  # [B, T-1]
        out.append((logp * keep[:, 1:].to(device)).sum(-1).cpu())
    return torch.cat(out)


def _mean_kl(policy: Any, reference: Any, tok: Any, docs: list[str], max_tokens: int = 64) -> float:
    """Mean per-token KL(policy ‖ reference) of the next-token distributions over neutral text."""
    import torch

    device = next(policy.parameters()).device
    enc = tok(docs, return_tensors="pt", padding=True, truncation=True, max_length=max_tokens).to(device)
    with torch.no_grad():
        lp = policy(**enc).logits.float().log_softmax(-1)  # [B, T, V]
        lq = reference(**enc).logits.float().log_softmax(-1)  # [B, T, V]
    kl = (lp.exp() * (lp - lq)).sum(-1)  # [B, T]
    mask = enc["attention_mask"].bool()
    return float(kl[mask].mean())


def _greedy(model: Any, tok: Any, prompts: list[str], new_tokens: int = 20) -> list[str]:
    """The first sentence of each greedy continuation (:func:`graders.kinds.dpo_pairs.first_sentence`)."""
    import torch

    from graders.kinds.dpo_pairs import first_sentence

    device = next(model.parameters()).device
    side = tok.padding_side
    tok.padding_side = "left"
    try:
        enc = tok(prompts, return_tensors="pt", padding=True).to(device)
    finally:
        tok.padding_side = side
    with torch.no_grad():
        out = model.generate(**enc, max_new_tokens=new_tokens, do_sample=False, pad_token_id=tok.pad_token_id)
    texts = tok.batch_decode(out[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)
    return [first_sentence(t) for t in texts]
