"""How states look: symbols and Rich styles shared by the widgets (presentation only)."""

from __future__ import annotations

from rich.text import Text

from tracker.status import Column, ExerciseState

__all__ = ["COLUMN_CLASS", "LABEL_STYLE", "SYMBOL", "TARGET_STYLE", "column_class", "exercise_line", "label_text"]

LABEL_STYLE = {
    "pass": "bold green",
    "fail": "bold red",
    "error": "bold magenta",
    "pending": "bold yellow",
    "started": "cyan",
    "not started": "dim",
    "not yet available": "dim italic",
}
SYMBOL = {
    "pass": "✓",
    "fail": "✗",
    "error": "!",
    "pending": "…",
    "started": "◐",
    "not started": "·",
    "not yet available": "—",
}
TARGET_STYLE = {"met": "bold green", "on track": "bold cyan", "behind": "bold red", "upcoming": "dim"}
COLUMN_CLASS: dict[Column, str] = {"To Learn": "to-learn", "In Progress": "in-progress", "Done": "done"}


def column_class(column: Column) -> str:
    return COLUMN_CLASS[column]


def label_text(label: str) -> Text:
    """``✓ pass`` / ``— not yet available`` …, styled."""
    return Text(f"{SYMBOL.get(label, '?')} {label}", style=LABEL_STYLE.get(label, ""))


def exercise_line(ex: ExerciseState) -> Text:
    """One line per exercise on a card: its slug and its last grade status."""
    return Text.assemble((ex.slug, "bold" if ex.available else "dim"), " ", label_text(ex.label))
