"""Board backends behind one contract (``base.Board``): the local SQLite board, GitHub, test doubles."""

from tracker.boards.base import (
    COLUMNS,
    Board,
    ChecklistEntry,
    Column,
    Item,
    ItemFields,
    Label,
    Milestone,
    Release,
    Snapshot,
)
from tracker.boards.local import LocalBoard

__all__ = [
    "COLUMNS",
    "Board",
    "ChecklistEntry",
    "Column",
    "Item",
    "ItemFields",
    "Label",
    "LocalBoard",
    "Milestone",
    "Release",
    "Snapshot",
]
