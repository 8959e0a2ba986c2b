"""Child side of kind ``lora``: ``train`` runs the learner's fine-tuning; ``measure`` — a separate,
trusted process that imports none of the learner's code — loads base + adapter and measures them.

Both serve both profiles: the cpu profile passes the tiny Llama and ``device`` ``"cpu"``; the gpu
profile the learner's 8B folder, ``device`` ``"cuda"`` and (for ``measure``) ``load_4bit``. The
only CUDA-specific calls are in :mod:`graders.gpu` and :func:`_load_4bit`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from graders.gpu import load_or_fault, peak_bytes, reset_peak
from graders.harness.channel import Channel
from graders.harness.learner import learner_function

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"


def train(args: dict[str, Any], channel: Channel) -> None:
    """Hand the learner the base model folder and the FAQ training split; time the call.

    With ``device`` ``"cuda"`` (the gpu profile) the peak VRAM of the run is measured too, from
    before the learner's module is imported (``peak_vram``; None on any other device).
    """
    from graders.tinymodels import corpus_texts

    texts = corpus_texts("faq", "train")  # made before the learner's module is imported
    device = str(args.get("device", "cpu"))
    baseline = reset_peak(device)
    finetune = learner_function(f"{args['module']}:{args['function']}")
    out = Path(args["output_dir"])
    t0 = time.perf_counter()
    finetune(args["base_model"], list(texts), str(out))
    seconds = time.perf_counter() - t0
    if not (out / ADAPTER_CONFIG).is_file():
        channel.fault(f"{args['function']}() returned but {out.name}/{ADAPTER_CONFIG} does not exist: save the "
                      "adapter with peft_model.save_pretrained(output_dir)", status="fail")
        return
    channel.result(train_seconds=seconds, files=sorted(p.name for p in out.iterdir()),
                   peak_vram=peak_bytes(device, baseline))


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

    adapter = Path(args["adapter_dir"])
    read = read_adapter(adapter, channel)
    if read is None:
        return
    config, adapter_params, foreign = read
    device, load_4bit = str(args.get("device", "cpu")), bool(args.get("load_4bit", False))
    batch = int(args.get("batch_size", 16))

    torch.manual_seed(0)
    if load_4bit:  # the learner's own folder: a broken one is told in words
        loaded = load_or_fault(channel, args["model_path"], lambda: load_base(args["model_path"], device, True))
        if loaded is None:
            return
        base, tok = loaded
    else:
        base, tok = load_base(args["model_path"], device, False)
    base_params = sum(p.numel() for p in base.parameters())
    hidden = corpus_texts("faq", "hidden", int(args["eval_docs"]), seed=int(args["seed"]))
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
    result: dict[str, Any] = dict(
        base_ppl=base_ppl, adapted_ppl=adapted_ppl,
        ppl_change=adapted_ppl / base_ppl - 1.0 if adapted_ppl != float("inf") else None,
        adapter_params=adapter_params, target_modules=_names(config.get("target_modules")),
        modules_to_save=config.get("modules_to_save") or [], rank=config.get("r"),
        foreign_keys=foreign[:3], foreign_count=len(foreign), load_4bit=load_4bit,
    )
    if not load_4bit:
        result.update(base_params=base_params, trainable_fraction=adapter_params / base_params,
                      **integrity(model, tok, hidden, base_ppl, device, batch))
    channel.result(**result)


def read_adapter(adapter: Path, channel: Channel) -> tuple[dict[str, Any], int, list[str]] | None:
    """The adapter's config, the elements its file stores, and its foreign keys (:func:`foreign_keys`);
    None after a fault when it is not a LoRA adapter. Reads the file's header only."""
    from safetensors import safe_open

    config: dict[str, Any] = json.loads((adapter / ADAPTER_CONFIG).read_text(encoding="utf-8"))
    if config.get("peft_type") != "LORA":
        channel.fault(f"the adapter is a {config.get('peft_type')!r} adapter; this exercise asks for LoRA",
                      status="fail")
        return None
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


def integrity(model: Any, tok: Any, hidden: list[str], base_ppl: float, device: str, batch: int) -> dict[str, Any]:
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
    return dict(disabled_ppl=disabled_ppl, disabled_matches_base=abs(disabled_ppl / base_ppl - 1.0) < 1e-6,
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
