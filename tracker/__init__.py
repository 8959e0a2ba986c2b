"""llm-sprint's tracker: roadmap, board, ledger, sync, CLI and dashboard."""

from tracker._version import __version__

__all__ = ["__version__"]
