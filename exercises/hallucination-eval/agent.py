"""Weeks 7–8 — a ReAct agent that does not hallucinate.

Grade it with:  sprint grade hallucination-eval
"""

from __future__ import annotations

from collections.abc import Callable

# A ReAct prompt: the tools described *before* the question, then "Question: …" on its own line;
# every step you send back continues after it (Thought / Action / Observation …).
PROMPT = """Answer the question about towns. You can use these tools:

{tools}

Use this format:

Question: the question you must answer
Thought: what to do next
Action: the tool to use and its input, as tool[input]
Observation: what the tool returned
... (Thought / Action / Observation can repeat)
Thought: I now know the final answer
Final Answer: the answer

Question: {question}
"""


def answer(question: str, model: Callable[..., str], tools: dict[str, Callable[[str], str]]) -> str | None:
    """Answer ``question`` with a ReAct loop; return the model's final answer, or None to abstain.

    model(prompt, stop=None) -> str: the text the model writes after ``prompt`` (cut before the
        first of the ``stop`` strings, as a model API does). It may answer without looking anything
        up, state facts its observations do not support, write malformed actions, make up an
        observation of its own, or repeat itself.
    tools["search"](query) -> str: passages of the knowledge base ("[1] …", "[2] …") or "No results …".
    tools["calculator"](expression) -> str: the value of + - * / ( ) over numbers, or "Error: …".
        Each tool has a ``.description`` for the prompt.
    A question may allow 30 model calls and 20 tool calls; beyond that they raise RuntimeError.

    Return the model's own ``Final Answer`` text only when what the tools returned supports it (a
    grounding guard: retry or give up otherwise), and None when the knowledge base cannot answer.
    """
    raise NotImplementedError("prompt, parse Action:, call the tool, feed the Observation back, guard the answer")
