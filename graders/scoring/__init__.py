"""Scores the graders compute from what they measured (today: nDCG@k and recall@k, ``ranking``).

Pure functions of their arguments, standard library only, each tested on hand-worked cases in
tests/graders/scoring/.
"""
