"""Child side of kind ``quantization``: measure full precision, call ``quantize``, measure again.

Everything about the full-precision model (perplexity, greedy generations, the fp16 footprint of
the quantizable weights) is measured *before* the learner's module is imported, so nothing the
learner's code does can change the reference it is compared with.
"""

from __future__ import annotations

import copy
import importlib
import time
import warnings
from typing import Any

from graders.harness.channel import Channel

FP16_BYTES = 2


def quantizable(model: Any) -> dict[str, Any]:
    """The decoder's ``nn.Linear`` layers, by qualified name: every one except ``lm_head``."""
    import torch

    return {name: m for name, m in model.named_modules()
            if isinstance(m, torch.nn.Linear) and not name.endswith("lm_head")}


def _held(value: Any, depth: int = 0) -> list[Any]:
    """Tensors reachable from ``value``: itself, and tensors in the attributes of tensors and of
    state objects (bitsandbytes keeps absmax, SCB and nested statistics on ``quant_state``/``state``)."""
    import torch

    if depth > 3 or value is None or isinstance(value, torch.nn.Module):
        return []
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _held(v, depth + 1)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _held(v, depth + 1)]
    out = [value] if isinstance(value, torch.Tensor) else []
    for attr in getattr(value, "__dict__", {}).values():
        out += _held(attr, depth + 1)
    return out


def _tensors(module: Any) -> list[Any]:
    """Every tensor a module and its submodules hold: parameters, buffers and plain attributes."""
    out: list[Any] = []
    for sub in module.modules():
        for key, value in vars(sub).items():
            if key in ("_parameters", "_buffers"):
                out += [t for v in value.values() for t in _held(v)]
            elif key != "_modules":
                out += _held(value)
    return out


def stored_bytes(modules: list[Any]) -> int:
    """Bytes of the distinct tensor storages ``modules`` hold (a storage shared twice counts once)."""
    seen: dict[tuple[int, str], int] = {}
    for module in modules:
        for t in _tensors(module):
            if t.is_meta:
                continue
            storage = t.untyped_storage()
            seen[(storage.data_ptr(), str(t.device))] = storage.nbytes()
    return sum(seen.values())


def greedy(model: Any, tok: Any, prompts: list[str], new_tokens: int) -> list[str]:
    import torch

    out = []
    with torch.no_grad():
        for prompt in prompts:
            ids = tok(prompt, return_tensors="pt").input_ids  # [1, T]
            gen = model.generate(ids, max_new_tokens=new_tokens, do_sample=False, pad_token_id=tok.pad_token_id)
            out.append(tok.decode(gen[0, ids.shape[1]:], skip_special_tokens=True))
    return out


def rouge_l(hypotheses: list[str], references: list[str]) -> float:
    """Mean ROUGE-L F-measure (0..1) of each hypothesis against its reference."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"])
    scores = [scorer.score(ref, hyp)["rougeL"].fmeasure for hyp, ref in zip(hypotheses, references, strict=True)]
    return float(sum(scores) / len(scores))


def run(args: dict[str, Any], channel: Channel) -> None:
    import sacrebleu
    import torch
    from transformers import PreTrainedTokenizerFast

    from graders.tinymodels import corpus_texts, perplexity
    from graders.tinymodels.model import load_model

    warnings.filterwarnings("ignore", message=".*MatMul8bitLt.*")
    torch.manual_seed(int(args["seed"]))
    model: Any = load_model(args["model_path"])  # transformers is untyped for mypy here
    model.eval()
    tok = PreTrainedTokenizerFast.from_pretrained(args["model_path"], local_files_only=True)
    texts = corpus_texts("general", "hidden", int(args["eval_docs"]), seed=int(args["seed"]))
    prompts = [" ".join(t.split()[:8]) for t in
               corpus_texts("general", "hidden", int(args["prompts"]), seed=int(args["seed"]) + 1)]

    # -- full precision: measured before any learner code is imported -------------------------
    layers = quantizable(model)
    fp16_bytes = sum(m.weight.numel() for m in layers.values()) * FP16_BYTES
    base_ppl = perplexity(model, tok, texts)
    reference = greedy(model, tok, prompts, int(args["new_tokens"]))

    # -- the learner's quantize(model) --------------------------------------------------------
    module = importlib.import_module(args["module"])
    quantize = getattr(module, args["function"], None)
    if not callable(quantize):
        channel.fault(f"{args['module']}.py has no function {args['function']}()", status="fail")
        return
    t0 = time.perf_counter()
    quantized = quantize(copy.deepcopy(model))
    quantize_seconds = time.perf_counter() - t0
    if not isinstance(quantized, torch.nn.Module):
        channel.fault(f"{args['function']}() must return the quantized torch.nn.Module, got "
                      f"{type(quantized).__name__}", status="fail")
        return
    quantized.eval()

    # Footprint: what the returned model stores where the quantizable layers were.
    by_name = dict(quantized.named_modules())
    missing = [name for name in layers if name not in by_name]
    if missing:
        channel.fault(f"the returned model has no module at {missing[0]} (and {len(missing) - 1} more): keep the "
                      "model's structure and replace each linear layer in place", status="fail")
        return
    q_bytes = stored_bytes([by_name[name] for name in layers])
    kinds = sorted({type(by_name[name]).__name__ for name in layers})

    ppl = perplexity(quantized, tok, texts)
    hypotheses = greedy(quantized, tok, prompts, int(args["new_tokens"]))
    channel.result(
        footprint_ratio=q_bytes / fp16_bytes, quantized_bytes=q_bytes, fp16_bytes=fp16_bytes, layer_types=kinds,
        base_ppl=base_ppl, quantized_ppl=ppl, ppl_change=(ppl / base_ppl - 1.0) if ppl != float("inf") else None,
        bleu=sacrebleu.corpus_bleu(hypotheses, [reference]).score, rouge_l=rouge_l(hypotheses, reference),
        exact_match=sum(h == r for h, r in zip(hypotheses, reference, strict=True)) / len(reference),
        quantize_seconds=quantize_seconds, sample=[prompts[0], reference[0], hypotheses[0]],
    )
