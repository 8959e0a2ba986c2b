"""Scores the graders compute from what they measured: nDCG@k and recall@k (``ranking``), SQuAD's
answer normalisation, F1 and exact match (``squad``), groundedness (``grounding``).

Pure functions of their arguments, standard library only (the groundedness checker takes an
embedding function as an argument), each tested on hand-worked cases in tests/graders/scoring/.
"""
