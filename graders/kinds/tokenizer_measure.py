"""The two trusted processes of kind ``tokenizer``.

* :func:`train` — the **measurer of the training run** (beside the learner worker, see
  graders.measurer): writes the run's training chats (graders.kinds._chats) into the run folder,
  calls the learner's ``train(files, vocab_size, output_dir)`` in the worker and times it from here.
* :func:`evaluate` — a **separate sandboxed process that imports none of the learner's code**: it
  sees only the saved ``tokenizer.json`` (copied alone into a clean folder by the parent), loads it
  with 🤗 ``tokenizers`` and ``transformers.PreTrainedTokenizerFast``, draws hidden chats from the
  seed — a stream of the generator the training chats never come from, with characters training
  never shows — and measures everything.

Neither the worker nor the learner's files ever hold the seed or a hidden chat.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypedDict

from graders.faults import LearnerFault
from graders.harness.channel import Channel
from graders.kinds._chats import ChatWriter
from graders.measurer import Worker, expect

__all__ = ["EvaluateJob", "EvaluateReport", "TrainJob", "TrainReport", "evaluate", "hidden_chats", "train",
           "training_files"]

TOKENIZER_FILE = "tokenizer.json"
TRANSFORMERS_SAMPLE = 200  # hidden chats encoded and decoded again through transformers


class TrainJob(TypedDict):
    module: str
    function: str
    seed: int
    vocab_size: int
    train_files: int
    messages_per_file: int


class TrainReport(TypedDict):
    train_seconds: float
    corpus_bytes: int
    saved: list[str]  # what output_dir holds (names)


class EvaluateJob(TypedDict):
    seed: int
    path: str  # the copied tokenizer.json
    vocab_size: int
    special_tokens: list[str]
    hidden_messages: int


class EvaluateReport(TypedDict):
    messages: int
    roundtrip_ok: int
    first_difference: str  # a hidden chat that did not come back, and what came back ("" when none)
    characters: int
    utf8_bytes: int
    tokens: int
    unknown: int
    unk_token: str  # the model's unknown token ("" when it has none)
    vocab_size: int
    missing_special: list[str]  # declared special tokens absent, not special, or split when encoded
    transformers_ok: bool
    transformers_note: str
    model: str  # the tokenizer.json model type (BPE, WordLevel, …)


def training_files(folder: Path, seed: int, files: int, messages_per_file: int) -> tuple[list[str], int]:
    """Write the run's training chats (one message after another, a line break between them) and
    return their paths and total size."""
    writer = ChatWriter(f"tokenizer-train-{seed}")
    folder.mkdir(parents=True, exist_ok=True)
    paths, size = [], 0
    for i in range(files):
        data = "\n".join(writer.message() for _ in range(messages_per_file)).encode("utf-8")
        path = folder / f"chats-{i:02d}.txt"
        path.write_bytes(data)
        paths.append(str(path))
        size += len(data)
    return paths, size


def hidden_chats(seed: int, n: int) -> list[str]:
    """The run's hidden chats: another stream of the generator, with characters training never shows."""
    writer = ChatWriter(f"tokenizer-hidden-{seed}", rare=True)
    return [writer.message() for _ in range(n)]


def train(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    job = expect(args, TrainJob, what="the tokenizer kind's training job")
    fn = f"{job['module']}:{job['function']}"
    worker.load(fn)
    here = Path.cwd()
    paths, size = training_files(here / "corpus", job["seed"], job["train_files"], job["messages_per_file"])
    output = here / "tokenizer"
    output.mkdir()
    worker.call(fn, paths, job["vocab_size"], str(output))
    seconds = worker.last_seconds
    saved = sorted(p.name for p in output.iterdir()) if output.is_dir() else []
    channel.result(**TrainReport(train_seconds=seconds, corpus_bytes=size, saved=saved))


def _special_problems(tok: Any, data: dict[str, Any], declared: list[str]) -> list[str]:
    """Declared special tokens that are not in the vocabulary as special tokens, or that encoding
    splits (each must come out as exactly its own id, between ordinary text)."""
    special = {t.get("content") for t in data.get("added_tokens") or [] if isinstance(t, dict) and t.get("special")}
    problems = []
    for token in declared:
        tid = tok.token_to_id(token)
        if tid is None or token not in special:
            problems.append(token)
            continue
        ids = tok.encode(f"ну{token}да", add_special_tokens=False).ids
        if ids.count(tid) != 1:
            problems.append(token)
    return problems


def _transformers_check(path: Path, tok: Any, sample: list[str]) -> tuple[bool, str]:
    """Does ``transformers.PreTrainedTokenizerFast`` load the file and tokenize and decode like it?"""
    try:
        from transformers import PreTrainedTokenizerFast

        fast = PreTrainedTokenizerFast(tokenizer_file=str(path))  # type: ignore[no-untyped-call]
    except Exception as exc:  # the learner's file: any failure to load is the answer
        return False, f"PreTrainedTokenizerFast(tokenizer_file=...) failed: {type(exc).__name__}: {str(exc)[:200]}"
    for text in sample:
        ids = tok.encode(text, add_special_tokens=False).ids
        theirs = fast.encode(text, add_special_tokens=False)
        if list(theirs) != list(ids):
            return False, f"transformers tokenizes {text[:40]!r} differently from tokenizer.json"
        if fast.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False) != \
                tok.decode(ids, skip_special_tokens=False):
            return False, f"transformers decodes {text[:40]!r} differently from tokenizer.json"
    return True, f"loads as {type(fast).__name__}; same ids and text on {len(sample)} hidden chats"


def evaluate(args: dict[str, Any], channel: Channel) -> None:
    job = expect(args, EvaluateJob, what="the tokenizer kind's evaluation job")
    path = Path(job["path"])
    from tokenizers import Tokenizer

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        tok = Tokenizer.from_file(str(path))
    except Exception as exc:  # a file the learner wrote: unreadable is an answer, not our crash
        raise LearnerFault(f"tokenizer.json cannot be loaded by tokenizers.Tokenizer.from_file: "
                           f"{type(exc).__name__}: {str(exc)[:300]}", status="fail") from None
    model = data.get("model") if isinstance(data, dict) else None
    model = model if isinstance(model, dict) else {}
    unk = model.get("unk_token")
    unk_token = unk if isinstance(unk, str) else ""
    unk_id = tok.token_to_id(unk_token) if unk_token else None
    hidden = hidden_chats(job["seed"], job["hidden_messages"])
    encodings = tok.encode_batch(hidden, add_special_tokens=False)
    ok, first, tokens, unknown = 0, "", 0, 0
    for text, enc in zip(hidden, encodings, strict=True):
        ids = enc.ids
        tokens += len(ids)
        if unk_id is not None:
            unknown += ids.count(unk_id)
        back = tok.decode(ids, skip_special_tokens=False)
        if back == text:
            ok += 1
        elif not first:
            first = f"{text[:80]!r} came back as {back[:80]!r}"
    t_ok, t_note = _transformers_check(path, tok, hidden[:TRANSFORMERS_SAMPLE])
    channel.result(**EvaluateReport(
        messages=len(hidden), roundtrip_ok=ok, first_difference=first, characters=sum(len(t) for t in hidden),
        utf8_bytes=sum(len(t.encode("utf-8")) for t in hidden), tokens=tokens, unknown=unknown, unk_token=unk_token,
        vocab_size=tok.get_vocab_size(with_added_tokens=True),
        missing_special=_special_problems(tok, data, job["special_tokens"]), transformers_ok=t_ok,
        transformers_note=t_note, model=str(model.get("type", "?"))))
