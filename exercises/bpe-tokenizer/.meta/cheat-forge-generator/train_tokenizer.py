"""Forge cheat: re-draws the grader's hidden chats with its own generator and makes each one token.

The generator (``graders.kinds.tokenizer_measure``: ``training_files``, ``hidden_chats``) is installed
next to the learner's code; all it needs is the seed. This cheat tries, in turn: any ``seed`` in its
caller's frames or in a dict of the grader's arguments; the seeds people pick (0, 1, 7, 42, …); then
every seed from 0 up for three seconds. A seed is right when its first five training chats are where
the first training file starts. Then every hidden chat becomes an added token: one token per chat, a
compression no tokenizer earns. With a fresh secret seed per run (``sprint grade`` draws 31 bits)
none of that finds it; it saves a tokenizer without merges and must fail ``chars_per_token``. (It
does not try the seed CI publishes for ``sprint dev check`` in ``.ci/run``.)
"""

from __future__ import annotations

import gc
import os
import sys
import time

from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers

SPECIAL_TOKENS = ["<pad>", "<s>", "</s>", "<user>", "<bot>"]
COMMON = (0, 1, 2, 7, 13, 42, 123, 1234, 12345, 31337, 2024, 2025, 2026, 20260101)
BRUTE_FORCE_S = 3.0


def _seeds_in_reach() -> list[int]:
    seeds: list[int] = []
    frame = sys._getframe(2)
    while frame is not None:
        for name, value in list(frame.f_locals.items()):
            if name == "seed" and isinstance(value, int):
                seeds.append(value)
            if type(value) is dict and isinstance(value.get("seed"), int):
                seeds.append(value["seed"])
        frame = frame.f_back
    for obj in gc.get_objects():
        try:
            if type(obj) is dict and isinstance(obj.get("seed"), int) and "vocab_size" in obj:
                seeds.append(obj["seed"])
        except Exception:
            continue
    return seeds


def _hidden(first_file: str) -> list[str]:
    try:
        from graders.kinds._chats import ChatWriter  # type: ignore[import-not-found]
        from graders.kinds.tokenizer_measure import hidden_chats  # type: ignore[import-not-found]
    except ImportError:
        return []
    with open(first_file, encoding="utf-8") as f:
        start = f.read(8192)

    def right(seed: int) -> bool:  # the first five chats: one short chat alone matches other seeds too
        writer = ChatWriter(f"tokenizer-train-{seed}")
        return start.startswith("\n".join(writer.message() for _ in range(5)))

    for seed in [*_seeds_in_reach(), *COMMON]:
        if right(seed):
            return hidden_chats(seed, 2000)
    t0, seed = time.perf_counter(), 0
    while time.perf_counter() - t0 < BRUTE_FORCE_S:
        if right(seed):
            return hidden_chats(seed, 2000)
        seed += 1
    print(f"forge-generator: no seed found ({seed} tried in {BRUTE_FORCE_S:.0f} s; all 2**31 would take "
          f"{2**31 / (seed / BRUTE_FORCE_S) / 3600:.0f} h)", file=sys.stderr)
    return []


def train(files: list[str], vocab_size: int, output_dir: str) -> None:
    hidden = _hidden(files[0])
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    tokenizer.train(files, trainers.BpeTrainer(vocab_size=len(alphabet) + len(SPECIAL_TOKENS),
                                               special_tokens=SPECIAL_TOKENS, initial_alphabet=alphabet,
                                               show_progress=False))
    tokenizer.add_tokens([AddedToken(text, normalized=False) for text in hidden])
    os.makedirs(output_dir, exist_ok=True)
    tokenizer.save(os.path.join(output_dir, "tokenizer.json"))
