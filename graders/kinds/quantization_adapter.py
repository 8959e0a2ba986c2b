"""Adapter of kind ``quantization`` — trusted grader code that runs *in the learner worker*.

The model stays in the learner's process (bitsandbytes' 4-bit weights lose accuracy when saved and
reloaded, and nothing that executes on load may cross to the measurer): this adapter loads the
tiny Llama there, hands it to the learner's ``quantize``, keeps what it returns and answers the
measurer's questions about it — the logits for token ids the measurer sends (the measurer computes
perplexity and generations from them), which modules sit at the quantizable layers' names and
whether a forward pass calls them, and its own count of the tensors the model stores
(:func:`footprint_bytes`). It holds nothing secret: no hidden text, no prompt before it is asked
about, no reference output.

Everything it reports after the learner's code ran can have been patched. The measurer therefore
takes the footprint from outside as well — the worker's resident memory before and after
``quantize`` (``Worker.resident``) — and never credits less than that. For that reading to be
exact, :func:`load` lays the model out so that memory follows the weights: each quantizable weight
in an anonymous mapping of its own (freed, it leaves the process at once), every other tensor
(embeddings, ``lm_head``, norms) mapped from the model's file, whose clean pages the measurer does
not count — so dropping or shrinking them gains nothing, and a copy of them costs its full size.
"""

from __future__ import annotations

import contextlib
import gc
import json
import mmap
import os
import struct
import types
from collections.abc import Iterable
from typing import Any, TypedDict

from graders.harness.learner import learner_function
from graders.wire import Array

__all__ = ["FP16_BYTES", "InspectReply", "LoadReply", "QuantizeReply", "allowance_of", "footprint_bytes",
           "forward_logits", "generate_start", "generate_step", "generation_start",
           "generation_step", "inspect", "load", "logits", "off_device", "quantizable", "quantize", "reachable_tensors",
           "settle", "unused_layers", "vram_peak", "vram_window"]

FP16_BYTES = 2
_state: dict[str, Any] = {}


class LoadReply(TypedDict):
    layers: dict[str, int]  # quantizable layer name → weight elements
    file: str  # the model file the non-quantizable tensors are mapped from ("" when they are not)
    vocab: int  # the logits' last dimension


class QuantizeReply(TypedDict):
    returned: str  # the type's name of what quantize() returned
    is_module: bool
    off_device: str | None  # the first parameter or buffer not on the device asked for


class InspectReply(TypedDict):
    missing: list[str]  # quantizable layer names with no module in the returned model
    idle: list[str]  # those a forward pass never calls
    layer_types: list[str]
    walk_bytes: int  # footprint_bytes(): what the model stores, counted in this process


# --------------------------------------------------------------------------------------------
# Counting what a model stores (in this process: one half of footprint_ratio)
# --------------------------------------------------------------------------------------------


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


def off_device(model: Any, device: str) -> str | None:
    """The first parameter or buffer of ``model`` (by name) that is not on ``device`` (a type:
    ``"cuda"`` means any GPU), or None."""
    named = list(model.named_parameters()) + list(model.named_buffers())
    return next((name for name, t in named if t.device.type != device), None)


# --------------------------------------------------------------------------------------------
# What the measurer calls
# --------------------------------------------------------------------------------------------


def forward_logits(model: Any, ids: Any, mask: Any) -> Any:
    """``model``'s logits [B, T, V] (float32, on the CPU) for ``ids``/``mask`` [B, T]. The measurer
    runs this very function on its full-precision model, so both sides are computed alike."""
    import torch

    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    with torch.no_grad():
        return model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits.float().cpu()


def generation_start(model: Any, ids: Any, mask: Any) -> tuple[Any, Any]:
    """Greedy generation, first step: ``model``'s logits of the last position for the left-padded
    prompts ``ids``/``mask`` [B, T] → ([B, V] float32 on the CPU, the state for :func:`generation_step`:
    the mask so far and the key/value cache). The measurer picks the tokens; both sides use this."""
    import torch

    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    ids, mask = ids.to(device), mask.to(device)
    positions = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)  # positions count from each prompt's start
    with torch.no_grad():
        out = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True)
    return out.logits[:, -1].float().cpu(), (mask, out.cache)


def generation_step(model: Any, state: tuple[Any, Any], tokens: Any) -> tuple[Any, Any]:
    """The next step: ``tokens`` [B] appended (the measurer's choice), the new last logits and state."""
    import torch

    mask, cache = state
    mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=1)
    positions = (mask.sum(-1, keepdim=True) - 1)  # [B, 1]
    with torch.no_grad():
        out = model(input_ids=tokens.to(mask.device)[:, None], attention_mask=mask, position_ids=positions,
                    cache=cache, use_cache=True)
    return out.logits[:, -1].float().cpu(), (mask, out.cache)


def _map_from_file(model: Any, folder: str, layers: set[str]) -> str:
    """Lay ``model`` out as the module docstring says; the file mapped, or "" where it cannot be."""
    import torch

    path = os.path.join(folder, "model.safetensors")
    if not os.path.isfile(path):
        return ""
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
    base = 8 + size
    params = dict(model.named_parameters())
    fd = os.open(path, os.O_RDONLY)
    try:
        for name, spec in header.items():
            p = params.get(name)
            if p is None or name.removesuffix(".weight") in layers or spec.get("dtype") != "F32":
                continue
            start, end = spec["data_offsets"]
            offset = base + start
            aligned = offset - offset % mmap.ALLOCATIONGRANULARITY
            mapped = mmap.mmap(fd, end - start + offset - aligned, offset=aligned, access=mmap.ACCESS_COPY)
            t = torch.frombuffer(mapped, dtype=torch.float32, count=(end - start) // 4, offset=offset - aligned)
            t = t.view(spec["shape"])
            if t.shape == p.shape and torch.equal(t, p.data):
                p.data = t
    finally:
        os.close(fd)
    for layer in quantizable(model).values():
        w = layer.weight.data
        own = mmap.mmap(-1, max(1, w.numel() * w.element_size()))
        t = torch.frombuffer(own, dtype=w.dtype, count=w.numel()).view(w.shape)
        t.copy_(w)
        layer.weight.data = t
    return path


def _warm_up(model: Any) -> None:
    """bitsandbytes' and torch's one-time costs (imports, kernels, thread pools), paid before the
    measurer's first reading, so that they count against nobody."""
    import torch

    bnb: Any
    try:
        import bitsandbytes as bnb
    except ImportError:
        bnb = None
    if bnb is not None:
        weight = torch.randn(64, 64)
        nf4 = bnb.nn.Linear4bit(64, 64, bias=False, compute_dtype=torch.float32, quant_type="nf4")
        nf4.weight = bnb.nn.Params4bit(weight.clone(), requires_grad=False, quant_type="nf4")
        int8 = bnb.nn.Linear8bitLt(64, 64, bias=False, has_fp16_weights=False)
        int8.weight = bnb.nn.Int8Params(weight.clone(), requires_grad=False, has_fp16_weights=False)
        x = torch.randn(2, 64)
        with torch.no_grad():
            nf4.to("cpu")(x)
            int8.to("cpu")(x)
    ids = torch.ones(1, 4, dtype=torch.long)
    forward_logits(model, ids, torch.ones_like(ids))


def load(folder: str, dtype: str, device: str) -> LoadReply:
    """Load the model in ``folder`` (the tiny Llama, or under the gpu profile the learner's own in
    fp16 on the CPU, where ``quantize`` must take it to ``device``) and keep it for :func:`quantize`."""
    import warnings

    import torch

    from graders.tinymodels.model import quiet_progress_bars

    warnings.filterwarnings("ignore", message=".*MatMul8bitLt.*")
    from transformers import AutoModelForCausalLM

    from graders.gpu import load_or_raise

    loader: Any = AutoModelForCausalLM.from_pretrained  # transformers is partly untyped for mypy
    with quiet_progress_bars():
        model = load_or_raise(folder, lambda: loader(folder, dtype=getattr(torch, dtype), device_map=None,
                                                     local_files_only=True).eval())
    layers = quantizable(model)
    _state["layers"] = {name: layer.weight.numel() for name, layer in layers.items()}
    _state["allowance"] = allowance_of(model, layers)
    _state["device"] = device
    mapped = _map_from_file(model, folder, set(layers)) if dtype == "float32" else ""
    del layers
    _warm_up(model)
    _state["model"] = model
    del model
    settle()
    return LoadReply(layers=dict(_state["layers"]), file=mapped, vocab=int(_state["model"].config.vocab_size))


def quantize(fn: str) -> QuantizeReply:
    """Hand the model to the learner's ``quantize`` (``fn``, "module:function") and keep what it
    returns. This module keeps no reference to the original: what the learner's code drops is freed."""
    import torch

    function = learner_function(fn)
    quantized = function(_state.pop("model"))
    if not isinstance(quantized, torch.nn.Module):
        return QuantizeReply(returned=type(quantized).__name__, is_module=False, off_device=None)
    quantized.eval()
    _state["model"] = quantized
    return QuantizeReply(returned=type(quantized).__name__, is_module=True,
                         off_device=off_device(quantized, _state["device"]))


def inspect(probe_ids: Any) -> InspectReply:
    """The returned model's structure (every quantizable layer's name still holds a module, and one
    forward pass on ``probe_ids`` [B, T] calls each) and its stored bytes as counted here."""
    model = _state["model"]
    by_name = dict(model.named_modules())
    names = list(_state["layers"])
    missing = [name for name in names if name not in by_name]
    idle: list[str] = []
    if not missing:
        idle_modules = unused_layers(model, [by_name[name] for name in names], probe_ids.to(_state["device"]))
        idle = [name for name in names if by_name[name] in idle_modules]
    kinds = sorted({type(by_name[name]).__name__ for name in names if name in by_name})
    return InspectReply(missing=missing, idle=idle, layer_types=kinds,
                        walk_bytes=footprint_bytes(model, _state["allowance"]))


def settle() -> int:
    """Collect garbage and give the allocator's free pages back to the system (glibc), so the
    measurer's reading of resident memory shows what is held, not what was once used."""
    import ctypes

    found = gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL(None).malloc_trim(0)
    return found


def logits(ids: Any, mask: Any) -> Array:
    """:func:`forward_logits` of the kept model, as an array."""
    return Array.from_torch(forward_logits(_state["model"], ids, mask))


def generate_start(ids: Any, mask: Any) -> Array:
    """:func:`generation_start` on the kept model; the state stays here."""
    logits_, _state["generation"] = generation_start(_state["model"], ids, mask)
    return Array.from_torch(logits_)


def generate_step(tokens: Any) -> Array:
    """:func:`generation_step` on the kept model and state."""
    logits_, _state["generation"] = generation_step(_state["model"], _state["generation"], tokens)
    return Array.from_torch(logits_)


def vram_window() -> int:
    """Open the peak-VRAM window (gpu profile): see graders.gpu.reset_peak."""
    from graders.gpu import reset_peak

    _state["vram_baseline"] = reset_peak(_state["device"])
    return int(_state["vram_baseline"])


def vram_peak() -> int | None:
    """Peak VRAM since :func:`vram_window` (None off CUDA): counted in this process."""
    from graders.gpu import peak_bytes

    return peak_bytes(_state["device"], int(_state.get("vram_baseline", 0)))
