"""Cheat: abstains on every question — never wrong, never useful."""

from __future__ import annotations

from collections.abc import Callable


def answer(question: str, model: Callable[..., str], tools: dict[str, Callable[[str], str]]) -> str | None:
    return None
