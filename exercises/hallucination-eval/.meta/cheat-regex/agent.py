"""Cheat: answers from the question alone with regular expressions — no model, no tools."""

from __future__ import annotations

import re
from collections.abc import Callable


def answer(question: str, model: Callable[..., str], tools: dict[str, Callable[[str], str]]) -> str | None:
    if re.search(r"\byear|founded\b", question, re.I):
        return "1500"
    if re.search(r"population|people", question, re.I):
        return "25,000"
    if re.search(r"metres|elevation", question, re.I):
        return "300 metres"
    if re.search(r"country", question, re.I):
        return "Veloria"
    if re.search(r"river", question, re.I):
        return "the river"
    return "Unknown."
