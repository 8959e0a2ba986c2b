"""``sprint dash``: the Textual dashboard (Kanban, sprint detail, 12-week targets).

Importing this package is cheap; the app itself lives in :mod:`tracker.tui.app`. The dashboard
holds no business logic: it shows what :mod:`tracker.status` computes and calls the ledger,
grading and sync modules for its actions.
"""
