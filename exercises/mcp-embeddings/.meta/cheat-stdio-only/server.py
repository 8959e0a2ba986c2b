"""Cheat: ignores --http: only the stdio transport works."""

import sys

from bag_of_words import make_server, run

if __name__ == "__main__":
    run(make_server(), sys.argv[1:], http=False)
