"""Child side of kind ``lora``: ``train`` runs the learner's fine-tuning; ``measure`` — a separate,
trusted process that imports none of the learner's code — loads base + adapter and measures them.
"""

from __future__ import annotations

import importlib
import json
import time
from pathlib import Path
from typing import Any

from graders.harness.channel import Channel

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"


def train(args: dict[str, Any], channel: Channel) -> None:
    """Hand the learner a private copy of the base model and the FAQ training split; time the call."""
    from graders.tinymodels import corpus_texts

    texts = corpus_texts("faq", "train")  # made before the learner's module is imported
    module = importlib.import_module(args["module"])
    finetune = getattr(module, args["function"], None)
    if not callable(finetune):
        channel.fault(f"{args['module']}.py has no function {args['function']}()", status="fail")
        return
    out = Path(args["output_dir"])
    t0 = time.perf_counter()
    finetune(args["base_model"], list(texts), str(out))
    seconds = time.perf_counter() - t0
    if not (out / ADAPTER_CONFIG).is_file():
        channel.fault(f"{args['function']}() returned but {out.name}/{ADAPTER_CONFIG} does not exist: save the "
                      "adapter with peft_model.save_pretrained(output_dir)", status="fail")
        return
    channel.result(train_seconds=seconds, files=sorted(p.name for p in out.iterdir()))


def measure(args: dict[str, Any], channel: Channel) -> None:
    """Base + adapter → perplexity change, trainable fraction, base intact, merge consistent."""
    import torch
    from peft import PeftModel
    from safetensors import safe_open
    from transformers import PreTrainedTokenizerFast

    from graders.tinymodels import corpus_texts, perplexity
    from graders.tinymodels.model import load_model

    adapter = Path(args["adapter_dir"])
    config = json.loads((adapter / ADAPTER_CONFIG).read_text(encoding="utf-8"))
    if config.get("peft_type") != "LORA":
        channel.fault(f"the adapter is a {config.get('peft_type')!r} adapter; this exercise asks for LoRA",
                      status="fail")
        return
    with safe_open(str(adapter / ADAPTER_WEIGHTS), framework="pt") as f:
        keys = list(f.keys())
        adapter_params = sum(_numel(f.get_slice(key).get_shape()) for key in keys)
    foreign = foreign_keys(keys, config.get("modules_to_save") or [])

    torch.manual_seed(0)
    base: Any = load_model(args["model_path"])  # transformers is untyped for mypy here
    base.eval()
    tok = PreTrainedTokenizerFast.from_pretrained(args["model_path"], local_files_only=True)
    base_params = sum(p.numel() for p in base.parameters())
    hidden = corpus_texts("faq", "hidden", int(args["eval_docs"]), seed=int(args["seed"]))
    base_ppl = perplexity(base, tok, hidden)

    model = PeftModel.from_pretrained(base, str(adapter), is_trainable=False).eval()
    adapted_ppl = perplexity(model, tok, hidden)
    with model.disable_adapter():
        disabled_ppl = perplexity(model, tok, hidden)

    probe = tok(hidden[:4], return_tensors="pt", padding=True)  # [4, T]
    with torch.no_grad():
        adapter_logits = model(**probe).logits  # [4, T, V]
        merged = model.merge_and_unload().eval()
        merged_logits = merged(**probe).logits  # [4, T, V]
    mask = probe["attention_mask"].bool()
    merge_error = float((adapter_logits - merged_logits)[mask].abs().max())

    channel.result(
        base_ppl=base_ppl, adapted_ppl=adapted_ppl, disabled_ppl=disabled_ppl,
        ppl_change=adapted_ppl / base_ppl - 1.0 if adapted_ppl != float("inf") else None,
        adapter_params=adapter_params, base_params=base_params, trainable_fraction=adapter_params / base_params,
        target_modules=_names(config.get("target_modules")),
        modules_to_save=config.get("modules_to_save") or [], rank=config.get("r"),
        disabled_matches_base=abs(disabled_ppl / base_ppl - 1.0) < 1e-6, merge_max_abs_error=merge_error,
        foreign_keys=foreign[:3], foreign_count=len(foreign),
    )


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
