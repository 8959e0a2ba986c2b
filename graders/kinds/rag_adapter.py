"""Adapter of kind ``rag`` — trusted grader code that runs *in the learner worker*.

The learner's ``Pipeline`` object cannot leave its process, so this adapter builds it here, keeps
it, and answers the measurer's requests: an answer, a retrieval, and a run of the learner's
guardrail on the pipeline as it is or **broken on purpose** in one of three ways —

* ``random_retrieval`` — ``retrieve`` returns random documents;
* ``blind_generator`` — ``generate``'s answer is replaced by a sentence of a document it was *not*
  given (the generator ignores its context), its citations kept;
* ``no_citations`` — ``generate``'s citations are dropped.

The breakage is installed as instance attributes over ``retrieve`` and ``generate`` — and so is a
pass-through wrapper when nothing is broken, so the guardrail sees an object of the same shape
every time and can only tell by what the pipeline does. The adapter counts the broken component's
calls: a guardrail that never ran it (or a pipeline whose ``answer`` bypasses ``self.retrieve`` /
``self.generate``) is told so. It holds nothing secret: the measurer never sends it the hidden
questions' answers, and checks every reply.
"""

from __future__ import annotations

import random
import re
from typing import Any, Literal, TypedDict

from graders.faults import LearnerFault
from graders.harness.learner import learner_function

__all__ = ["AnswerReply", "BuildReply", "GuardrailReply", "Mode", "answer", "build", "guardrail", "retrieve"]

Mode = Literal["intact", "random_retrieval", "blind_generator", "no_citations"]
_state: dict[str, Any] = {}


class BuildReply(TypedDict):
    type: str


class AnswerReply(TypedDict):
    answer: str
    citations: list[str]


class GuardrailReply(TypedDict):
    passed: bool
    broken_calls: int  # calls of the broken component during the guardrail's run


def build(pipeline: str, documents: list[dict[str, str]]) -> BuildReply:
    """``Pipeline(documents)`` (``pipeline`` is "module:Class"); kept for the requests below."""
    cls = learner_function(pipeline)
    _state["pipeline"] = cls(documents)
    _state["documents"] = documents
    return BuildReply(type=type(_state["pipeline"]).__name__)


def _answer_of(value: Any, what: str) -> AnswerReply:
    if not isinstance(value, dict) or not isinstance(value.get("answer"), str) \
            or not isinstance(value.get("citations"), list) or not all(isinstance(c, str) for c in value["citations"]):
        raise LearnerFault(f"{what} must return {{\"answer\": str, \"citations\": [document ids]}}, got "
                           f"{str(value)[:120]!r}", status="fail")
    return AnswerReply(answer=value["answer"], citations=list(value["citations"]))


def answer(question: str) -> AnswerReply:
    return _answer_of(_state["pipeline"].answer(question), "Pipeline.answer()")


def retrieve(question: str, k: int) -> list[str]:
    """The ids of the passages ``Pipeline.retrieve(question, k)`` returns, in its order."""
    passages = _state["pipeline"].retrieve(question, k)
    if not isinstance(passages, list) or not all(isinstance(p, dict) and isinstance(p.get("id"), str)
                                                  for p in passages):
        raise LearnerFault(f"Pipeline.retrieve() must return a list of passages (dicts with an \"id\"), got "
                           f"{str(passages)[:120]!r}", status="fail")
    return [p["id"] for p in passages]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def _install(pipe: Any, mode: Mode, rng: random.Random, calls: list[int]) -> None:
    """Wrap ``pipe.retrieve`` and ``pipe.generate`` (instance attributes), breaking one of them per ``mode``."""
    cls = type(pipe)
    original_retrieve = cls.retrieve.__get__(pipe)
    original_generate = cls.generate.__get__(pipe)
    documents: list[dict[str, str]] = _state["documents"]

    def retrieve(question: str, k: int, *args: Any, **kwargs: Any) -> Any:
        if mode == "random_retrieval":
            calls[0] += 1
            return [{**d, "score": 0.0} for d in rng.sample(documents, min(int(k), len(documents)))]
        return original_retrieve(question, k, *args, **kwargs)

    def generate(question: str, passages: Any, *args: Any, **kwargs: Any) -> Any:
        out = original_generate(question, passages, *args, **kwargs)
        if mode == "no_citations" and isinstance(out, dict):
            calls[0] += 1
            out = {**out, "citations": []}
        elif mode == "blind_generator" and isinstance(out, dict):
            calls[0] += 1
            given = {p.get("id") for p in passages if isinstance(p, dict)} if isinstance(passages, list) else set()
            elsewhere = [d for d in documents if d["id"] not in given] or documents
            out = {**out, "answer": rng.choice(_sentences(rng.choice(elsewhere)["text"]))}
        return out

    pipe.retrieve = retrieve
    pipe.generate = generate


def guardrail(check: str, mode: Mode, examples: list[dict[str, Any]], seed: int) -> GuardrailReply:
    """Run the learner's guardrail ``check`` ("module:function") as ``check(pipeline, examples)`` on
    the pipeline broken per ``mode``; afterwards the pipeline is whole again."""
    pipe = _state["pipeline"]
    calls = [0]
    _install(pipe, mode, random.Random(seed), calls)
    try:
        verdict = learner_function(check)(pipe, examples)
    finally:
        for name in ("retrieve", "generate"):
            pipe.__dict__.pop(name, None)
    if not isinstance(verdict, bool):
        raise LearnerFault(f"{check.partition(':')[2]}() must return True (the pipeline passes) or False, got "
                           f"{type(verdict).__name__} {str(verdict)[:80]!r}", status="fail")
    return GuardrailReply(passed=verdict, broken_calls=calls[0])
