"""SQuAD v1.1's exact match and F1, with the official answer normalisation.

The same arithmetic as the official ``evaluate-v1.1.py`` (Rajpurkar et al., 2016): lower-case,
drop punctuation, drop the articles *a*, *an*, *the*, collapse whitespace; F1 over the bag of
normalised tokens; a prediction's score is its best over the gold answers; a dataset's score is
the mean over questions (reported here as a fraction, not a percentage).
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Mapping, Sequence

__all__ = ["exact_match", "f1", "normalize_answer", "squad_scores"]

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = frozenset(string.punctuation)


def normalize_answer(text: str) -> str:
    """Lower-case, remove punctuation, articles and extra whitespace (the official order)."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str, truth: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(truth))


def f1(prediction: str, truth: str) -> float:
    pred, gold = normalize_answer(prediction).split(), normalize_answer(truth).split()
    common = Counter(pred) & Counter(gold)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(gold)
    return 2 * precision * recall / (precision + recall)


def squad_scores(predictions: Mapping[str, str], answers: Mapping[str, Sequence[str]]) -> tuple[float, float]:
    """(exact match, F1) over every question of ``answers`` (id → gold answers), as fractions in
    [0, 1]; a question without a prediction scores 0 on both."""
    if not answers:
        raise ValueError("no questions to score")
    em = f = 0.0
    for qid, golds in answers.items():
        pred = predictions.get(qid, "")
        em += max(exact_match(pred, g) for g in golds)
        f += max(f1(pred, g) for g in golds)
    return em / len(answers), f / len(answers)
