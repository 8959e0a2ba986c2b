"""Cheat: the process dies on an empty list instead of answering with a tool error."""

import os
import sys

from bag_of_words import check, make_server, run


def die_on_empty(texts: list[str]) -> None:
    if not texts:
        os._exit(1)
    check(texts)


if __name__ == "__main__":
    run(make_server(check=die_on_empty), sys.argv[1:])
