"""SQuAD v1.1's exact match and F1: the official normalisation, worked by hand."""

from __future__ import annotations

import pytest

from graders.scoring.squad import exact_match, f1, normalize_answer, squad_scores


@pytest.mark.parametrize(("text", "normal"), [
    ("The Eiffel Tower!", "eiffel tower"),
    ("  a  cat,   an owl and THE dog ", "cat owl and dog"),
    ("12,400", "12400"),
    ("theatre", "theatre"),  # "the" only as a whole word
])
def test_normalisation_drops_case_punctuation_articles_and_extra_spaces(text: str, normal: str) -> None:
    assert normalize_answer(text) == normal


def test_exact_match_compares_normalised_answers() -> None:
    assert exact_match("the Tarsk", "Tarsk.") == 1.0
    assert exact_match("Tarsk town", "Tarsk") == 0.0


def test_f1_is_the_harmonic_mean_of_token_precision_and_recall() -> None:
    # prediction "ada vrennick was born" (4 tokens), gold "ada vrennick" (2): p = 2/4, r = 1
    assert f1("Ada Vrennick was born", "Ada Vrennick") == pytest.approx(2 * 0.5 * 1.0 / 1.5)
    assert f1("Quellin", "Tarsk") == 0.0
    assert f1("", "Tarsk") == 0.0
    assert f1("1843 1843", "1843") == pytest.approx(2 * 0.5 * 1.0 / 1.5)  # bags of tokens: counts matter


def test_dataset_scores_take_the_best_gold_answer_and_count_missing_predictions_as_zero() -> None:
    answers = {"q1": ["Tarsk", "the town of Tarsk"], "q2": ["1843"], "q3": ["Ada"]}
    em, f = squad_scores({"q1": "town of Tarsk", "q2": "1843"}, answers)
    assert em == pytest.approx(2 / 3)
    assert f == pytest.approx(2 / 3)


def test_no_questions_is_refused() -> None:
    with pytest.raises(ValueError, match="no questions"):
        squad_scores({}, {})
