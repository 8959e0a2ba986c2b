"""Feasibility numbers for the model exercises, measured on the default tiny model.

Not used by graders: this is the experiment behind the thresholds in README.md, kept runnable so
anyone can re-measure on their machine::

    python -m graders.tinymodels.feasibility lora --targets q_proj,v_proj --seconds 30 60
    python -m graders.tinymodels.feasibility lora --targets all --seconds 30 60
    python -m graders.tinymodels.feasibility quant

Each run prints one JSON object per measurement. Wall-clock budgets (``--seconds``) count
training only (evaluation pauses the clock); steps are reported too, since they are what
reproduces a number on another machine.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import time
import warnings
from pathlib import Path
from typing import Any

from graders.tinymodels.build import BuiltModel, build
from graders.tinymodels.corpora import corpus_texts
from graders.tinymodels.metrics import perplexity
from graders.tinymodels.recipe import DEFAULT_RECIPE, Recipe

ALL_LINEAR = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def _emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, sort_keys=True), flush=True)


def lora(
    built: BuiltModel,
    targets: list[str],
    checkpoints_s: list[float],
    *,
    r: int = 8,
    alpha: int = 16,
    lr: float = 3e-3,
    batch_size: int = 16,
    seq_len: int = 128,
    seed: int = 0,
    eval_docs: int = 500,
) -> None:
    """Train a LoRA on faq train; report faq hidden perplexity at each wall-clock checkpoint."""
    import torch
    import torch.nn.functional as F
    from peft import LoraConfig, get_peft_model

    from graders.tinymodels.train import pack_documents

    torch.manual_seed(seed)
    model, tok = built.load_model(), built.load_tokenizer()
    hidden = corpus_texts("faq", "hidden", eval_docs)
    general = corpus_texts("general", "hidden", eval_docs)
    before = perplexity(model, tok, hidden)
    general_before = perplexity(model, tok, general)
    base = {k: v.clone() for k, v in model.state_dict().items()}

    config = LoraConfig(r=r, lora_alpha=alpha, target_modules=targets, lora_dropout=0.0, bias="none",
                        task_type="CAUSAL_LM")
    peft_model = get_peft_model(model, config)
    trainable, total = peft_model.get_nb_trainable_parameters()
    stream = pack_documents(tok, corpus_texts("faq", "train"))  # (N,)
    params = [p for p in peft_model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    gen = torch.Generator().manual_seed(seed)
    offsets = torch.arange(seq_len + 1)

    _emit({"experiment": "lora", "targets": targets, "r": r, "trainable": trainable, "total": total,
           "trainable_fraction": trainable / total, "faq_hidden_ppl_before": before,
           "general_hidden_ppl_before": general_before, "faq_train_tokens": int(stream.numel())})
    train_s, cpu_s, step = 0.0, 0.0, 0
    for checkpoint in sorted(checkpoints_s):
        peft_model.train()
        while train_s < checkpoint:
            t0, c0 = time.perf_counter(), time.process_time()
            for group in opt.param_groups:
                group["lr"] = lr * min(1.0, (step + 1) / 10)  # short warm-up, then constant
            starts = torch.randint(0, stream.numel() - seq_len - 1, (batch_size,), generator=gen)
            window = stream[starts[:, None] + offsets]  # (B, T+1)
            logits = peft_model(input_ids=window[:, :-1]).logits  # (B, T, V)
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), window[:, 1:].reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
            step += 1
            train_s += time.perf_counter() - t0
            cpu_s += time.process_time() - c0
        after = perplexity(peft_model, tok, hidden)
        with peft_model.disable_adapter():
            disabled = perplexity(peft_model, tok, hidden)
        _emit({"experiment": "lora", "targets": targets, "checkpoint_s": checkpoint, "steps": step,
               "train_wall_s": round(train_s, 1), "train_cpu_s": round(cpu_s, 1), "last_loss": loss.item(),
               "faq_hidden_ppl_before": before, "faq_hidden_ppl_after": after,
               "relative_change": after / before - 1.0, "faq_hidden_ppl_adapter_disabled": disabled,
               "general_hidden_ppl_after": perplexity(peft_model, tok, general)})
    # peft renames a wrapped layer's weight from "x.weight" to "x.base_layer.weight".
    current = {k.replace(".base_layer", ""): v for k, v in peft_model.get_base_model().state_dict().items()
               if "lora_" not in k}
    unchanged = current.keys() == base.keys() and all(torch.equal(base[k], current[k]) for k in base)
    _emit({"experiment": "lora", "targets": targets, "base_weights_unchanged": unchanged})


def _quantize(model: Any, kind: str) -> Any:
    """Swap every nn.Linear but lm_head for a bitsandbytes layer, in place, on CPU."""
    import importlib

    import torch

    bnb_nn: Any = importlib.import_module("bitsandbytes.nn")  # untyped; keep mypy out of it

    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if not isinstance(child, torch.nn.Linear) or name == "lm_head":
                continue
            bias = child.bias is not None
            new: Any
            if kind == "int8":
                new = bnb_nn.Linear8bitLt(child.in_features, child.out_features, bias=bias,
                                          has_fp16_weights=False, threshold=6.0)
                new.weight = bnb_nn.Int8Params(child.weight.data.clone(), requires_grad=False,
                                               has_fp16_weights=False)
            else:
                new = bnb_nn.Linear4bit(child.in_features, child.out_features, bias=bias,
                                        compute_dtype=torch.float32, quant_type=kind)
                new.weight = bnb_nn.Params4bit(child.weight.data.clone(), requires_grad=False, quant_type=kind)
            if bias:
                new.bias = torch.nn.Parameter(child.bias.data.clone(), requires_grad=False)
            setattr(module, name, new.to("cpu"))  # .to() is where bitsandbytes quantizes
    return model


def _round_to_nearest(model: Any, bits: int, per_row: bool) -> Any:
    """Symmetric absmax round-to-nearest of every decoder nn.Linear weight, dequantized in place."""
    import torch

    qmax = 2 ** (bits - 1) - 1
    with torch.no_grad():
        for name, module in model.named_modules():
            if isinstance(module, torch.nn.Linear) and not name.endswith("lm_head"):
                w = module.weight  # (out, in)
                absmax = w.abs().amax(dim=1, keepdim=True) if per_row else w.abs().max()
                scale = absmax.clamp(min=1e-12) / qmax
                w.copy_((w / scale).round().clamp(-qmax, qmax) * scale)
    return model


def _linear_bytes(model: Any) -> int:
    """Bytes held by the weights of the decoder's linear layers (what quantization shrinks)."""
    import torch

    total = 0
    for name, module in model.named_modules():
        if name.endswith("lm_head") or not hasattr(module, "weight") or module.weight is None:
            continue
        if isinstance(module, (torch.nn.Embedding, torch.nn.LayerNorm)) or "norm" in name:
            continue
        w = module.weight
        total += w.numel() * w.element_size()
        state = getattr(w, "quant_state", None) or getattr(module, "state", None)
        absmax = getattr(state, "absmax", None) if state is not None else None
        if absmax is not None:
            total += absmax.numel() * absmax.element_size()
        # int8 row scales live on the weight before the first forward and on module.state after.
        scb = getattr(w, "SCB", None)
        if scb is None:
            scb = getattr(getattr(module, "state", None), "SCB", None)
        if scb is not None:
            total += scb.numel() * scb.element_size()
    return total


def _greedy(model: Any, tok: Any, prompts: list[str], new_tokens: int = 24) -> list[str]:
    import torch

    out = []
    with torch.no_grad():
        for prompt in prompts:
            ids = tok(prompt, return_tensors="pt").input_ids
            gen = model.generate(ids, max_new_tokens=new_tokens, do_sample=False, pad_token_id=tok.pad_token_id)
            out.append(tok.decode(gen[0, ids.shape[1]:], skip_special_tokens=True))
    return out


def quantization(built: BuiltModel, eval_docs: int = 500, n_prompts: int = 40) -> None:
    """int8 / nf4 / fp4 in-process on CPU, plus a zeroed-weights cheat, against fp32."""
    import sacrebleu
    import torch

    warnings.filterwarnings("ignore", message="MatMul8bitLt")
    model, tok = built.load_model(), built.load_tokenizer()
    texts = corpus_texts("general", "hidden", eval_docs)
    faq = corpus_texts("faq", "hidden", eval_docs)
    prompts = [" ".join(t.split()[:8]) for t in corpus_texts("general", "hidden", n_prompts, seed=99)]
    ref = _greedy(model, tok, prompts)
    base_ppl, base_faq, base_bytes = perplexity(model, tok, texts), perplexity(model, tok, faq), _linear_bytes(model)
    _emit({"experiment": "quant", "kind": "fp32", "general_hidden_ppl": base_ppl, "faq_hidden_ppl": base_faq,
           "linear_bytes": base_bytes, "sample": ref[0]})

    variants: dict[str, Any] = {}
    for kind in ("int8", "nf4", "fp4"):
        t0 = time.perf_counter()
        variants[kind] = _quantize(copy.deepcopy(model), kind)
        variants[kind + "_seconds"] = time.perf_counter() - t0
    # Hand-written round-to-nearest baselines (what a learner's own code might do), simulated:
    # weights are rounded to the integer grid and stored back in fp32, so footprint stays 1.0.
    for kind, bits, per_row in (("rtn_int8_per_row", 8, True), ("rtn_int4_per_tensor", 4, False),
                                ("rtn_int4_per_row", 4, True)):
        variants[kind] = _round_to_nearest(copy.deepcopy(model), bits, per_row)
    zeroed = copy.deepcopy(model)
    with torch.no_grad():
        for module in zeroed.modules():
            if isinstance(module, torch.nn.Linear):
                module.weight.zero_()
    variants["zeroed"] = zeroed
    for kind in ("int8", "nf4", "fp4", "rtn_int8_per_row", "rtn_int4_per_row", "rtn_int4_per_tensor", "zeroed"):
        q = variants[kind]
        t0 = time.perf_counter()
        ppl = perplexity(q, tok, texts)
        eval_s = time.perf_counter() - t0
        hyp = _greedy(q, tok, prompts)
        _emit({
            "experiment": "quant", "kind": kind,
            "general_hidden_ppl": ppl, "relative_change": ppl / base_ppl - 1.0,
            "faq_hidden_ppl": perplexity(q, tok, faq),
            "linear_bytes": _linear_bytes(q), "footprint_ratio": _linear_bytes(q) / base_bytes,
            "greedy_exact_match": sum(a == b for a, b in zip(hyp, ref, strict=True)) / len(ref),
            "greedy_bleu_vs_fp32": sacrebleu.corpus_bleu(hyp, [ref]).score,
            "eval_seconds": round(eval_s, 1), "quantize_seconds": round(variants.get(kind + "_seconds", 0.0), 2),
            "sample": hyp[0],
        })


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graders.tinymodels.feasibility", description=__doc__)
    parser.add_argument("experiment", choices=["lora", "quant"])
    parser.add_argument("--targets", default="q_proj,v_proj", help="comma list, or 'all' for every projection")
    parser.add_argument("--seconds", type=float, nargs="+", default=[30.0, 60.0])
    parser.add_argument("--r", type=int, default=8)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--recipe-json", help="a Recipe JSON file (default: DEFAULT_RECIPE)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import torch

    torch.set_num_threads(args.threads)
    recipe = Recipe.from_json(Path(args.recipe_json).read_text()) if args.recipe_json else DEFAULT_RECIPE
    built = build(recipe, lambda message, fraction: print(f"[{fraction:6.1%}] {message}", flush=True))
    if args.experiment == "lora":
        targets = ALL_LINEAR if args.targets == "all" else args.targets.split(",")
        lora(built, targets, args.seconds, r=args.r, lr=args.lr)
    else:
        quantization(built)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
