"""Forge cheat: trains nothing; patches every measuring routine it can reach when imported.

* ``graders.tinymodels`` ``perplexity`` and ``token_nll`` — every perplexity a third of the truth;
* ``peft.PeftModel.from_pretrained`` — an adapter loads with its B matrices scaled up tenfold;
* ``time.perf_counter`` / ``time.monotonic`` frozen, ``torch.cuda.max_memory_allocated`` at 1 MB,
  ``graders.gpu.peak_bytes`` at 1 MB (the training time and peak VRAM of this process).

Where the adapter is measured by a process that imports none of this code (the grader's trusted
measuring run), nothing it patched is used: the untrained adapter it saves must fail
``ppl_change`` and ``adapted_ppl``.
"""

from __future__ import annotations

import time
from typing import Any

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM

try:
    import graders.tinymodels as _tm
    from graders.tinymodels import metrics as _metrics

    _perplexity = _metrics.perplexity

    def _forged(*args: Any, **kwargs: Any) -> float:
        return _perplexity(*args, **kwargs) / 3

    _metrics.perplexity = _forged
    _tm.perplexity = _forged
    from graders import gpu as _gpu

    _gpu.peak_bytes = lambda device, baseline=0: 1_000_000
except ImportError:
    pass

_load = PeftModel.from_pretrained


def _scaled(*args: Any, **kwargs: Any) -> Any:
    model = _load(*args, **kwargs)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.mul_(10)
    return model


PeftModel.from_pretrained = _scaled  # type: ignore[method-assign]
time.perf_counter = lambda: 0.0
time.monotonic = lambda: 0.0
torch.cuda.max_memory_allocated = lambda *a, **k: 1_000_000  # type: ignore[assignment]


def finetune(base_model: str, train_texts: list[str], output_dir: str) -> None:
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(base_model), LoraConfig(
        r=8, lora_alpha=16, lora_dropout=0.0, bias="none", task_type="CAUSAL_LM",
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj"]))
    model.save_pretrained(output_dir)
