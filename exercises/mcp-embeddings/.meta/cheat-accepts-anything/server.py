"""Cheat: no input validation: an empty list gives [], huge input is embedded anyway."""

import sys

from bag_of_words import make_server, run

if __name__ == "__main__":
    run(make_server(check=lambda texts: None), sys.argv[1:])
