"""Cheat (the naive baseline): a plain ReAct loop without a grounding guard. It takes the model's first
final answer as it comes — also one the model wrote after an observation it made up itself (no stop
sequence) — answers "I don't know" with None, reads only well-formed ``tool[input]`` actions (an error
observation otherwise) and gives up after ten steps."""

from __future__ import annotations

import re
from collections.abc import Callable

PROMPT = """Answer the question. Tools:
{tools}

Format:
Question: the question
Thought: what to do
Action: tool[input]
Observation: the tool's result
Final Answer: the answer

Question: {question}
"""


def answer(question: str, model: Callable[..., str], tools: dict[str, Callable[[str], str]]) -> str | None:
    prompt = PROMPT.format(tools="\n".join(getattr(t, "description", n) for n, t in tools.items()), question=question)
    for _ in range(10):
        step = model(prompt)
        final = re.search(r"Final Answer:\s*(.*)", step)
        if final:
            text = final.group(1).strip()
            return None if re.search(r"don't know|do not know|^unknown", text, re.I) else text
        action = re.search(r"Action:\s*(search|calculator)\[(.+)\]\s*$", step, re.M)
        observation = tools[action.group(1)](action.group(2)) if action else "Invalid action: write tool[input]."
        prompt += step.rstrip() + f"\nObservation: {observation}\n"
    return None
