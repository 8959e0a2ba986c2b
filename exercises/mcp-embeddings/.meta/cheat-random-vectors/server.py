"""Cheat: random unit vectors: right shape, no meaning, different every call."""

import random
import sys

from bag_of_words import DIM, make_server, normalise, run

if __name__ == "__main__":
    run(make_server(vector=lambda text: normalise([random.gauss(0.0, 1.0) for _ in range(DIM)])), sys.argv[1:])
