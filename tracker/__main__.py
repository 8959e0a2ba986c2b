"""``python -m tracker`` is ``sprint``."""

from tracker.cli import main

main()
