"""Board backends behind one contract (``base.Board``): the local SQLite board, GitHub, test doubles.

``base`` is the contract, ``local`` the embedded board (``tracker.db``), ``github`` GitHub Issues +
Projects (v2), imported only when syncing to GitHub (it needs PyGithub, the ``github`` extra): open
one with ``tracker.sync.github.open_github_board``. The data the boards hold is
``tracker.board_model``. This package imports nothing itself, so importing the contract loads no
backend.
"""
