"""Adapter of kind ``react`` — trusted grader code that runs *in the learner worker*.

It runs the learner's agent on one question, handing it a language model and two tools that hold
nothing: each is a callable that forwards to the measurer's services (``graders.worker.ask``), where
the model, the knowledge base and the true answers stay. It holds nothing secret itself, and the
measurer checks its reply, so patching it only yields wrong answers.
"""

from __future__ import annotations

from typing import Any, TypedDict

from graders.harness.learner import learner_function

__all__ = ["CALCULATOR", "SEARCH", "AnswerReply", "Model", "Tool", "answer"]

SEARCH = ("search(query) -> str: searches the knowledge base of towns and returns up to two passages, "
          "'[1] …' and '[2] …', or 'No results for …'.")
CALCULATOR = ("calculator(expression) -> str: evaluates + - * / and parentheses over numbers, e.g. "
              "'1432 - 1280'; returns the result, or a line starting with 'Error:'.")


class AnswerReply(TypedDict):
    """What the agent returned for one question."""

    ok: bool  # a str or None
    answer: str | None
    returned: str  # the type's name


class Model:
    """The language model: ``model(prompt, stop=None) -> str``, the text it writes after ``prompt``,
    cut before the first of the ``stop`` strings. Raises ``RuntimeError`` (``ServiceError``) once the
    question's budget of calls is spent."""

    def __call__(self, prompt: str, stop: list[str] | None = None) -> str:
        from graders.worker import ask

        return str(ask("model", prompt, stop))

    def __repr__(self) -> str:
        return "<the grader's language model>"


class Tool:
    """A tool: ``tool(text) -> str``; ``name`` and ``description`` are for the prompt."""

    def __init__(self, name: str, description: str) -> None:
        self.name, self.description = name, description

    def __call__(self, text: str) -> str:
        from graders.worker import ask

        return str(ask(self.name, text))

    def __repr__(self) -> str:
        return f"<tool {self.name}>"


def answer(fn: str, question: str) -> AnswerReply:
    """Run the learner's ``fn`` (``module:answer``) on ``question`` with the model and the tools."""
    agent = learner_function(fn)
    tools = {"search": Tool("search", SEARCH), "calculator": Tool("calculator", CALCULATOR)}
    out: Any = agent(question, Model(), tools)
    if out is None or isinstance(out, str):
        return AnswerReply(ok=True, answer=None if out is None else str(out), returned=type(out).__name__)
    return AnswerReply(ok=False, answer=None, returned=type(out).__name__)
