"""The repository's labels: read off the issues that carry them, created only when the plan asks.

Labels are never listed: every roadmap issue carries its labels, so the snapshot knows each label an
issue uses, and the plan asks to *ensure* only one that no issue carries yet. Ensuring tolerates
"already exists" (422): the label may exist on no issue, or a crashed run may have created it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tracker.board_model import Label
from tracker.boards.github.issues import parse_label
from tracker.boards.github.transport import Transport
from tracker.errors import BoardError

__all__ = ["ensure_label", "labels_of"]


def labels_of(entries: Iterable[Any]) -> dict[str, Label]:
    """Every label the listed issues (REST JSON) carry, by name (the first seen wins)."""
    labels: dict[str, Label] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        for raw in entry.get("labels") or []:
            if isinstance(raw, dict) and "name" in raw:
                labels.setdefault(str(raw["name"]), parse_label(raw))
    return labels


def ensure_label(t: Transport, repo: str, label: Label) -> None:
    """Create ``label`` in ``repo`` (OWNER/NAME) unless it exists."""
    r = t.rest("POST", f"/repos/{repo}/labels", expect=(422,), what=f"creating label {label.name!r}",
               body={"name": label.name, "color": label.color, "description": label.description})
    if r.status == 422 and "already_exists" not in str(r.data):  # anything else is a real problem
        raise BoardError(t.redact(f"creating label {label.name!r}: {r.data}"))
