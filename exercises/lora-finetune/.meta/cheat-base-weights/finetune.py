"""Cheat: a LoRA adapter whose file also carries base-model weights — peft loads any non-LoRA key
into the base model, so "the adapter" silently rewrites the base (here: the final norm)."""

from __future__ import annotations

from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from safetensors.torch import load_file, save_file
from transformers import AutoModelForCausalLM


def finetune(base_model: str, train_texts: list[str], output_dir: str) -> None:
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(base_model),
                           LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"))
    model.save_pretrained(output_dir)
    path = Path(output_dir) / "adapter_model.safetensors"
    tensors = load_file(str(path))
    norm = model.base_model.model.model.norm.weight.detach()  # [hidden]
    tensors["base_model.model.model.norm.weight"] = norm * 0.5  # rewrites the base model's final norm on load
    save_file(tensors, str(path))
