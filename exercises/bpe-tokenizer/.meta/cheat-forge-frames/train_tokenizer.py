"""Forge cheat: hunts its own process for the grader's hidden chats or its result channel.

It walks ``sys._getframe()`` up from ``train`` and every object ``gc.get_objects()`` returns, looking
for a list of chat strings other than the training files' text (the hidden chats) or the grader's
result channel (a ``Channel`` with ``send`` and ``_key``). Hidden chats would become added tokens —
one token each, a compression no tokenizer earns; the channel would carry a perfect result. In the
grader's worker there is neither (the hidden chats exist only in a separate process that imports
none of this code), so it saves a tokenizer without merges and must fail ``chars_per_token``.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers

SPECIAL_TOKENS = ["<pad>", "<s>", "</s>", "<user>", "<bot>"]


def _is_channel(obj: Any) -> bool:
    try:
        return type(obj).__name__ == "Channel" and hasattr(type(obj), "send") and hasattr(obj, "_key")
    except Exception:
        return False


def _hunt(files: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    frame = sys._getframe(1)
    while frame is not None:
        for name, value in list(frame.f_locals.items()):
            if _is_channel(value):
                found.setdefault("channel", value)
            if name in ("hidden", "texts") and isinstance(value, list) and value and isinstance(value[0], str) \
                    and value is not files:
                found.setdefault("hidden", value)
        frame = frame.f_back
    for obj in gc.get_objects():
        if "channel" not in found and _is_channel(obj):
            found["channel"] = obj
    return found


def train(files: list[str], vocab_size: int, output_dir: str) -> None:
    found = _hunt(files)
    print(f"forge-frames found: {sorted(found) or 'nothing'}", file=sys.stderr)
    if "channel" in found:
        found["channel"].result(roundtrip_ok=1, messages=1, chars_per_token=100.0)
        found["channel"].send("done")
        os._exit(0)
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    tokenizer.train(files, trainers.BpeTrainer(vocab_size=len(alphabet) + len(SPECIAL_TOKENS),
                                               special_tokens=SPECIAL_TOKENS, initial_alphabet=alphabet,
                                               show_progress=False))
    tokenizer.add_tokens([AddedToken(text, normalized=False) for text in found.get("hidden", [])])
    os.makedirs(output_dir, exist_ok=True)
    tokenizer.save(os.path.join(output_dir, "tokenizer.json"))
