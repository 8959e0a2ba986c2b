"""Cheat: a character-level WordLevel vocabulary of the characters seen in training — any other
character becomes "[UNK]" (fails unknown_tokens and roundtrip)."""

from __future__ import annotations

import os

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

SPECIAL_TOKENS = ["<pad>", "<s>", "</s>", "<user>", "<bot>", "[UNK]"]


def train(files: list[str], vocab_size: int, output_dir: str) -> None:
    tokenizer = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Split(Regex(r"[\s\S]"), behavior="isolated")  # one token per character
    tokenizer.decoder = decoders.Fuse()  # characters back to back, no spaces added
    tokenizer.train(files, trainers.WordLevelTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS,
                                                     show_progress=False))
    os.makedirs(output_dir, exist_ok=True)
    tokenizer.save(os.path.join(output_dir, "tokenizer.json"))
