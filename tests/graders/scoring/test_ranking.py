"""nDCG@k and recall@k (trec_eval's definitions), checked against values worked by hand."""

from __future__ import annotations

import math

import pytest

from graders.scoring.ranking import dcg, ndcg_at_k, recall_at_k, unique


def test_dcg_discounts_by_log2_of_the_rank_plus_one() -> None:
    assert dcg([3, 2, 3, 0, 1, 2]) == pytest.approx(3 + 2 / math.log2(3) + 3 / 2 + 0 + 1 / math.log2(6)
                                                     + 2 / math.log2(7))


def test_ndcg_of_the_ideal_ranking_is_one_and_of_no_relevant_document_zero() -> None:
    qrels = {"a": 2, "b": 1, "c": 1}
    assert ndcg_at_k(["a", "b", "c", "x"], qrels) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "y", "z"], qrels) == 0.0


def test_ndcg_worked_example_with_graded_relevance() -> None:
    # ranking b, x, a: gains 1, 0, 2 → DCG = 1 + 0 + 2/log2(4) = 2; ideal 2, 1, 1 → 2 + 1/log2(3) + 1/2
    qrels = {"a": 2, "b": 1, "c": 1}
    ideal = 2 + 1 / math.log2(3) + 0.5
    assert ndcg_at_k(["b", "x", "a"], qrels) == pytest.approx(2 / ideal)


def test_ndcg_cuts_at_k_both_the_ranking_and_the_ideal() -> None:
    qrels = {"a": 1, "b": 1}
    assert ndcg_at_k(["x", "a", "b"], qrels, k=1) == 0.0
    assert ndcg_at_k(["a", "x", "b"], qrels, k=1) == pytest.approx(1.0)


def test_a_repeated_document_counts_once_at_its_first_place() -> None:
    qrels = {"a": 2, "b": 2}
    assert unique(["a", "a", "b", "a"]) == ["a", "b"]
    assert ndcg_at_k(["a"] * 10, qrels) == pytest.approx(2 / (2 + 2 / math.log2(3)))


def test_unjudged_documents_gain_nothing_and_a_query_without_judgements_scores_zero() -> None:
    assert ndcg_at_k(["a"], {}) == 0.0
    assert ndcg_at_k(["a"], {"a": 0}) == 0.0


def test_recall_counts_relevant_documents_in_the_first_k() -> None:
    qrels = {"a": 2, "b": 1, "c": 1, "d": 0}
    assert recall_at_k(["a", "x", "c", "d"], qrels, k=3) == pytest.approx(2 / 3)
    assert recall_at_k(["a", "a", "a"], qrels, k=2) == pytest.approx(1 / 3)
    assert recall_at_k([], {}, k=10) == 0.0
