"""3.1 — fine-tune a tiny Llama on an FAQ corpus with LoRA.

Fill in ``finetune``; README.md has the exact contract. Grade it with:

    sprint grade lora-finetune
"""

from __future__ import annotations


def finetune(base_model: str, train_texts: list[str], output_dir: str) -> None:
    """Train a LoRA adapter on ``train_texts`` and save it to ``output_dir``.

    base_model: a local folder with the base causal LM (config.json, model.safetensors) and its
        tokenizer — load both with transformers' ``from_pretrained(base_model)``. Under the gpu
        profile: your own 8B model's folder (load it in 4-bit; don't write to it — README.md).
    train_texts: 5 000 FAQ documents ("Q: … A: …") of a domain the base model has never seen.
    output_dir: where ``peft_model.save_pretrained(output_dir)`` writes the adapter.
    """
    raise NotImplementedError("wrap the model with peft.get_peft_model(LoraConfig(...)), train, save_pretrained")
