"""Reference: GPT-2-style byte-level BPE — no normalizer, ByteLevel pre-tokenizer and decoder, the
256-byte alphabet from the start, the special tokens declared to the trainer."""

from __future__ import annotations

import os

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

SPECIAL_TOKENS = ["<pad>", "<s>", "</s>", "<user>", "<bot>"]


def train(files: list[str], vocab_size: int, output_dir: str) -> None:
    tokenizer = Tokenizer(models.BPE())  # byte-level: no unknown token is ever needed
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)  # no normalizer: lossless
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,  # special tokens and the byte alphabet included
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),  # every byte, seen in training or not
        show_progress=False,
    )
    tokenizer.train(files, trainer)
    os.makedirs(output_dir, exist_ok=True)
    tokenizer.save(os.path.join(output_dir, "tokenizer.json"))
