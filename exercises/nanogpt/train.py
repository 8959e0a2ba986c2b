"""Train the GPT of model.py on ``text`` and save it (see README.md)."""

from __future__ import annotations


def train(text: str, out_dir: str) -> None:
    """Train on the bytes of ``text`` (``text.encode()``) and save to ``out_dir``: ``config.json`` (the
    keyword arguments of ``GPT``, with ``block_size``) and ``model.safetensors``
    (``safetensors.torch.save_model(model, f"{out_dir}/model.safetensors")``)."""
    raise NotImplementedError("tokenize as bytes, sample batches, AdamW, save the checkpoint")
