"""Cheat: saves the adapter straight after creating it (LoRA's B starts at zero: no change at all)."""

from __future__ import annotations

from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM


def finetune(base_model: str, train_texts: list[str], output_dir: str) -> None:
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(base_model),
                           LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"))
    model.save_pretrained(output_dir)
