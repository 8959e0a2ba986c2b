"""Child side of kind ``quantization``: measure full precision, call ``quantize``, measure again.

Everything about the full-precision model (perplexity, greedy generations, the fp16 footprint of
the quantizable weights) is measured *before* the learner's module is imported, so nothing the
learner's code does can change the reference it is compared with; the full-precision model is then
dropped, and the learner's code gets a deep copy. The footprint is counted from every tensor the
returned model can reach (:func:`footprint_bytes`), and a forward pass must call every module at
the quantizable layers' names (:func:`unused_layers`): a full-precision copy hidden elsewhere and
called instead is caught either way. (Code in the same process could still hide weights in a module
global; the in-process design is forced by bitsandbytes' NF4 save/reload loss.)
"""

from __future__ import annotations

import copy
import gc
import importlib
import time
import types
import warnings
from collections.abc import Iterable
from typing import Any

from graders.harness.channel import Channel

FP16_BYTES = 2


def quantizable(model: Any) -> dict[str, Any]:
    """The decoder's ``nn.Linear`` layers, by qualified name: every one except ``lm_head``."""
    import torch

    return {name: m for name, m in model.named_modules()
            if isinstance(m, torch.nn.Linear) and not name.endswith("lm_head")}


_ATOMIC = (str, bytes, int, float, complex, bool, type(None), type, types.ModuleType)


def reachable_tensors(root: Any, max_depth: int = 64) -> list[Any]:
    """Every tensor reachable from ``root``, each object visited once.

    Walks what a Python object can hold: a module's parameters, buffers and submodules; any
    attribute (``__dict__`` and ``__slots__``); lists, tuples, sets and dicts; a tensor's own
    attributes (bitsandbytes keeps ``quant_state`` with absmax, codebook and nested statistics on
    ``Params4bit``, ``SCB`` on ``Int8Params``); the closure cells and defaults of functions and the
    ``__self__`` of bound methods (a ``forward`` replaced by a closure over full-precision weights).
    Not followed: a function's globals, classes, Python modules.
    """
    import torch

    seen: set[int] = set()
    alive: list[Any] = []
    out: list[Any] = []
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        obj, depth = stack.pop()
        if isinstance(obj, _ATOMIC) or id(obj) in seen or depth > max_depth:
            continue
        seen.add(id(obj))
        alive.append(obj)  # an id stays unique only while its object lives
        children: list[Any] = []
        if isinstance(obj, torch.Tensor):
            out.append(obj)
        if isinstance(obj, (list, tuple, set, frozenset)):
            children += list(obj)
        elif isinstance(obj, dict):
            children += list(obj.values())
        elif isinstance(obj, types.FunctionType):
            children += [c.cell_contents for c in obj.__closure__ or () if _cell_filled(c)]
            children += list(obj.__defaults__ or ()) + list((obj.__kwdefaults__ or {}).values())
        elif isinstance(obj, types.MethodType):
            children += [obj.__self__, obj.__func__]
        attrs = getattr(obj, "__dict__", None)
        if isinstance(attrs, dict):
            children += list(attrs.values())
        for slot in _slots(type(obj)):
            try:
                children.append(object.__getattribute__(obj, slot))
            except AttributeError:
                continue
        stack.extend((child, depth + 1) for child in children)
    return out


def _cell_filled(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018 — an empty cell raises
    except ValueError:
        return False
    return True


def _slots(cls: type) -> list[str]:
    names: list[str] = []
    for klass in cls.__mro__:
        slots = klass.__dict__.get("__slots__", ())
        names += [slots] if isinstance(slots, str) else [s for s in slots if s not in ("__dict__", "__weakref__")]
    return names


def _storages(tensors: list[Any]) -> dict[tuple[int, str], int]:
    """Distinct storages of ``tensors`` → their size in bytes (meta tensors hold nothing)."""
    out: dict[tuple[int, str], int] = {}
    for t in tensors:
        if t.is_meta:
            continue
        storage = t.untyped_storage()
        out[(storage.data_ptr(), str(t.device))] = storage.nbytes()
    return out


def footprint_bytes(model: Any, allowance: dict[str, int]) -> int:
    """Bytes stored by ``model`` beyond its non-quantizable tensors.

    Every distinct storage reachable from the returned model counts (see
    :func:`reachable_tensors`), except the parameters and buffers that the original model has
    *outside* its quantizable layers — embeddings, ``lm_head``, norms, rotary buffers — looked up
    by name in the returned model. ``allowance`` maps those names to their original size in bytes;
    each is excused up to that size, so a full-precision copy hidden anywhere (an attribute of the
    model, of a norm, a list, a closure) or packed into an enlarged embedding still counts.
    """
    total = _storages(reachable_tensors(model))
    tensors = dict(model.named_parameters(remove_duplicate=False))
    tensors.update(dict(model.named_buffers(remove_duplicate=False)))
    excused: dict[tuple[int, str], int] = {}
    for name, limit in allowance.items():
        t = tensors.get(name)
        if t is None or t.is_meta:
            continue
        key = (t.untyped_storage().data_ptr(), str(t.device))
        if key in total:
            excused[key] = min(total[key], max(excused.get(key, 0), limit))
    return sum(total.values()) - sum(excused.values())


def allowance_of(model: Any, layers: Iterable[str]) -> dict[str, int]:
    """Name → bytes of each parameter and buffer of ``model`` outside the quantizable ``layers`` (names)."""
    prefixes = tuple(f"{name}." for name in layers)
    named = list(model.named_parameters(remove_duplicate=False)) + list(model.named_buffers(remove_duplicate=False))
    return {name: t.numel() * t.element_size() for name, t in named if not name.startswith(prefixes)}


def unused_layers(model: Any, modules: list[Any], input_ids: Any) -> list[Any]:
    """The ``modules`` that one forward pass of ``model`` on ``input_ids`` ([B, T]) never calls."""
    import torch

    calls = {id(m): 0 for m in modules}

    def count(module: Any, _inputs: Any, _output: Any) -> None:
        calls[id(module)] += 1

    handles = [m.register_forward_hook(count) for m in modules]
    try:
        with torch.no_grad():
            model(input_ids=input_ids)
    finally:
        for handle in handles:
            handle.remove()
    return [m for m in modules if calls[id(m)] == 0]


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
    layers = {name: layer.weight.numel() for name, layer in quantizable(model).items()}  # name → elements
    fp16_bytes = sum(layers.values()) * FP16_BYTES
    allowance = allowance_of(model, layers)
    base_ppl = perplexity(model, tok, texts)
    reference = greedy(model, tok, prompts, int(args["new_tokens"]))
    candidate = copy.deepcopy(model)
    del model  # the learner's code cannot find the full-precision model in memory and call it instead
    gc.collect()

    # -- the learner's quantize(model) --------------------------------------------------------
    module = importlib.import_module(args["module"])
    quantize = getattr(module, args["function"], None)
    if not callable(quantize):
        channel.fault(f"{args['module']}.py has no function {args['function']}()", status="fail")
        return
    t0 = time.perf_counter()
    quantized = quantize(candidate)
    quantize_seconds = time.perf_counter() - t0
    del candidate
    if not isinstance(quantized, torch.nn.Module):
        channel.fault(f"{args['function']}() must return the quantized torch.nn.Module, got "
                      f"{type(quantized).__name__}", status="fail")
        return
    quantized.eval()

    by_name = dict(quantized.named_modules())
    missing = [name for name in layers if name not in by_name]
    if missing:
        channel.fault(f"the returned model has no module at {missing[0]} (and {len(missing) - 1} more): keep the "
                      "model's structure and replace each linear layer in place", status="fail")
        return
    idle = unused_layers(quantized, [by_name[name] for name in layers], tok(prompts[:2], return_tensors="pt",
                                                                           padding=True).input_ids)
    if idle:
        names = [name for name in layers if by_name[name] in idle]
        channel.fault(f"the returned model's forward never calls the layer at {names[0]} (and {len(names) - 1} "
                      "more): the quantized layers must be the ones that compute the output", status="fail")
        return
    # Footprint: everything the returned model stores, but its embeddings, lm_head and norms.
    q_bytes = footprint_bytes(quantized, allowance)
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
