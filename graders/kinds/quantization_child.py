"""Child side of kind ``quantization``: measure full precision, call ``quantize``, measure again.

Everything about the full-precision model (perplexity, greedy generations, the fp16 footprint of
the quantizable weights) is measured *before* the learner's module is imported, so nothing the
learner's code does can change the reference it is compared with; the full-precision model is then
dropped, and the learner's code gets a deep copy. The footprint is counted from every tensor the
returned model can reach (:func:`footprint_bytes`), and a forward pass must call every module at
the quantizable layers' names (:func:`unused_layers`): a full-precision copy hidden elsewhere and
called instead is caught either way. (Code in the same process could still hide weights in a module
global; the in-process design is forced by bitsandbytes' NF4 save/reload loss.)

:func:`run` serves the cpu profile (the tiny Llama), :func:`run_gpu` the gpu profile (the learner's
own 7B model on CUDA); both are built from the same steps (:class:`Reference`, :class:`Layers`,
:func:`call_quantize`, :func:`structure_problem`, :func:`score`).
"""

from __future__ import annotations

import copy
import gc
import time
import types
import warnings
from collections.abc import Iterable
from typing import Any

from graders.gpu import load_or_fault, peak_bytes, release, reset_peak
from graders.harness.channel import Channel
from graders.harness.learner import learner_function

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


def greedy(model: Any, tok: Any, prompts: list[str], new_tokens: int, device: str = "cpu",
           batch_size: int = 16) -> list[str]:
    """Greedy continuations of ``prompts`` (``new_tokens`` each), ``batch_size`` prompts at a time,
    left-padded (the padding is masked, and positions count from each prompt's first token), fed on
    ``device``. Batched, the tiny model's 40 grading prompts take 0.6 s instead of 4.3 s (9.6 s → 1.3 s
    in NF4); the continuations are the same as one prompt at a time (checked on 2 × 40 prompts)."""
    import torch

    out: list[str] = []
    with torch.no_grad():
        for start in range(0, len(prompts), batch_size):
            # padded on the left: generation appends on the right, so every prompt must end where the batch does
            enc = tok(prompts[start:start + batch_size], return_tensors="pt", padding=True,
                      padding_side="left").to(device)  # [B, T]
            gen = model.generate(**enc, max_new_tokens=new_tokens, do_sample=False,
                                 pad_token_id=tok.pad_token_id)  # [B, T + new]
            out += tok.batch_decode(gen[:, enc.input_ids.shape[1]:], skip_special_tokens=True)
    return out


def rouge_l(hypotheses: list[str], references: list[str]) -> float:
    """Mean ROUGE-L F-measure (0..1) of each hypothesis against its reference."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"])
    scores = [scorer.score(ref, hyp)["rougeL"].fmeasure for hyp, ref in zip(hypotheses, references, strict=True)]
    return float(sum(scores) / len(scores))


def hidden_inputs(args: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The hidden general-corpus documents for perplexity and the prompts for greedy generation,
    both drawn with the run's seed (prompts: the first 8 words of other hidden documents)."""
    from graders.tinymodels import corpus_texts

    seed = int(args["seed"])
    texts = corpus_texts("general", "hidden", int(args["eval_docs"]), seed=seed)
    prompts = [" ".join(t.split()[:8]) for t in corpus_texts("general", "hidden", int(args["prompts"]), seed=seed + 1)]
    return texts, prompts


class Reference:
    """What full precision scored, measured before any learner code is imported."""

    def __init__(self, model: Any, tok: Any, texts: list[str], prompts: list[str], new_tokens: int,
                 device: str = "cpu", batch_size: int = 16) -> None:
        from graders.tinymodels import perplexity

        self.ppl = perplexity(model, tok, texts, batch_size=batch_size)
        self.generations = greedy(model, tok, prompts, new_tokens, device, batch_size)


class Layers:
    """The quantizable layers of the original model: names, fp16 size, and what is excused."""

    def __init__(self, model: Any) -> None:
        self.elements = {name: layer.weight.numel() for name, layer in quantizable(model).items()}
        self.fp16_bytes = sum(self.elements.values()) * FP16_BYTES
        self.allowance = allowance_of(model, self.elements)


def call_quantize(args: dict[str, Any], channel: Channel, candidate: Any) -> tuple[Any, float] | None:
    """Import the learner's module, call ``quantize(candidate)``: (the returned module, seconds), or
    None after reporting why to ``channel``. The caller must hold no other reference to ``candidate``
    it means to keep: the learner's code changes it in place."""
    import torch

    quantize = learner_function(f"{args['module']}:{args['function']}")
    t0 = time.perf_counter()
    quantized = quantize(candidate)
    seconds = time.perf_counter() - t0
    if not isinstance(quantized, torch.nn.Module):
        channel.fault(f"{args['function']}() must return the quantized torch.nn.Module, got "
                      f"{type(quantized).__name__}", status="fail")
        return None
    quantized.eval()
    return quantized, seconds


def structure_problem(quantized: Any, layers: Layers, input_ids: Any) -> str | None:
    """Why the returned model's quantized layers cannot be credited (a layer missing, or one its
    forward routes around, on ``input_ids`` [B, T]); None when every one is there and called."""
    by_name = dict(quantized.named_modules())
    missing = [name for name in layers.elements if name not in by_name]
    if missing:
        return (f"the returned model has no module at {missing[0]} (and {len(missing) - 1} more): keep the "
                "model's structure and replace each linear layer in place")
    idle = unused_layers(quantized, [by_name[name] for name in layers.elements], input_ids)
    if idle:
        names = [name for name in layers.elements if by_name[name] in idle]
        return (f"the returned model's forward never calls the layer at {names[0]} (and {len(names) - 1} "
                "more): the quantized layers must be the ones that compute the output")
    return None


def score(quantized: Any, tok: Any, texts: list[str], prompts: list[str], new_tokens: int, reference: Reference,
          layers: Layers, device: str = "cpu", batch_size: int = 16) -> dict[str, Any]:
    """Everything measured on the returned model, against ``reference``: the footprint (everything
    it stores but its embeddings, lm_head and norms), perplexity, and greedy generations."""
    import sacrebleu

    from graders.tinymodels import perplexity

    q_bytes = footprint_bytes(quantized, layers.allowance)
    by_name = dict(quantized.named_modules())
    kinds = sorted({type(by_name[name]).__name__ for name in layers.elements})
    ppl = perplexity(quantized, tok, texts, batch_size=batch_size)
    hypotheses = greedy(quantized, tok, prompts, new_tokens, device, batch_size)
    ref = reference.generations
    return dict(
        footprint_ratio=q_bytes / layers.fp16_bytes, quantized_bytes=q_bytes, fp16_bytes=layers.fp16_bytes,
        layer_types=kinds, base_ppl=reference.ppl, quantized_ppl=ppl,
        ppl_change=(ppl / reference.ppl - 1.0) if ppl != float("inf") else None,
        bleu=sacrebleu.corpus_bleu(hypotheses, [ref]).score, rouge_l=rouge_l(hypotheses, ref),
        exact_match=sum(h == r for h, r in zip(hypotheses, ref, strict=True)) / len(ref),
        sample=[prompts[0], ref[0], hypotheses[0]],
    )


def run(args: dict[str, Any], channel: Channel) -> None:
    """cpu profile: the tiny Llama in float32 on the CPU, deep-copied for the learner."""
    import torch
    from transformers import PreTrainedTokenizerFast

    from graders.tinymodels.model import load_model

    warnings.filterwarnings("ignore", message=".*MatMul8bitLt.*")
    torch.manual_seed(int(args["seed"]))
    model: Any = load_model(args["model_path"])  # transformers is untyped for mypy here
    model.eval()
    tok = PreTrainedTokenizerFast.from_pretrained(args["model_path"], local_files_only=True)
    texts, prompts = hidden_inputs(args)
    new_tokens = int(args["new_tokens"])

    # -- full precision: measured before any learner code is imported -------------------------
    layers = Layers(model)
    reference = Reference(model, tok, texts, prompts, new_tokens)
    candidate = copy.deepcopy(model)
    del model  # the learner's code cannot find the full-precision model in memory and call it instead
    gc.collect()

    # -- the learner's quantize(model) --------------------------------------------------------
    called = call_quantize(args, channel, candidate)
    del candidate
    if called is None:
        return
    quantized, seconds = called
    problem = structure_problem(quantized, layers, tok(prompts[:2], return_tensors="pt", padding=True).input_ids)
    if problem:
        channel.fault(problem, status="fail")
        return
    channel.result(**score(quantized, tok, texts, prompts, new_tokens, reference, layers), quantize_seconds=seconds)


def run_gpu(args: dict[str, Any], channel: Channel) -> None:
    """gpu profile: the learner's own 7B model (``model_path``), quantized on ``device``.

    1. Full precision, before any learner code is imported: loaded in fp16 on the GPU (accelerate
       places it; what does not fit is offloaded to the CPU, slowly), perplexity on the hidden
       general documents and greedy generations; then dropped and its memory given back.
    2. The model is loaded again, in fp16 on the CPU, and handed to the learner's
       ``quantize(model)``, which must return it on the GPU. The peak-VRAM window opens before the
       learner's module is imported and closes after the last measurement: quantizing, perplexity
       (batches of ``batch_size``) and generation must all fit → ``peak_vram``.
    3. The returned model is measured as on the cpu profile (footprint, perplexity, BLEU, ROUGE-L).

    ``device`` is ``"cuda"`` when grading. With ``"cpu"`` (the tests, with the tiny model) the same
    steps run in float32 on the CPU and ``peak_vram`` is None.
    """
    import torch

    device = str(args["device"])
    batch = int(args["batch_size"])
    new_tokens = int(args["new_tokens"])
    warnings.filterwarnings("ignore", message=".*MatMul8bitLt.*")
    torch.manual_seed(int(args["seed"]))
    loaded = load_or_fault(channel, args["model_path"], lambda: (load_tokenizer(args["model_path"]),
                                                                  load_reference(args["model_path"], device)))
    if loaded is None:
        return
    tok, model = loaded
    texts, prompts = hidden_inputs(args)
    reference = Reference(model, tok, texts, prompts, new_tokens, device, batch)
    del model
    release(device)

    candidate = load_or_fault(channel, args["model_path"], lambda: load_candidate(args["model_path"], device))
    if candidate is None:
        return
    layers = Layers(candidate)
    baseline = reset_peak(device)  # ≈ 0: the reference is gone; whatever is left is not the learner's
    try:
        called = call_quantize(args, channel, candidate)
        del candidate
        if called is None:
            return
        quantized, seconds = called
        misplaced = off_device(quantized, device)
        if misplaced:
            channel.fault(f"quantize() returned a model whose {misplaced} is not on {device}: under the gpu "
                          f"profile it gets the fp16 model on the CPU and must return all of it on {device} "
                          f"(model.to({device!r}) once the layers are replaced: bitsandbytes quantizes on that "
                          "move)", status="fail")
            return
        ids = tok(prompts[:2], return_tensors="pt", padding=True).input_ids.to(device)
        problem = structure_problem(quantized, layers, ids)
        if problem:
            channel.fault(problem, status="fail")
            return
        scores = score(quantized, tok, texts, prompts, new_tokens, reference, layers, device, batch)
    except torch.cuda.OutOfMemoryError as exc:
        channel.fault(f"out of GPU memory after {_gb(peak_bytes(device, baseline))} ({str(exc).splitlines()[0]}): the "
                      "quantized model, with a batch of inference, must fit in the GPU", status="fail")
        return
    channel.result(**scores, quantize_seconds=seconds, peak_vram=peak_bytes(device, baseline),
                   vram_baseline=baseline, device=device_name(device))


def load_tokenizer(path: str) -> Any:
    """The model's own tokenizer; one without a padding token (Llama, Mistral) pads with ``</s>``
    (padding is masked out of every measurement)."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def load_reference(path: str, device: str) -> Any:
    """The full-precision model to compare with: fp16 on CUDA (:func:`_load_fp16_cuda`); float32
    where ``device`` is the CPU (CPUs have no fast fp16 matmul)."""
    if device == "cuda":
        return _load_fp16_cuda(path)
    return _load(path, "float32", device_map=None)


def load_candidate(path: str, device: str) -> Any:
    """The copy the learner's ``quantize`` gets: on the CPU, fp16 when grading on CUDA (the GPU
    sees only what the learner moves there), float32 for a CPU stand-in."""
    return _load(path, "float16" if device == "cuda" else "float32", device_map=None)


def _load_fp16_cuda(path: str) -> Any:
    # device_map="auto": on a GPU too small for 14 GB of fp16, layers are offloaded to the CPU.
    return _load(path, "float16", device_map="auto")


def _load(path: str, dtype: str, device_map: str | None) -> Any:
    import torch
    from transformers import AutoModelForCausalLM

    from graders.tinymodels.model import quiet_progress_bars

    loader: Any = AutoModelForCausalLM.from_pretrained  # transformers is partly untyped for mypy
    with quiet_progress_bars():
        model = loader(path, dtype=getattr(torch, dtype), device_map=device_map, local_files_only=True)
    return model.eval()


def off_device(model: Any, device: str) -> str | None:
    """The first parameter or buffer of ``model`` (by name) that is not on ``device`` (a type:
    ``"cuda"`` means any GPU), or None."""
    named = list(model.named_parameters()) + list(model.named_buffers())
    return next((name for name, t in named if t.device.type != device), None)


def device_name(device: str) -> str:
    if device != "cuda":
        return device
    import torch

    return str(torch.cuda.get_device_name(0))


def _gb(n: int | None) -> str:
    return "?" if n is None else f"{n / 1e9:.2f} GB"
