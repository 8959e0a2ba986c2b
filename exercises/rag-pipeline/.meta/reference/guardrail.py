"""Reference guardrail: four numbers on the development set, each against a floor.

* **hit rate** — the known answer is in the pipeline's answer;
* **grounding** — every content word of each answer sentence occurs in one passage it cites (the
  cited passages are looked up among what ``retrieve`` returns for the same question);
* **citation rate** — the answer cites something;
* **retrieval recall@5** — a document that states the answer is among ``retrieve(question, 5)``.

A retriever returning random documents fails recall and the hit rate; a generator ignoring its
context fails grounding and the hit rate; dropped citations fail the citation rate (and grounding).

In CI:  python guardrail.py        (reads data/documents.jsonl and data/dev.jsonl; exits 1 on a regression)
"""

from __future__ import annotations

import json
import re
import string
import sys
from pathlib import Path
from typing import Any

FLOORS = {"hit_rate": 0.5, "grounding": 0.8, "citation_rate": 0.9, "recall_at_5": 0.6}
_STOP = set("a an the of in on at to by for from with and or is was were are be been it its this that as".split())


def _words(text: str) -> list[str]:
    text = "".join(c for c in text.lower() if c not in string.punctuation)
    return [w for w in text.split() if w not in _STOP]


def _contains(answer: str, truth: str) -> bool:
    a, t = " " + " ".join(_words(answer)) + " ", " " + " ".join(_words(truth)) + " "
    return t.strip() != "" and t in a


def _grounded(answer: str, cited_texts: list[str]) -> bool:
    words = _words(answer)
    if not words or not cited_texts:
        return False
    for sentence in re.split(r"(?<=[.!?])\s+", answer):
        sentence_words = _words(sentence)
        if sentence_words and not any(set(sentence_words) <= set(_words(t)) for t in cited_texts):
            return False
    return True


def measure(pipeline: Any, examples: list[dict[str, Any]]) -> dict[str, float]:
    hits = grounded = cited = recalled = 0
    for ex in examples:
        passages = pipeline.retrieve(ex["question"], 5)
        recalled += any(p["id"] in ex["documents"] for p in passages)
        out = pipeline.answer(ex["question"])
        hits += _contains(out["answer"], ex["answer"])
        cited += bool(out["citations"])
        known = {p["id"]: p["text"] for p in passages}  # answer() retrieves the same five passages
        grounded += _grounded(out["answer"], [known[c] for c in out["citations"] if c in known])
    n = max(1, len(examples))
    return {"hit_rate": hits / n, "grounding": grounded / n, "citation_rate": cited / n, "recall_at_5": recalled / n}


def evaluate(pipeline: Any, examples: list[dict[str, Any]]) -> bool:
    scores = measure(pipeline, examples)
    failed = {k: round(v, 3) for k, v in scores.items() if v < FLOORS[k]}
    print(f"guardrail: {', '.join(f'{k} {v:.2f}' for k, v in scores.items())}"
          + (f" — below the floor: {failed}" if failed else " — ok"), file=sys.stderr)
    return not failed


def main(folder: str = "data") -> int:
    from rag import Pipeline

    documents = [json.loads(line) for line in Path(folder, "documents.jsonl").read_text().splitlines()]
    examples = [json.loads(line) for line in Path(folder, "dev.jsonl").read_text().splitlines()]
    return 0 if evaluate(Pipeline(documents), examples) else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
