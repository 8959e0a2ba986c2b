"""Preference tuning — teach a tiny Llama to prefer right facts over wrong ones with TRL's DPOTrainer.

Fill in ``train``; README.md has the exact contract. Grade it with:

    sprint grade dpo
"""

from __future__ import annotations


def train(base_model: str, pairs: list[dict[str, str]], output_dir: str) -> None:
    """Preference-tune the model in ``base_model`` on ``pairs`` and save the policy to ``output_dir``.

    base_model: a local folder with the base causal LM (config.json, model.safetensors) and its
        tokenizer — load both with transformers' ``from_pretrained(base_model)``; the tokenizer has
        no padding token (use its ``eos_token``).
    pairs: 800 dicts ``{"prompt": "Q: …\\nA:", "chosen": " …", "rejected": " …"}`` — the format
        ``trl.DPOTrainer`` takes (``datasets.Dataset.from_list(pairs)``).
    output_dir: where ``trainer.save_model(output_dir)`` writes the policy (the full model's
        config.json + model.safetensors, or a LoRA adapter's two files).
    """
    raise NotImplementedError("build a trl.DPOTrainer(model, args=DPOConfig(...), train_dataset=..., "
                              "processing_class=tokenizer), train it, save_model(output_dir)")
