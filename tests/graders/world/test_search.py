"""Search queries drawn from a world: deterministic, judged, and built so each retriever misses some."""

from __future__ import annotations

import random
import re

from graders.world import WorldSize, build_world
from graders.world.search import draw_queries

SIZE = WorldSize(towns=10, persons=30, orgs=12)
FUNCTION_WORDS = {"into", "onto", "with", "from", "that", "them", "their", "upon", "after", "before", "every"}


def _queries(seed: int = 11, count: int = 80) -> tuple[object, list]:  # type: ignore[type-arg]
    world = build_world(seed, "search", SIZE)
    return world, draw_queries(world, count, rng=random.Random(f"test/{seed}"))


def test_the_same_rng_draws_the_same_queries() -> None:
    _, one = _queries()
    _, two = _queries()
    assert one == two


def test_every_query_has_a_document_of_relevance_two_and_only_known_documents() -> None:
    world, queries = _queries()
    ids = {d.id for d in world.documents()}  # type: ignore[attr-defined]
    for q in queries:
        assert 2 in q.qrels.values(), q
        assert set(q.qrels) <= ids
        assert set(q.qrels.values()) <= {1, 2}


def test_all_four_kinds_are_drawn() -> None:
    _, queries = _queries()
    assert {q.kind for q in queries} == {"code", "name", "paraphrase", "mixed"}


def test_a_code_query_names_a_code_its_article_holds_verbatim() -> None:
    world, queries = _queries()
    docs = {d.id: d.text for d in world.documents()}  # type: ignore[attr-defined]
    for q in (q for q in queries if q.kind == "code"):
        code = re.search(r"[A-Z]{2}-\d{4}", q.text)
        assert code, q.text
        best = [d for d, r in q.qrels.items() if r == 2]
        assert all(code.group(0) in docs[d] for d in best)


def test_a_product_paraphrase_shares_no_content_word_with_the_use_its_article_states() -> None:
    world, queries = _queries()
    for q in (q for q in queries if q.kind == "paraphrase"):
        best = [d for d, r in q.qrels.items() if r == 2]
        doc = next(d for d in world.documents() if d.id == best[0])  # type: ignore[attr-defined]
        product = world.entities[doc.about]  # type: ignore[attr-defined]
        if product.kind != "product":
            continue
        use = set(re.findall(r"[a-z]{4,}", product.facts["use"])) - FUNCTION_WORDS
        asked = set(re.findall(r"[a-z]{4,}", q.text.lower())) - FUNCTION_WORDS
        assert not use & asked, (q.text, product.facts["use"])
