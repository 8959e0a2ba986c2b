"""Search queries over a world's documents, with graded relevance judgements.

The query set is built so that neither lexical nor dense retrieval suffices alone:

* **codes** — "Which device carries the code FC-4326?": the code is a rare token BM25 matches
  exactly; to a sentence embedding every product article looks alike;
* **names** — "What do we know about Grouspomsby?": an invented surname, again a rare token;
* **paraphrases** — "Which machine tells seafarers that bad weather is coming?" for an article
  saying "warns sailors of approaching storms": no content word in common (phrases.py keeps
  each pair disjoint), so BM25 scores nothing, while the embedding knows the meaning;
* **mixed** — "Which firm builds the machine that tells seafarers that bad weather is coming?" (the
  product's article names its maker) or "Where did the glassblower Vrennick settle?".

Relevance: 2 — the document about the entity the query asks for (all of them, for a trade several
people share); 1 — another document that mentions that entity (its maker, its designer's
article…). Standard library only.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from graders.world import Entity, World, phrases

__all__ = ["Query", "draw_queries"]

_PARAPHRASE = {use: paraphrase for _, use, paraphrase in phrases.DEVICES}
_TRADE_PARAPHRASE = {detail: paraphrase for _, detail, paraphrase in phrases.TRADES}

_CODE = ("Which device carries the code {code}?", "{code}", "What is the {code}?", "Specifications of the {code}",
         "Who makes the {code}?")
_NAME = ("What do we know about {surname}?", "{surname}", "Who was {first} {surname}?", "The life of {surname}")
_ORG_NAME = ("Tell me about {brand}", "{brand} history", "What does {brand} make?")
_USE = ("Which appliance {p}?", "A device that {p}", "Is there an instrument that {p}?", "Something that {p}")
_TRADE = ("Who {p}?", "The person who {p}", "Which craftsman {p}?")
_MAKER = ("Which firm builds the appliance that {p}?", "The company behind the device that {p}")
_TRADE_NAME = ("What did the {trade} {surname} do?", "{surname} the {trade}")


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    kind: str  # code | name | paraphrase | mixed
    qrels: dict[str, int]  # document id → relevance (1 or 2)


def _qrels(world: World, keys: list[str]) -> dict[str, int]:
    """2 for the documents about ``keys``, 1 for other documents mentioning one of them."""
    docs = world.documents()
    out = {d.id: 2 for d in docs if d.about in keys}
    for d in docs:
        if d.id not in out and any(d.mentions_entity(k) for k in keys):
            out[d.id] = 1
    return out


def _trade_paraphrase(person: Entity) -> str:
    return _TRADE_PARAPHRASE[person.detail]


def draw_queries(world: World, count: int, *, rng: random.Random | None = None,
                 mix: tuple[float, float, float, float] = (0.25, 0.2, 0.35, 0.2)) -> list[Query]:
    """``count`` queries in the proportions ``mix`` (codes, names, paraphrases, mixed)."""
    rng = rng or random.Random(f"llm-sprint/world/{world.seed}/{world.stream}/queries")
    products, persons, orgs = world.of_kind("product"), world.of_kind("person"), world.of_kind("org")
    by_trade: dict[str, list[str]] = {}
    for p in persons:
        by_trade.setdefault(p.detail, []).append(p.key)
    out: list[Query] = []
    kinds = ("code", "name", "paraphrase", "mixed")
    while len(out) < count:
        kind = rng.choices(kinds, mix)[0]
        qid = f"query-{len(out):03d}"
        if kind == "code":
            r = rng.choice(products)
            out.append(Query(qid, rng.choice(_CODE).format(code=r.facts["code"]), kind, _qrels(world, [r.key])))
        elif kind == "name":
            if rng.random() < 0.7:
                p = rng.choice(persons)
                first, surname = p.name.split(" ", 1)
                text = rng.choice(_NAME).format(first=first, surname=surname)
                out.append(Query(qid, text, kind, _qrels(world, [p.key])))
            else:
                o = rng.choice(orgs)
                out.append(Query(qid, rng.choice(_ORG_NAME).format(brand=o.name), kind, _qrels(world, [o.key])))
        elif kind == "paraphrase":
            if rng.random() < 0.6:
                r = rng.choice(products)
                text = rng.choice(_USE).format(p=_PARAPHRASE[r.facts["use"]])
                out.append(Query(qid, text, kind, _qrels(world, [r.key])))
            else:
                p = rng.choice(persons)
                text = rng.choice(_TRADE).format(p=_trade_paraphrase(p))
                out.append(Query(qid, text, kind, _qrels(world, by_trade[p.detail])))
        else:
            if rng.random() < 0.5:
                r = rng.choice(products)
                maker = r.facts["maker"]
                text = rng.choice(_MAKER).format(p=_PARAPHRASE[r.facts["use"]])
                qrels = _qrels(world, [maker])
                qrels[world.document_of(r.key).id] = 2  # the article that names the maker
                out.append(Query(qid, text, kind, qrels))
            else:
                p = rng.choice(persons)
                trade = p.facts["trade"].split(" ", 1)[1]
                text = rng.choice(_TRADE_NAME).format(trade=trade, surname=p.short)
                out.append(Query(qid, text, kind, _qrels(world, [p.key])))
    return out
