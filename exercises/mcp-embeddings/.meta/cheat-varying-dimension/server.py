"""Cheat: one number per word: the vector length follows the text."""

import hashlib
import re
import sys

from bag_of_words import make_server, normalise, run


def per_word(text: str) -> list[float]:
    v = [int(hashlib.md5(w.encode()).hexdigest(), 16) % 1000 / 1000.0 for w in re.findall(r"\w+", text.lower())]
    return normalise(v or [0.0])


if __name__ == "__main__":
    run(make_server(vector=per_word), sys.argv[1:])
