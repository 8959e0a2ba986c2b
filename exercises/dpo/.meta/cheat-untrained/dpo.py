"""Cheat: saves the base model as it came — no training at all."""

from __future__ import annotations

from transformers import AutoModelForCausalLM


def train(base_model: str, pairs: list[dict[str, str]], output_dir: str) -> None:
    AutoModelForCausalLM.from_pretrained(base_model).save_pretrained(output_dir)
