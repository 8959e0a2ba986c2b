"""Groundedness: the share of an answer's sentences that a passage it cites supports.

The checker, precisely (the rag-pipeline README states the same):

1. **Sentences.** The answer is cut after ``.``, ``!`` or ``?`` followed by white space or the end.
   A sentence with no *content token* (below) states nothing and is not counted; an answer with no
   counted sentence has groundedness 0 (it grounded nothing).
2. **Tokens.** Lower-cased runs of letters and digits. *Content tokens* are those not in
   :data:`STOPWORDS`. *Key tokens* are content tokens that hold a digit or were written with a
   capital letter in the sentence: names, codes, years, quantities — what a fabricated answer gets
   wrong.
3. **Support.** A cited passage supports a sentence when **one sentence of the passage**, read
   together with the passage's title (the name of what the passage is about: a "she" or "it" in
   the passage refers to it), holds **every key token** of the answer's sentence, **and** either at
   least :data:`LEXICAL_RECALL` (80 %) of its content tokens (a quotation or a close rewording), or
   the answer sentence's embedding is within :data:`SEMANTIC_SIMILARITY` (cosine ≥ 0.70) of that
   passage sentence (a paraphrase; all-MiniLM-L6-v2 in the grader). One sentence at a time, so a
   claim stitched from two facts ("born in" one, "the town" of another) is not supported.
4. **Groundedness** of one answer = supported sentences / counted sentences, against the passages
   it cites (ids that name no document support nothing). A pipeline's groundedness is the mean
   over questions.

The key-token rule is what makes a paraphrase acceptable and a swapped name or number not: "Ada
Vrennick was born in Quellin" has a cosine of 0.9 with "Ada Vrennick was born in Tarsk", but
``quellin`` is a key token the passage does not hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = ["LEXICAL_RECALL", "SEMANTIC_SIMILARITY", "STOPWORDS", "Embed", "Passage", "content_tokens",
           "groundedness", "key_tokens", "sentences", "supported"]

LEXICAL_RECALL = 0.8
SEMANTIC_SIMILARITY = 0.70

#: ``embed(texts) -> vectors``: one L2-normalised vector (a list of floats) per text.
Embed = Callable[[Sequence[str]], Sequence[Sequence[float]]]

STOPWORDS = frozenset("""
a an the and or but if then so as of in on at to by for from with without about into onto over under
after before since until during between through is are was were be been being am has have had do does did
it its it's this that these those there here who whom whose which what when where why how all any each
every some no not nor only own same such than too very can could will would shall should may might must
i me my we our you your he him his she her they them their one also just yes well still now
""".split())  # noqa: SIM905 - a word list reads best as text

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_TOKEN = re.compile(r"[A-Za-z0-9]+")


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (see rule 1), stripped; empty pieces dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def content_tokens(sentence: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(sentence) if t.lower() not in STOPWORDS]


def key_tokens(sentence: str) -> set[str]:
    """Content tokens holding a digit or written with a capital letter (names, codes, numbers)."""
    return {t.lower() for t in _TOKEN.findall(sentence)
            if t.lower() not in STOPWORDS and (any(c.isdigit() for c in t) or t[0].isupper())}


def _tokens(text: str) -> set[str]:
    return {t.lower() for t in _TOKEN.findall(text)}


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    return float(sum(x * y for x, y in zip(a, b, strict=True)))


#: A cited passage: its text, or ``(title, text)``.
Passage = str | tuple[str, str]


def supported(sentence: str, passage: Passage, embed: Embed | None = None) -> bool:
    """Does ``passage`` support ``sentence`` (rule 3)? Without ``embed`` only the lexical branch."""
    title, text = passage if isinstance(passage, tuple) else ("", passage)
    keys, content = key_tokens(sentence), content_tokens(sentence)
    if not content:
        return False
    candidates = []
    for piece in sentences(text) or [text]:
        words = _tokens(title) | _tokens(piece)
        if not keys <= words:
            continue
        if sum(t in words for t in content) / len(content) >= LEXICAL_RECALL:
            return True
        candidates.append(piece)
    if embed is None or not candidates:
        return False
    vectors = embed([sentence, *candidates])
    return max(_cosine(vectors[0], v) for v in vectors[1:]) >= SEMANTIC_SIMILARITY


def groundedness(answer: str, cited: Sequence[Passage], embed: Embed | None = None) -> float:
    """Share of ``answer``'s counted sentences supported by at least one of the ``cited`` passages."""
    counted = [s for s in sentences(answer) if content_tokens(s)]
    if not counted:
        return 0.0
    return sum(any(supported(s, p, embed) for p in cited) for s in counted) / len(counted)
