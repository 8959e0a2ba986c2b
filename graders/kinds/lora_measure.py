"""Measurers of kind ``lora``: ``train`` drives the learner's fine-tuning in a learner worker;
``measure`` — a separate, trusted process that imports none of the learner's code — loads base +
adapter and measures them.

``train`` (``Sandbox.measure``) holds the training texts and the run's settings; the learner's
``finetune(base_model, train_texts, output_dir)`` runs in the worker, which gets those three
arguments and nothing else (no seed, no hidden split, no result channel), and is timed from here
(``train_seconds``). Under the gpu profile the peak VRAM of the call is read in the worker
(``graders.kinds.lora_adapter``) — the learner's process's own account (docs/threat-model.md).

``measure`` runs on a folder holding only the adapter's two files; it draws the hidden FAQ split
from the seed, so the learner's process never held it.

Both serve both profiles: the cpu profile passes the tiny Llama and ``device`` ``"cpu"``; the gpu
profile the learner's 8B folder, ``device`` ``"cuda"`` and (for ``measure``) ``load_4bit``. The
only CUDA-specific calls are in :mod:`graders.gpu` and :func:`_load_4bit`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypedDict

from graders.faults import LearnerFault
from graders.gpu import load_or_raise
from graders.harness.channel import Channel
from graders.measurer import Worker, expect

__all__ = ["MeasureJob", "MeasureReport", "TrainJob", "TrainReport", "foreign_keys", "integrity", "load_base",
           "measure", "read_adapter", "train"]

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"


class TrainJob(TypedDict):
    module: str
    function: str
    base_model: str  # the folder the learner's code gets (a private copy on the cpu profile)
    output_dir: str
    device: str


class TrainReport(TypedDict):
    train_seconds: float
    files: list[str]
    peak_vram: int | None  # counted in the worker (gpu profile); None off CUDA


class MeasureJob(TypedDict):
    model_path: str  # the pristine base (the cache's on the cpu profile)
    adapter_dir: str
    eval_docs: int
    seed: int
    device: str
    load_4bit: bool
    batch_size: int


class _MeasureResult(TypedDict):
    base_ppl: float
    adapted_ppl: float
    ppl_change: float | None
    adapter_params: int
    target_modules: list[str]
    modules_to_save: list[str]
    rank: int | None
    foreign_keys: list[str]
    foreign_count: int
    load_4bit: bool


class MeasureReport(_MeasureResult, total=False):
    # the cpu profile's integrity checks (not measured on a 4-bit base)
    base_params: int
    trainable_fraction: float
    disabled_ppl: float
    disabled_matches_base: bool
    merge_max_abs_error: float


def train(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    """Hand the learner the base model folder and the FAQ training split; time the call from here.

    With ``device`` ``"cuda"`` (the gpu profile) the peak VRAM of the call is read in the worker,
    from before the learner's module is imported (``peak_vram``; None on any other device).
    """
    from graders.tinymodels import corpus_texts

    job = expect(args, TrainJob, what="the lora kind's training job")
    texts = corpus_texts("faq", "train")
    fn = f"{job['module']}:{job['function']}"
    worker.adapter("graders.kinds.lora_adapter:vram_window", job["device"], returns=int)
    worker.load(fn)  # import time is not training time
    worker.call(fn, job["base_model"], list(texts), job["output_dir"])
    seconds = worker.last_seconds
    peak = worker.adapter("graders.kinds.lora_adapter:vram_peak", returns=int | None)
    out = Path(job["output_dir"])
    if not (out / ADAPTER_CONFIG).is_file():
        raise LearnerFault(f"{job['function']}() returned but {out.name}/{ADAPTER_CONFIG} does not exist: save the "
                           "adapter with peft_model.save_pretrained(output_dir)", status="fail")
    channel.result(**TrainReport(train_seconds=seconds, files=sorted(p.name for p in out.iterdir()), peak_vram=peak))


def measure(args: dict[str, Any], channel: Channel) -> None:
    """Base + adapter → perplexity change, trainable fraction, base intact, merge consistent.

    ``device`` (default ``"cpu"``) and ``load_4bit`` (default False) say how the base is loaded
    (:func:`load_base`); the gpu profile passes ``"cuda"`` and True, and ``batch_size`` for
    perplexity. On a 4-bit base only the perplexities are measured (the base's with the adapter
    disabled, see below): merging into 4-bit weights is lossy by construction, and the gpu profile
    grades ``ppl_change`` alone.
    """
    import torch
    from peft import PeftModel

    from graders.tinymodels import corpus_texts, perplexity

    job = expect(args, MeasureJob, what="the lora kind's measuring job")
    adapter = Path(job["adapter_dir"])
    config, adapter_params, foreign = read_adapter(adapter)
    device, load_4bit, batch = job["device"], job["load_4bit"], job["batch_size"]

    torch.manual_seed(0)
    if load_4bit:  # the learner's own folder: a broken one is told in words
        base, tok = load_or_raise(job["model_path"], lambda: load_base(job["model_path"], device, True))
    else:
        base, tok = load_base(job["model_path"], device, False)
    base_params = sum(p.numel() for p in base.parameters())
    hidden = corpus_texts("faq", "hidden", job["eval_docs"], seed=job["seed"])
    base_ppl = None if load_4bit else perplexity(base, tok, hidden, batch_size=batch)

    model = PeftModel.from_pretrained(base, str(adapter), is_trainable=False).eval()
    if base_ppl is None:
        # On a 4-bit base, the base is the adapter model with its adapter disabled, measured after
        # loading: bitsandbytes 0.50's CPU kernels repack 4-bit weights on the first forward, and
        # peft's loading (a state_dict()) unpacks them, changing the outputs — a base measured before
        # would differ by up to 12 % (tiny model) with an all-zero adapter. Adapter-file tensors that
        # would overwrite the base are refused by the kind (foreign_keys), so disabled = base.
        with model.disable_adapter():
            base_ppl = perplexity(model, tok, hidden, batch_size=batch)
    adapted_ppl = perplexity(model, tok, hidden, batch_size=batch)
    rank = config.get("r")
    result = MeasureReport(
        base_ppl=base_ppl, adapted_ppl=adapted_ppl,
        ppl_change=adapted_ppl / base_ppl - 1.0 if adapted_ppl != float("inf") else None,
        adapter_params=adapter_params, target_modules=_names(config.get("target_modules")),
        modules_to_save=[str(m) for m in config.get("modules_to_save") or []],
        rank=rank if isinstance(rank, int) and not isinstance(rank, bool) else None,
        foreign_keys=foreign[:3], foreign_count=len(foreign), load_4bit=load_4bit,
    )
    if not load_4bit:
        checked = integrity(model, tok, hidden, base_ppl, device, batch)
        result["base_params"] = base_params
        result["trainable_fraction"] = adapter_params / base_params
        result["disabled_ppl"] = checked["disabled_ppl"]
        result["disabled_matches_base"] = checked["disabled_matches_base"]
        result["merge_max_abs_error"] = checked["merge_max_abs_error"]
    channel.result(**result)


def read_adapter(adapter: Path) -> tuple[dict[str, Any], int, list[str]]:
    """The adapter's config, the elements its file stores, and its foreign keys (:func:`foreign_keys`).
    Reads the file's header only; a file that is not a LoRA adapter is a ``fail`` fault."""
    from safetensors import safe_open

    try:
        config = json.loads((adapter / ADAPTER_CONFIG).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LearnerFault(f"{ADAPTER_CONFIG} is not readable JSON ({exc})", status="fail") from None
    if not isinstance(config, dict) or config.get("peft_type") != "LORA":
        kind = config.get("peft_type") if isinstance(config, dict) else config
        raise LearnerFault(f"the adapter is a {kind!r} adapter; this exercise asks for LoRA", status="fail")
    with safe_open(str(adapter / ADAPTER_WEIGHTS), framework="pt") as f:
        keys = list(f.keys())
        adapter_params = sum(_numel(f.get_slice(key).get_shape()) for key in keys)
    return config, adapter_params, foreign_keys(keys, config.get("modules_to_save") or [])


def load_base(path: str, device: str, load_4bit: bool) -> tuple[Any, Any]:
    """The pristine base model and its tokenizer, in eval mode.

    Full precision (float32) on the CPU, as the cpu profile has always measured; with
    ``load_4bit``, NF4 through bitsandbytes as QLoRA trains on it (:func:`_load_4bit`), on
    ``device``. A tokenizer without a padding token pads with ``</s>`` (masked out everywhere).
    """
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    if load_4bit:
        return _load_4bit(path, device), tok
    from graders.tinymodels.model import load_model

    base: Any = load_model(path)  # transformers is untyped for mypy here
    return base.to(device).eval(), tok


def _load_4bit(path: str, device: str) -> Any:
    """NF4 with bfloat16 compute (bitsandbytes' QLoRA recipe) on ``device``. bitsandbytes ≥ 0.45
    also runs this on a CPU, which is how it is tested here."""
    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    from graders.tinymodels.model import quiet_progress_bars

    quantization: Any = BitsAndBytesConfig  # transformers is partly untyped for mypy
    loader: Any = AutoModelForCausalLM.from_pretrained
    config = quantization(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16)
    with quiet_progress_bars():
        model = loader(path, quantization_config=config, device_map=device, local_files_only=True)
    return model.eval()


class Integrity(TypedDict):
    disabled_ppl: float
    disabled_matches_base: bool
    merge_max_abs_error: float


def integrity(model: Any, tok: Any, hidden: list[str], base_ppl: float, device: str, batch: int) -> Integrity:
    """On a full-precision base with the adapter loaded: the perplexity with the adapter disabled
    (must equal the base's) and the largest logit change of ``merge_and_unload()``. Merges the
    adapter into ``model``'s base: the last thing done with it."""
    import torch

    from graders.tinymodels import perplexity

    with model.disable_adapter():
        disabled_ppl = perplexity(model, tok, hidden, batch_size=batch)
    probe = tok(hidden[:4], return_tensors="pt", padding=True).to(device)  # [4, T]
    with torch.no_grad():
        adapter_logits = model(**probe).logits  # [4, T, V]
        merged = model.merge_and_unload().eval()
        merged_logits = merged(**probe).logits  # [4, T, V]
    mask = probe["attention_mask"].bool()
    return Integrity(disabled_ppl=disabled_ppl, disabled_matches_base=abs(disabled_ppl / base_ppl - 1.0) < 1e-6,
                     merge_max_abs_error=float((adapter_logits - merged_logits)[mask].abs().max()))


def foreign_keys(keys: list[str], modules_to_save: list[str]) -> list[str]:
    """Tensors in an adapter file that are neither LoRA matrices (``lora_A``/``lora_B``/``lora_embedding_*``,
    DoRA's ``lora_magnitude_vector``) nor copies of a declared ``modules_to_save`` module. peft loads
    such keys into the *base* model: an adapter file can overwrite base weights this way."""
    saved = set(modules_to_save)
    return sorted(k for k in keys if ".lora_" not in k and not saved.intersection(k.split(".")))


def _names(value: Any) -> list[str]:
    """``target_modules`` as saved by peft: a list of names, or one regular expression."""
    if isinstance(value, str):
        return [value]
    return sorted(str(v) for v in value or [])


def _numel(shape: Any) -> int:
    n = 1
    for dim in shape:
        n *= int(dim)
    return n
