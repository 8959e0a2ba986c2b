"""Measurer of kind ``react`` — trusted; runs beside the learner worker (see graders.measurer).

It draws the run's world (the exercise's ``.meta/kb.py``: towns, their passages, the questions and
their true answers) and, under the cpu profile, the scripted model's error rates
(graders.kinds.react_model). For each question in turn it asks the worker's adapter
(graders.kinds.react_adapter) to run the learner's agent, and offers that one call three
*services*: ``model`` (the scripted model — or, under the gpu profile, a real model loaded here),
``search`` and ``calculator``. The agent reaches them only through callables that forward to this
process, so the learner's process never holds the knowledge base, the questions it has not been
asked, the true answers or the model's plan — only each answer it asked for. Every ask counts
against the question's budget (``model_calls``, ``tool_calls``); a spent budget is refused.

Each final answer is judged here (react_model.judge): supported by the knowledge base or not, and
written by the model or not (the agent must pass the model's final answer on, not compose its own).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Literal, TypedDict

from graders.faults import LearnerFault, LearnerRaised
from graders.harness.channel import Channel
from graders.kinds._meta import load_meta_module
from graders.kinds.react_adapter import AnswerReply
from graders.kinds.react_model import Rates, ScriptedModel, calculate, draw_rates, judge, search, truncate
from graders.measurer import ServiceRefused, Worker, expect

__all__ = ["ReactJob", "ReactReport", "Session", "measure"]

ADAPTER = "graders.kinds.react_adapter"
MAX_PROMPT_CHARS = 64_000
MAX_TOOL_INPUT_CHARS = 500


class ReactJob(TypedDict):
    """What the parent (graders.kinds.react) sends the measurer."""

    module: str
    function: str
    seed: int
    kb_path: str  # the exercise's .meta/kb.py in the library
    model_calls: int  # per question
    tool_calls: int  # per question
    question_timeout_s: float
    backend: Literal["scripted", "folder"]
    model_path: str  # the gpu profile's model folder ("" for the scripted model)
    device: str
    max_new_tokens: int


class ReactReport(TypedDict):
    """What the measurer sends back on the result channel."""

    questions: int
    answerable: int
    unanswerable: int
    answered: int  # final answers given (not abstentions, not errors)
    supported: int  # ... supported by the knowledge base
    correct_answerable: int
    abstained_unanswerable: int
    errored: int  # questions on which the agent raised
    error_note: str
    model_calls: int
    tool_calls: int
    foreign: int  # answers the model never wrote
    foreign_note: str
    examples: list[str]  # a few unsupported answers, for the learner
    rates: dict[str, float]


class Session:
    """One question's services and what happened in them."""

    def __init__(self, question: Any, world: Any, job: ReactJob, model: Any) -> None:
        self.question, self.world, self.job, self.model = question, world, job, model
        self.model_calls = 0
        self.tool_calls = 0

    def services(self) -> dict[str, Any]:
        return {"model": self.ask_model, "search": self.ask_search, "calculator": self.ask_calculator}

    def ask_model(self, args: list[Any]) -> str:
        if not 1 <= len(args) <= 2 or not isinstance(args[0], str):
            raise ServiceRefused("model(prompt, stop=None): prompt must be a str")
        stop = args[1] if len(args) == 2 else None
        if stop is not None and (not isinstance(stop, list) or not all(isinstance(s, str) for s in stop)
                                 or len(stop) > 8):
            raise ServiceRefused("model(prompt, stop=None): stop must be a list of at most 8 strings, or None")
        if len(args[0]) > MAX_PROMPT_CHARS:
            raise ServiceRefused(f"the prompt has {len(args[0]):,} characters; the model reads at most "
                                 f"{MAX_PROMPT_CHARS:,}")
        if self.model_calls >= self.job["model_calls"]:
            raise ServiceRefused(f"the model's budget of {self.job['model_calls']} calls for this question is spent: "
                                 "stop looping, abstain (return None)")
        self.model_calls += 1
        return str(self.model(args[0], stop))

    def _tool_input(self, name: str, args: list[Any]) -> str:
        if len(args) != 1 or not isinstance(args[0], str):
            raise ServiceRefused(f"{name}(text): give one str")
        if self.tool_calls >= self.job["tool_calls"]:
            raise ServiceRefused(f"the tools' budget of {self.job['tool_calls']} calls for this question is spent")
        self.tool_calls += 1
        return args[0][:MAX_TOOL_INPUT_CHARS]

    def ask_search(self, args: list[Any]) -> str:
        return search(self._tool_input("search", args), self.world.passages)

    def ask_calculator(self, args: list[Any]) -> str:
        return calculate(self._tool_input("calculator", args))


class FolderModel:
    """The gpu profile's model: a Hugging Face causal LM from the learner's folder, greedy, on
    ``device``; its final answers are collected like the scripted model's."""

    def __init__(self, path: str, device: str, max_new_tokens: int) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.torch, self.device, self.max_new_tokens = torch, device, max_new_tokens
        self.tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
        loader: Any = AutoModelForCausalLM.from_pretrained  # transformers is partly untyped for mypy
        dtype = torch.bfloat16 if device == "cuda" else torch.float32
        self.lm = loader(path, local_files_only=True, dtype=dtype).to(device).eval()
        self.final_answers: list[str] = []

    def __call__(self, prompt: str, stop: list[str] | None = None) -> str:
        import re

        ids = self.tok(prompt, return_tensors="pt").to(self.device)
        with self.torch.no_grad():
            out = self.lm.generate(**ids, max_new_tokens=self.max_new_tokens, do_sample=False,
                                   pad_token_id=self.tok.pad_token_id or self.tok.eos_token_id)
        written: str = str(self.tok.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True))
        text = truncate(written, stop)
        self.final_answers += [m.strip() for m in re.findall(r"(?im)^[ \t]*Final Answer:[ \t]*(.*)$", text)]
        return text


def _same(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return " ".join(s.lower().split()).rstrip(".").strip()

    return norm(a) == norm(b)


def measure(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    job = expect(args, ReactJob, what="the react kind's job")
    kb = load_meta_module(Path(job["kb_path"]))
    world = kb.generate(job["seed"])
    rates: Rates | None = draw_rates(job["seed"]) if job["backend"] == "scripted" else None
    real = FolderModel(job["model_path"], job["device"], job["max_new_tokens"]) if job["backend"] == "folder" \
        else None
    fn = f"{job['module']}:{job['function']}"
    worker.load(fn)
    answered = supported = correct = abstained = errored = foreign = calls = tools = 0
    error_note = foreign_note = ""
    examples: list[str] = []
    for question in world.questions:
        if rates is not None:
            model: Any = ScriptedModel({kb.normalise_question(question.text): question}, kb.normalise_question,
                                       rates, world.domains, random.Random(f"react-model:{job['seed']}:{question.id}"))
        else:
            assert real is not None
            real.final_answers = []
            model = real
        session = Session(question, world, job, model)
        try:
            reply = worker.adapter(f"{ADAPTER}:answer", fn, question.text, returns=AnswerReply,
                                   services=session.services(), timeout_s=job["question_timeout_s"])
        except LearnerRaised as exc:
            if not exc.wrong_answer:
                raise
            errored += 1
            error_note = error_note or f"on {question.text!r}: {exc.summary}"
            continue
        finally:
            calls += session.model_calls
            tools += session.tool_calls
        if not reply["ok"]:
            raise LearnerFault(f"{job['function']}() must return the final answer as a str, or None to abstain; it "
                               f"returned {reply['returned']}", status="fail")
        answer = reply["answer"]
        if answer is None:
            abstained += question.truth is None
            continue
        answered += 1
        if not any(_same(answer, said) for said in model.final_answers):
            foreign += 1
            foreign_note = foreign_note or (f"on {question.text!r} your agent answered {answer[:80]!r}, which the "
                                            "model never wrote as a Final Answer")
        if judge(question, answer, world.domains):
            supported += 1
            correct += question.truth is not None
        elif len(examples) < 3:
            why = "the knowledge base cannot answer it" if question.truth is None else \
                f"the knowledge base says {question.truth}"
            examples.append(f"{question.text!r} → {answer[:60]!r} ({why})")
    channel.result(**ReactReport(
        questions=len(world.questions), answerable=world.answerable,
        unanswerable=len(world.questions) - world.answerable, answered=answered, supported=supported,
        correct_answerable=correct, abstained_unanswerable=abstained, errored=errored, error_note=error_note,
        model_calls=calls, tool_calls=tools, foreign=foreign, foreign_note=foreign_note, examples=examples,
        rates=rates.as_dict() if rates is not None else {}))
