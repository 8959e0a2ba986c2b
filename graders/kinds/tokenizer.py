"""Kind ``tokenizer``: the learner trains a byte-level BPE with 🤗 ``tokenizers``; a process that imports
none of the learner's code measures the saved ``tokenizer.json``.

The learner writes ``train(files, vocab_size, output_dir)``: train on the chat files and save
``output_dir/tokenizer.json``. Two sandboxed runs (graders.kinds.tokenizer_measure):

1. **train** — a trusted measurer writes the run's Russian chats (Cyrillic with Latin code-switching,
   emoji, URLs, numbers, repeated whitespace, mixed case; graders.kinds._chats) and calls ``train``
   in a learner worker, timing it from outside → ``train_seconds``.
2. **evaluate** — a fresh trusted process on a folder holding *only* the copied ``tokenizer.json``
   measures on hidden chats drawn from the seed (with characters training never shows):

   * ``roundtrip`` — share of hidden chats for which ``decode(encode(x)) == x``, byte for byte;
   * ``unknown_tokens`` — unknown tokens in their encodings;
   * ``chars_per_token`` — characters per token on them, and ``compression`` — that over the
     byte-level baseline the grader computes on the same text (one token per UTF-8 byte);
   * ``vocab_size_error`` — |vocabulary size (special tokens included) − requested| / requested;
   * ``special_tokens`` — the declared special tokens are special tokens of the vocabulary, and each
     encodes as exactly its own id;
   * ``loads_in_transformers`` — ``transformers.PreTrainedTokenizerFast(tokenizer_file=…)`` loads it
     and gives the same ids and the same decoded text as ``tokenizers`` on a sample of hidden chats.

Nothing here needs a GPU: the gpu profile measures the same way (it inherits the cpu thresholds).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.faults import record_run_fault
from graders.sandbox import ProcessSpec

__all__ = ["TokenizerGrader", "TokenizerParams"]

_MEASURE = "graders.kinds.tokenizer_measure"
MAX_FILE_BYTES = 64 * 1024 * 1024
_EVALUATED = ("roundtrip", "unknown_tokens", "chars_per_token", "compression", "vocab_size_error", "special_tokens",
              "loads_in_transformers")


class TokenizerParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field(default="train_tokenizer", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    function: str = Field(default="train", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    vocab_size: int = Field(default=8000, ge=300, le=1_000_000)
    special_tokens: list[str] = Field(default_factory=lambda: ["<pad>", "<s>", "</s>", "<user>", "<bot>"])
    train_files: int = Field(default=4, ge=1, le=100)
    messages_per_file: int = Field(default=10_000, ge=10, le=1_000_000)
    hidden_messages: int = Field(default=2000, ge=10, le=100_000)


class TokenizerGrader(Grader):
    kind: ClassVar[str] = "tokenizer"
    Params: ClassVar[type[BaseModel]] = TokenizerParams
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("roundtrip", "ratio", "hidden chats that decode(encode(x)) returns byte for byte",
               higher_is_better=True),
        Metric("unknown_tokens", "number", "unknown tokens in the encodings of the hidden chats",
               higher_is_better=False),
        Metric("chars_per_token", "number", "characters per token on the hidden chats", higher_is_better=True),
        Metric("compression", "number", "chars per token over the byte-level baseline's (one token per UTF-8 byte)",
               higher_is_better=True),
        Metric("vocab_size_error", "ratio", "|vocabulary size − requested| / requested", higher_is_better=False),
        Metric("special_tokens", "bool", "the declared special tokens are special, each encoded as its own id"),
        Metric("loads_in_transformers", "bool", "PreTrainedTokenizerFast loads it, with the same ids and text"),
        Metric("train_seconds", "seconds", "wall time of train()"),
    )

    def measure(self, ctx: GradeContext) -> Measurements:
        from graders.kinds.tokenizer_measure import EvaluateJob, EvaluateReport, TrainJob, TrainReport
        from graders.measurer import expect

        params = ctx.params
        assert isinstance(params, TokenizerParams)
        m = Measurements()
        if ctx.missing_learner_file(f"{params.module}.py", m):
            return m
        job = TrainJob(module=params.module, function=params.function, seed=ctx.seed, vocab_size=params.vocab_size,
                       train_files=params.train_files, messages_per_file=params.messages_per_file)
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = ctx.sandbox.measure(f"{_MEASURE}:train", job, workdir=work)
            m.log = run.log()
            if record_run_fault(m, run):
                return m
            trained = expect(run.result, TrainReport, what="the tokenizer measurer's training report")
            m.set("train_seconds", trained["train_seconds"],
                  f"on {trained['corpus_bytes'] / 1e6:.1f} MB of chats, vocab_size={params.vocab_size}")
            saved = work / "tokenizer" / "tokenizer.json"
            problem = _file_problem(saved, trained["saved"])
            if problem:
                m.fault(problem, checks=_EVALUATED, status="fail")
                return m
            with ctx.sandbox.workdir(None) as clean:
                shutil.copyfile(saved, clean / "tokenizer.json")
                evaluate = EvaluateJob(seed=ctx.seed, path=str(clean / "tokenizer.json"), vocab_size=params.vocab_size,
                                       special_tokens=list(params.special_tokens),
                                       hidden_messages=params.hidden_messages)
                spec = ProcessSpec(name="evaluate", main=True, learner=False,
                                   harness=(f"{_MEASURE}:evaluate", evaluate))
                measured = ctx.sandbox.run([spec], workdir=clean)
        if measured.fault:
            m.log += "\n--- measuring tokenizer.json ---\n" + measured.log()
            record_run_fault(m, measured, checks=_EVALUATED)
            return m
        r = expect(measured.result, EvaluateReport, what="the tokenizer evaluation's report")
        m.set("roundtrip", r["roundtrip_ok"] / r["messages"],
              f"{r['roundtrip_ok']} of {r['messages']} hidden chats" + (f"; e.g. {r['first_difference']}"
                                                                           if r["first_difference"] else ""))
        m.set("unknown_tokens", float(r["unknown"]),
              f"{r['unknown']} × {r['unk_token']!r} in {r['tokens']:,} tokens" if r["unk_token"] else
              f"the {r['model']} model has no unknown token")
        baseline = r["characters"] / r["utf8_bytes"]
        per_token = r["characters"] / r["tokens"] if r["tokens"] else 0.0
        m.set("chars_per_token", per_token,
              f"{r['characters']:,} characters in {r['tokens']:,} tokens ({r['model']}); the byte-level baseline: "
              f"{baseline:.2f}")
        m.set("compression", per_token / baseline, f"{per_token:.2f} chars/token against {baseline:.2f} for one "
              f"token per UTF-8 byte")
        m.set("vocab_size_error", abs(r["vocab_size"] - params.vocab_size) / params.vocab_size,
              f"{r['vocab_size']:,} tokens (special ones included) for vocab_size={params.vocab_size:,}")
        missing = r["missing_special"]
        m.set("special_tokens", not missing, "" if not missing else
              f"not special tokens of the vocabulary, or split when encoded: {', '.join(missing)}")
        m.set("loads_in_transformers", r["transformers_ok"], r["transformers_note"])
        return m


def _file_problem(path: Path, saved: list[str]) -> str | None:
    """Why the saved tokenizer cannot be measured, in words a learner can act on; None when it can."""
    if not path.is_file():
        held = ", ".join(saved) or "nothing"
        return (f"no tokenizer.json in output_dir (it holds {held}): save it with "
                "tokenizer.save(os.path.join(output_dir, 'tokenizer.json'))")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return f"tokenizer.json is {size / 1e6:.0f} MB: more than the grader reads ({MAX_FILE_BYTES / 1e6:.0f} MB)"
    return None
