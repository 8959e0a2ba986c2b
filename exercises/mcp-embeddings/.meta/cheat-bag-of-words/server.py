"""Cheat: hashed bag of words — deterministic and normalised, but blind to meaning (bag_of_words.py).

The other cheats are built on this folder (`base: cheat-bag-of-words/`) and change one thing.
"""

from bag_of_words import main

if __name__ == "__main__":
    main()
