"""Corpora: deterministic, disjoint splits (even across seeds), the promised formats and sizes."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from graders.tinymodels.corpora import DEFAULT_SIZES, SPLITS, corpus_texts, split_of

from .conftest import run_python

CORPORA = ("general", "faq")


def _digest(texts: list[str]) -> str:
    return hashlib.sha256(json.dumps(texts).encode()).hexdigest()


@pytest.mark.parametrize("name", CORPORA)
def test_deterministic_within_and_across_processes(name: str) -> None:
    texts = corpus_texts(name, "valid", 200)
    assert texts == corpus_texts(name, "valid", 200)
    # A fresh interpreter with a different str-hash seed must draw the very same documents.
    code = (
        "import hashlib, json\n"
        "from graders.tinymodels.corpora import corpus_texts\n"
        f"print(hashlib.sha256(json.dumps(corpus_texts({name!r}, 'valid', 200)).encode()).hexdigest())\n"
    )
    proc = run_python(code, env={"PYTHONHASHSEED": "12345"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == _digest(texts)


@pytest.mark.parametrize("name", CORPORA)
def test_splits_are_disjoint_and_unique(name: str) -> None:
    splits = {s: corpus_texts(name, s) for s in SPLITS}
    for s, texts in splits.items():
        assert len(texts) == DEFAULT_SIZES[name][s]
        assert len(set(texts)) == len(texts), f"duplicates inside {s}"
        assert all(split_of(name, t) == s for t in texts)
    assert not set(splits["train"]) & set(splits["valid"])
    assert not set(splits["train"]) & set(splits["hidden"])
    assert not set(splits["valid"]) & set(splits["hidden"])


@pytest.mark.parametrize("name", CORPORA)
def test_fresh_seed_hidden_split_never_in_default_train(name: str) -> None:
    # Graders may draw a hidden set at grade time with a fresh seed: it must not leak into training.
    fresh = corpus_texts(name, "hidden", 300, seed=987_654)
    assert fresh != corpus_texts(name, "hidden", 300)
    assert not set(fresh) & set(corpus_texts(name, "train"))
    assert not set(fresh) & set(corpus_texts(name, "valid"))


def test_prefix_property_and_fresh_lists() -> None:
    small = corpus_texts("faq", "train", 50)
    big = corpus_texts("faq", "train", 400)
    assert big[:50] == small
    small.append("mutated")
    assert corpus_texts("faq", "train", 50)[-1] != "mutated"


def test_faq_format_and_domain() -> None:
    pattern = re.compile(r"Q: [^\n]+\nA: [^\n]+")
    texts = corpus_texts("faq", "train")
    assert len(texts) == 5000  # the curriculum's "5k FAQ examples"
    assert all(pattern.fullmatch(t) for t in texts)
    assert sum("Quillbox" in t for t in texts) > 1000
    general_words = {w for t in corpus_texts("general", "train", 2000) for w in t.split()}
    faq_words = {w for t in texts for w in t.split()}
    # A different domain: most of its vocabulary never occurs in the general corpus.
    assert len(faq_words - general_words) > 0.5 * len(faq_words)


def test_general_is_varied_prose() -> None:
    texts = corpus_texts("general", "valid")
    words = {w.strip('.,!?":') for t in texts for w in t.split()}
    assert len(words) > 800
    assert 20 < sum(len(t.split()) for t in texts) / len(texts) < 120
    openings = {t.split()[0] for t in texts}
    assert len(openings) > 20  # stories, facts, letters, reports… not one template


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown corpus"):
        corpus_texts("wiki", "train")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown split"):
        corpus_texts("faq", "test")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        corpus_texts("faq", "train", -1)


# The first 50 documents of every split, hashed. Built models in users' caches were trained on
# these texts: if this test fails, the corpus changed, so bump KIT_VERSION in
# graders/tinymodels/recipe.py (invalidating stale cache entries) and update both values here.
GOLDEN_KIT_VERSION = 2
GOLDEN = {
    ("general", "train"): "585cb4dbefd0d748",
    ("general", "valid"): "3eb5d075a9be35fb",
    ("general", "hidden"): "735fa353bff4141c",
    ("faq", "train"): "fc2d0e6c1a2e1550",
    ("faq", "valid"): "88e74266e3926254",
    ("faq", "hidden"): "93a75b1005302a63",
}


def test_corpus_golden_matches_kit_version() -> None:
    from graders.tinymodels.recipe import KIT_VERSION

    measured = {key: _digest(corpus_texts(*key, 50))[:16] for key in GOLDEN}  # type: ignore[arg-type]
    assert (KIT_VERSION, measured) == (GOLDEN_KIT_VERSION, GOLDEN), (
        "the corpora changed: bump KIT_VERSION and update GOLDEN_KIT_VERSION and GOLDEN"
    )
