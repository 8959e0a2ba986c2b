"""Board backends behind one contract (``base.Board``): the local SQLite board, GitHub, test doubles.

The GitHub board lives in ``tracker.boards.github`` and is imported only when syncing to GitHub
(it needs PyGithub, the ``github`` extra): open one with ``tracker.sync.github.open_github_board``.
"""

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
