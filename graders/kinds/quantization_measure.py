"""Measurer of kind ``quantization`` — trusted; runs beside the learner worker (see graders.measurer).

1. **Full precision, here.** It loads the model itself (the tiny Llama; under the gpu profile the
   learner's own folder, fp16 on CUDA), draws the hidden general-text documents and the prompts
   from the seed, and computes the reference: perplexity and greedy generations. Then it drops it.
2. **The learner's model, in the worker** (graders.kinds.quantization_adapter): the model is loaded
   there, its resident memory read from outside (``worker.resident()``), ``quantize(model)`` called
   (timed from here), the returned model inspected, the memory read again.
3. **Every number, here**, from what the worker returns for inputs sent from here: the perplexity
   from the logits of the hidden documents, the greedy generations token by token from the logits
   of the last position (argmax here), BLEU (sacrebleu) and ROUGE-L (rouge-score) against the
   reference's. The worker never sees a reference output, and sees a document or prompt only when
   its logits are asked for.

**The footprint** (``footprint_ratio``, bytes stored beyond the non-quantizable tensors / the fp16
size of the quantizable weights) is the larger of two counts:

* *from outside*: the learner processes' resident memory after ``quantize`` less before it, plus
  the quantizable fp32 weights the worker held before (each in a mapping of its own, so a weight
  the learner's code drops leaves the process — and one it keeps stays counted); the embeddings,
  ``lm_head`` and norms are mapped from the model's file, whose clean pages are not counted, so
  shrinking them gains nothing. Python objects and allocator slack make this a little larger than
  the tensors alone (≈ 0.1 of the fp16 size for the reference's NF4): :data:`OBJECT_ALLOWANCE`
  of it is not held against the learner;
* *in the worker*: every tensor storage reachable from the returned model
  (``quantization_adapter.footprint_bytes``) — exact for tensors, but counted in the learner's
  process, where code can patch it.

So a full-precision copy hidden anywhere in the learner's processes counts whatever the in-process
count says (a retained fp32 copy adds 2.0). Under the gpu profile the quantized weights live in
VRAM, which the outside reading does not see: there the in-process count decides (see
docs/threat-model.md).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypedDict

from graders.faults import LearnerFault
from graders.harness.channel import Channel
from graders.kinds.quantization_adapter import FP16_BYTES, InspectReply, LoadReply, QuantizeReply
from graders.measurer import Worker, expect
from graders.wire import Array

if TYPE_CHECKING:
    import torch

__all__ = ["OBJECT_ALLOWANCE", "QuantizeJob", "QuantizeReport", "greedy_of", "hidden_inputs", "measure", "rouge_l"]

ADAPTER = "graders.kinds.quantization_adapter"
#: The share of the fp16 size the outside count may exceed the tensors by without it counting
#: against the learner: Python objects of the new layers and allocator slack (measured ≈ 0.09 for
#: bitsandbytes NF4 and 0.12 for int8 on the tiny Llama). A copy hidden from the in-process count
#: is credited at most this much.
OBJECT_ALLOWANCE = 0.25
_LOGITS_BYTES = 160 * 1024 * 1024  # one batch's logits (16 × 256 × 4096 float32 is 64 MiB)


class QuantizeJob(TypedDict):
    module: str
    function: str
    seed: int
    model_path: str
    device: str  # "cpu" (the tiny Llama), or "cuda" for the gpu profile (the tests pass "cpu")
    gpu: bool  # the gpu profile: the learner's folder, fp16, the model moved to ``device`` by quantize
    eval_docs: int
    prompts: int
    new_tokens: int
    batch_size: int


class QuantizeReport(TypedDict):
    footprint_ratio: float
    walk_ratio: float  # the in-process count alone
    outside_ratio: float | None  # the outside count alone (None: not measured, the gpu profile)
    quantized_bytes: int
    fp16_bytes: int
    layer_types: list[str]
    base_ppl: float
    quantized_ppl: float
    ppl_change: float | None
    bleu: float
    rouge_l: float
    exact_match: float
    sample: list[str]
    quantize_seconds: float
    peak_vram: int | None
    device: str
    memory_method: str


def hidden_inputs(seed: int, eval_docs: int, prompts: int) -> tuple[list[str], list[str]]:
    """The hidden general-corpus documents for perplexity and the prompts for greedy generation,
    both drawn with the run's seed (prompts: the first 8 words of other hidden documents)."""
    from graders.tinymodels import corpus_texts

    texts = corpus_texts("general", "hidden", eval_docs, seed=seed)
    starts = [" ".join(t.split()[:8]) for t in corpus_texts("general", "hidden", prompts, seed=seed + 1)]
    return texts, starts


Start = Callable[["torch.Tensor", "torch.Tensor"], "torch.Tensor"]
Step = Callable[["torch.Tensor"], "torch.Tensor"]


def greedy_of(start: Start, step: Step, tok: Any, prompts: list[str], new_tokens: int,
              batch_size: int = 16) -> list[str]:
    """Greedy continuations of ``prompts`` (``new_tokens`` each) from a model reached only through
    ``start(ids, mask) -> [B, V]`` (the logits of the prompts' last position) and ``step(tokens [B])
    -> [B, V]`` (append these tokens, the next logits): the argmax is taken here. ``batch_size``
    prompts at a time, left-padded (the padding is masked and positions count from each prompt's
    first token); a sequence that has emitted ``</s>`` continues with padding, as ``generate`` does."""
    import torch

    eos, pad = tok.eos_token_id, tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    out: list[str] = []
    for first in range(0, len(prompts), batch_size):
        # padded on the left: generation appends on the right, so every prompt must end where the batch does
        enc = tok(prompts[first:first + batch_size], return_tensors="pt", padding=True, padding_side="left")
        logits = start(enc.input_ids, enc.attention_mask)  # [B, V]
        running = torch.ones(enc.input_ids.shape[0], dtype=torch.bool)
        chosen: list[torch.Tensor] = []
        for i in range(new_tokens):
            nxt = torch.where(running, logits.argmax(-1), torch.full_like(running, pad, dtype=torch.long))  # [B]
            chosen.append(nxt)
            if eos is not None:
                running &= nxt != eos
            if i == new_tokens - 1 or not bool(running.any()):
                break
            logits = step(nxt)
        out += tok.batch_decode(torch.stack(chosen, dim=1), skip_special_tokens=True)
    return out


def rouge_l(hypotheses: list[str], references: list[str]) -> float:
    """Mean ROUGE-L F-measure (0..1) of each hypothesis against its reference."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"])
    scores = [scorer.score(ref, hyp)["rougeL"].fmeasure for hyp, ref in zip(hypotheses, references, strict=True)]
    return float(sum(scores) / len(scores))


class _Background:
    """``fn()`` in a thread of this process; :meth:`result` waits for it and re-raises what it raised."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self._fn = fn
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="reference", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._fn()
        except BaseException as exc:  # re-raised where the result is wanted
            self._error = exc

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _tokenizer(path: str) -> Any:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token  # Llama, Mistral: padding is masked out of every measurement
    return tok


def _reference(job: QuantizeJob, tok: Any, texts: list[str], prompts: list[str]) -> tuple[float, list[str]]:
    """(full-precision perplexity, its greedy generations), computed in this process."""
    import torch
    from transformers import AutoModelForCausalLM

    from graders.gpu import load_or_raise
    from graders.kinds.quantization_adapter import forward_logits, generation_start, generation_step
    from graders.tinymodels.metrics import perplexity_of_nll, token_nll_of
    from graders.tinymodels.model import quiet_progress_bars

    loader: Any = AutoModelForCausalLM.from_pretrained  # transformers is partly untyped for mypy
    if job["gpu"] and job["device"] == "cuda":  # fp16 on the GPU; what does not fit is offloaded
        dtype, device_map = torch.float16, "auto"
    else:  # CPUs have no fast fp16 matmul: the reference is float32 there
        dtype, device_map = torch.float32, None
    path = job["model_path"]
    with quiet_progress_bars():
        model = load_or_raise(path, lambda: loader(path, dtype=dtype, device_map=device_map,
                                                   local_files_only=True).eval())
    batch = job["batch_size"]
    nll = token_nll_of(lambda ids, mask: forward_logits(model, ids, mask), tok, texts, batch_size=batch)
    state: list[Any] = [None]

    def start(ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        logits, state[0] = generation_start(model, ids, mask)
        return logits  # type: ignore[no-any-return]

    def step(tokens: torch.Tensor) -> torch.Tensor:
        logits, state[0] = generation_step(model, state[0], tokens)
        return logits  # type: ignore[no-any-return]

    return perplexity_of_nll(*nll), greedy_of(start, step, tok, prompts, job["new_tokens"], batch)


class _Remote:
    """The learner's model in the worker, as the measurer asks it for logits (shapes checked here)."""

    def __init__(self, worker: Worker, vocab: int) -> None:
        self.worker, self.vocab, self.rows = worker, vocab, 0

    def _checked(self, got: Array, want: tuple[int, ...]) -> torch.Tensor:
        if got.dtype != "float32" or got.shape != want:
            raise LearnerFault(f"the returned model gave logits of shape {list(got.shape)} ({got.dtype}); expected "
                               f"{list(want)} float32", status="fail")
        logits: torch.Tensor = got.to_torch()
        return logits

    def logits(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        got = self.worker.adapter(f"{ADAPTER}:logits", Array.from_torch(ids), Array.from_torch(mask), returns=Array,
                                  max_reply_bytes=_LOGITS_BYTES)
        return self._checked(got, (*ids.shape, self.vocab))

    def start(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        self.rows = int(ids.shape[0])
        got = self.worker.adapter(f"{ADAPTER}:generate_start", Array.from_torch(ids), Array.from_torch(mask),
                                  returns=Array)
        return self._checked(got, (self.rows, self.vocab))

    def step(self, tokens: torch.Tensor) -> torch.Tensor:
        got = self.worker.adapter(f"{ADAPTER}:generate_step", Array.from_torch(tokens), returns=Array)
        return self._checked(got, (self.rows, self.vocab))


def measure(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    import sacrebleu
    import torch

    from graders import gpu
    from graders.tinymodels.metrics import perplexity_of_nll, token_nll_of

    warnings.filterwarnings("ignore", message=".*MatMul8bitLt.*")
    job = expect(args, QuantizeJob, what="the quantization kind's job")
    torch.manual_seed(job["seed"])
    path, device = job["model_path"], job["device"]
    tok = gpu.load_or_raise(path, lambda: _tokenizer(path)) if job["gpu"] else _tokenizer(path)
    texts, prompts = hidden_inputs(job["seed"], job["eval_docs"], job["prompts"])
    # Full precision is measured in this process while the worker loads and quantizes its own copy
    # (torch releases the GIL); neither touches the other's memory.
    reference = _Background(lambda: _reference(job, tok, texts, prompts))

    fn = f"{job['module']}:{job['function']}"
    dtype = "float16" if job["gpu"] and device == "cuda" else "float32"
    loaded = worker.adapter(f"{ADAPTER}:load", path, dtype, device, returns=LoadReply)
    fp16_bytes = sum(loaded["layers"].values()) * FP16_BYTES
    held = sum(loaded["layers"].values()) * 4  # the quantizable fp32 weights, each in a mapping of its own
    outside = not job["gpu"]  # under the gpu profile the quantized weights are in VRAM: not read from outside
    keep = worker.resident().mappings_of(loaded["file"]) if outside and loaded["file"] else frozenset()
    before = worker.resident(keep=keep) if outside else None
    if job["gpu"]:
        worker.adapter(f"{ADAPTER}:vram_window", returns=int)
    returned = worker.adapter(f"{ADAPTER}:quantize", fn, returns=QuantizeReply)
    quantize_seconds = worker.last_seconds
    if not returned["is_module"]:
        raise LearnerFault(f"{job['function']}() must return the quantized torch.nn.Module, got {returned['returned']}",
                           status="fail")
    if returned["off_device"] is not None:
        raise LearnerFault(f"quantize() returned a model whose {returned['off_device']} is not on {device}: under the "
                           f"gpu profile it gets the fp16 model on the CPU and must return all of it on {device} "
                           f"(model.to({device!r}) once the layers are replaced: bitsandbytes quantizes on that "
                           "move)", status="fail")
    outside_ratio: float | None = None
    method = "tensors reachable from the returned model, counted in your process"
    if before is not None:  # read before the inspection's forward pass leaves garbage of its own
        worker.adapter(f"{ADAPTER}:settle", returns=int)
        after = worker.resident(keep=keep)
        outside_ratio = (after.bytes - before.bytes + held) / fp16_bytes
        method = after.method
    probe = tok(prompts[:2], return_tensors="pt", padding=True).input_ids  # [2, T]
    shape = worker.adapter(f"{ADAPTER}:inspect", Array.from_torch(probe), returns=InspectReply)
    if shape["missing"]:
        raise LearnerFault(f"the returned model has no module at {shape['missing'][0]} (and "
                           f"{len(shape['missing']) - 1} more): keep the model's structure and replace each linear "
                           "layer in place", status="fail")
    if shape["idle"]:
        raise LearnerFault(f"the returned model's forward never calls the layer at {shape['idle'][0]} (and "
                           f"{len(shape['idle']) - 1} more): the quantized layers must be the ones that compute the "
                           "output", status="fail")
    walk_ratio = shape["walk_bytes"] / fp16_bytes
    footprint = max(walk_ratio, (outside_ratio or 0.0) - OBJECT_ALLOWANCE)

    base_ppl, reference_texts = reference.result()
    gpu.release(device)  # the full-precision model is gone: give its memory back
    remote = _Remote(worker, loaded["vocab"])
    ppl = perplexity_of_nll(*token_nll_of(remote.logits, tok, texts, batch_size=job["batch_size"]))
    hypotheses = greedy_of(remote.start, remote.step, tok, prompts, job["new_tokens"], job["batch_size"])
    peak_vram = worker.adapter(f"{ADAPTER}:vram_peak", returns=int | None) if job["gpu"] else None
    channel.result(**QuantizeReport(
        footprint_ratio=footprint, walk_ratio=walk_ratio, outside_ratio=outside_ratio,
        quantized_bytes=round(footprint * fp16_bytes), fp16_bytes=fp16_bytes, layer_types=shape["layer_types"],
        base_ppl=base_ppl, quantized_ppl=ppl,
        ppl_change=(ppl / base_ppl - 1.0) if ppl != float("inf") else None,
        bleu=float(sacrebleu.corpus_bleu(hypotheses, [reference_texts]).score),
        rouge_l=rouge_l(hypotheses, reference_texts),
        exact_match=sum(h == r for h, r in zip(hypotheses, reference_texts, strict=True)) / len(reference_texts),
        sample=[prompts[0], reference_texts[0], hypotheses[0]], quantize_seconds=quantize_seconds,
        peak_vram=peak_vram, device=_device_name(device) if job["gpu"] else device, memory_method=method))


def _device_name(device: str) -> str:
    if device != "cuda":
        return device
    import torch

    return str(torch.cuda.get_device_name(0))
