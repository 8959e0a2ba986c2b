"""Cheat: says normalized: true but returns raw word counts."""

import sys

from bag_of_words import counts, make_server, run

if __name__ == "__main__":
    run(make_server(vector=counts), sys.argv[1:])
