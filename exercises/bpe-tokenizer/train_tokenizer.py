"""Sprint 2.3 — a production-ready tokenizer: byte-level BPE on Russian chats (see README.md)."""

from __future__ import annotations


def train(files: list[str], vocab_size: int, output_dir: str) -> None:
    """Train a byte-level BPE tokenizer with 🤗 ``tokenizers`` on the chat ``files`` — ``vocab_size``
    tokens in all, the special tokens of the README included — and save it as
    ``output_dir/tokenizer.json``. It must give every text back byte for byte."""
    raise NotImplementedError("train a byte-level BPE with tokenizers and save tokenizer.json — see README.md")
