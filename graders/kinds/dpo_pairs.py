"""Preference pairs of kind ``dpo``: world-fact questions, the fact stated rightly vs wrongly.

A pure function of the seed, standard library only. Every question comes from the fixed world of
the tiny Llama's general corpus (:mod:`graders.tinymodels.corpora.world`): the invented
countries' capitals, languages and what they are famous for, opposites, colour mixes (85
questions; .meta/design.md says why not more). The **chosen** completion is
the answer sentence in the corpus's own wording; the **rejected** one is the *same sentence* with
the fact swapped for another value of the same attribute (``The capital of Esteral is Ormund.``),
so the two differ in the fact alone — which is what makes plain fine-tuning on the chosen
completions raise the rejected ones too (they share every other token).

**Splits.** Every question occurs in both splits; its *wrong values* are split, by a keyed BLAKE2
hash of (question, wrong value) — a pure function of the text, as the corpora's splits are. So a
hidden pair (drawn by the trusted measurer only) is never a training pair, whatever seed either
side uses: it pits the right fact against a wrong one the learner never saw rejected. The seed
chooses the questions' order and the wrong values. (Held-out *questions* would ask for facts no
training pair teaches; a 2M-parameter model does not transfer preferences to them — design.md.)
"""

from __future__ import annotations

import hashlib
import random
from typing import Literal, NamedTuple

from graders.tinymodels.corpora.words import COLORS, OPPOSITES
from graders.tinymodels.corpora.world import COLOR_MIXES, COUNTRIES

__all__ = ["HIDDEN_FRACTION", "Fact", "Pair", "PairSplit", "facts", "first_sentence", "pairs", "prompt_of", "split_of"]

PairSplit = Literal["train", "hidden"]
HIDDEN_FRACTION = 0.4


class Fact(NamedTuple):
    """One question, its answer sentence with the fact as ``{}``, the right value and wrong ones."""

    family: str
    question: str
    template: str
    value: str
    wrong: tuple[str, ...]


class Pair(NamedTuple):
    prompt: str
    chosen: str
    rejected: str


def prompt_of(question: str) -> str:
    """The prompt in the corpus's quiz layout: ``Q: …\\nA:`` (completions start with a space)."""
    return f"Q: {question}\nA:"


def _others(values: list[str], value: str) -> tuple[str, ...]:
    return tuple(sorted({v for v in values if v != value}))


def facts() -> list[Fact]:
    """Every question the pairs are drawn from (85), in a fixed order: the countries' capitals,
    languages and fames, opposites and colour mixes of the general corpus's world."""
    out: list[Fact] = []
    for c in COUNTRIES:
        out.append(Fact("capital", f"What is the capital of {c.name}?", f"The capital of {c.name} is {{}}.",
                        c.capital, _others([d.capital for d in COUNTRIES], c.capital)))
        out.append(Fact("language", f"What language do people speak in {c.name}?", f"People in {c.name} speak {{}}.",
                        c.language, _others([d.language for d in COUNTRIES], c.language)))
        out.append(Fact("famous", f"What is {c.name} famous for?", f"{c.name} is famous for {{}}.", c.famous_for,
                        _others([d.famous_for for d in COUNTRIES], c.famous_for)))
    words = [w for w, _ in OPPOSITES] + [o for _, o in OPPOSITES]
    for word, opposite in OPPOSITES:
        out.append(Fact("opposite", f"What is the opposite of {word}?", f"The opposite of {word} is {{}}.", opposite,
                        _others([w for w in words if w != word], opposite)))
    for c1, c2, mix in COLOR_MIXES:
        out.append(Fact("mix", f"What do {c1} and {c2} make?", f"{c1.capitalize()} and {c2} make {{}}.", mix,
                        _others([m for _, _, m in COLOR_MIXES] + list(COLORS[:8]), mix)))
    unique = {f.question: f for f in out}  # a question asked twice keeps its last fact
    return [f for f in out if unique[f.question] is f]


def split_of(question: str, wrong: str) -> PairSplit:
    """``hidden`` for about :data:`HIDDEN_FRACTION` of the wrong values of ``question``, ``train`` for
    the rest; a pure function of the two texts."""
    text = f"{question}|{wrong}"
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8, key=b"llm-sprint/dpo").digest()
    return "hidden" if int.from_bytes(digest, "big") / 2**64 < HIDDEN_FRACTION else "train"


def pairs(split: PairSplit, seed: int, size: int | None = None) -> list[Pair]:
    """``size`` preference pairs (default: one per question) drawn with ``seed``.

    Questions are shuffled by ``seed`` and cycled if ``size`` exceeds them; each pair's wrong value
    is drawn from the question's wrong values of ``split``. Deterministic for the same arguments.
    """
    rng = random.Random(f"dpo-pairs/{split}/{seed}")
    pool = [f for f in facts() if any(split_of(f.question, w) == split for w in f.wrong)]
    rng.shuffle(pool)
    n = len(pool) if size is None else size
    out: list[Pair] = []
    for i in range(n):
        fact = pool[i % len(pool)]
        wrong = rng.choice([w for w in fact.wrong if split_of(fact.question, w) == split])
        out.append(Pair(prompt_of(fact.question), " " + fact.template.format(fact.value),
                        " " + fact.template.format(wrong)))
    return out


def first_sentence(text: str) -> str:
    """The answer a greedy generation gives: its first line, up to and including the first ``.``."""
    line = text.strip().split("\n", 1)[0]
    end = line.find(".")
    return line if end < 0 else line[: end + 1]
