"""Cheat: the reference agent with half a grounding guard — it checks that the answer's value occurs
in what the tools returned, but not that the passage is about the town the question asks about. A
search for a town the knowledge base lacks returns a town one letter away, and the model, careless,
answers with that town's fact: this guard lets it through. Everything else is the reference's."""

from __future__ import annotations

import re
from collections.abc import Callable

PROMPT = """Answer the question about towns. You can use these tools:

{tools}

Use this format:

Question: the question you must answer
Thought: what to do next
Action: the tool to use and its input, as tool[input]
Observation: what the tool returned
... (Thought / Action / Observation can repeat)
Thought: I now know the final answer
Final Answer: the answer, or "I don't know" when the knowledge base does not say

Use only facts from the observations.

Question: {question}
"""

STOP = ["\nObservation:", "Observation:"]
MAX_STEPS = 8
MAX_ATTEMPTS = 3
ABSTAIN = re.compile(r"\b(don't|do not|cannot|can't)\s+know\b|^unknown\b|not (?:in|mentioned|known)", re.I)
ACTION = re.compile(r"^\s*Action:\s*(.*)$", re.I | re.M)
NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")
NAME = re.compile(r"\b[A-Z][a-z]{2,}\b")
QUESTION_WORDS = {"What", "Which", "Who", "When", "How", "In"}


def parse_action(text: str, tools: dict[str, Callable[[str], str]]) -> tuple[str, str] | None:
    """(tool, input) from a model's step, forgiving case, brackets, parentheses, a colon, backticks and
    an ``Action Input:`` line; None when no known tool can be read."""
    match = ACTION.search(text)
    if not match:
        return None
    line = match.group(1).strip().strip("`").strip()
    call = re.match(r"([A-Za-z_]+)\s*(.*)$", line, re.S)
    if not call or call.group(1).lower() not in tools:
        return None
    name, rest = call.group(1).lower(), call.group(2).strip()
    if rest[:1] in ("[", "("):
        closing = "]" if rest[0] == "[" else ")"
        argument = rest[1:-1] if rest.endswith(closing) else rest[1:]
    elif rest.startswith(":"):
        argument = rest[1:]
    elif not rest and (extra := re.search(r"^\s*Action Input:\s*(.*)$", text[match.end():], re.I | re.M)):
        argument = extra.group(1)
    else:
        return None
    argument = argument.strip().strip("`\"'").strip()
    return (name, argument) if argument else None


def numbers(text: str) -> set[float]:
    return {float(n.replace(",", "")) for n in NUMBER.findall(text) if n.replace(",", "").strip("-")}


def grounded(question: str, answer: str, observations: list[str]) -> bool:
    """The only change: the value must occur in the observations; which town they are about is not checked."""
    evidence = "\n".join(observations)
    wanted = numbers(answer)
    if wanted:
        return wanted <= numbers(evidence)
    words = " ".join(re.findall(r"[a-z]+", re.sub(r"\b(its|the|a|an)\b", " ", answer.lower())))
    return bool(words) and words in " ".join(re.findall(r"[a-z]+", evidence.lower()))


def attempt(question: str, model: Callable[..., str], tools: dict[str, Callable[[str], str]]) -> str | None:
    """One ReAct episode: the model's final answer when it is grounded, "" when it abstains, None when
    the episode goes nowhere (a loop, too many steps, an ungrounded answer)."""
    described = "\n".join(f"- {getattr(tool, 'description', name)}" for name, tool in tools.items())
    prompt = PROMPT.format(tools=described, question=question)
    observations: list[str] = []
    seen: list[tuple[str, str]] = []
    for _ in range(MAX_STEPS):
        step = model(prompt, STOP)
        final = re.search(r"^\s*Final Answer:\s*(.*)$", step, re.I | re.M)
        action = parse_action(step, tools)
        if final and not action:
            answer = final.group(1).strip()
            if ABSTAIN.search(answer):
                return ""
            return answer if grounded(question, answer, observations) else None
        if action is None:
            observation = "Invalid action. Write exactly one action as tool[input], with tool one of: " + \
                ", ".join(tools) + "."
        elif seen and seen[-1] == action:
            return None  # looping: start afresh
        else:
            seen.append(action)
            observation = tools[action[0]](action[1])
            observations.append(observation)
        prompt += step.rstrip() + f"\nObservation: {observation}\n"
    return None


def answer(question: str, model: Callable[..., str], tools: dict[str, Callable[[str], str]]) -> str | None:
    for _ in range(MAX_ATTEMPTS):
        try:
            result = attempt(question, model, tools)
        except RuntimeError:  # the question's budget of model or tool calls is spent
            return None
        if result == "":
            return None
        if result is not None:
            return result
    return None
