"""The hidden data of kind ``vector-index``: a generated world written as PDFs, questions about it, and
synthetic embedding-like vectors.

**The world** (:func:`world`): one short guide per invented town — ``doc-000.pdf`` … — three or four
A5 pages of prose about it (history, trade, people, landmarks), a page of facts and figures as a
table in most of them, a page in two columns in half of them. Each guide states eight or so *facts*
whose answer is a *key* no other place in the corpus holds (an invented name, a shelf mark, a postal
code): so a passage answers a question exactly when it contains the key, and the key sits on one
known page of one known file. Every page also carries filler about the same town, and the facts of
all towns follow the same few patterns, so only the town's name and the question's meaning find
the right passage. :func:`write_pdfs` writes the guides with fpdf2 (Helvetica, core fonts only: the
text is ASCII). :func:`questions` draws the hidden questions, each a paraphrase of its fact.

**The vectors** (:func:`vectors`): ``n`` unit vectors of ``dim`` dimensions clustered like sentence
embeddings (a few dozen centres, a low-rank spread inside each, a little isotropic noise), and
queries drawn the same way — what a compressed index is for.

Deterministic from the seed. ``random`` for the world; numpy only in :func:`vectors`; fpdf2 only in
:func:`write_pdfs`.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Document", "Fact", "normalise", "questions", "vectors", "world", "write_pdfs"]

_ONSETS = ("b", "br", "c", "d", "dr", "f", "g", "gr", "h", "k", "kr", "l", "m", "n", "p", "r", "s", "st", "t", "tr",
           "v", "w", "z", "th", "sh", "bl", "gl", "sk", "qu", "y")
_VOWELS = ("a", "e", "i", "o", "u", "ae", "ei", "ou", "ia", "y")
_CODAS = ("", "", "n", "r", "l", "s", "th", "nd", "rk", "m", "x", "st", "rn", "ll")
_TOWN_ENDS = ("holm", "wick", "bury", "mouth", "stead", "ford", "haven", "by", "dale", "gate", "mere", "thorpe")


def normalise(text: str) -> str:
    """How passages and keys are compared: whitespace runs as one space, case folded."""
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass
class Fact:
    doc: str  # the file name, "doc-017.pdf"
    page: int  # 1-based
    sentence: str
    question: str
    key: str  # the answer; unique in the corpus


@dataclass
class Block:
    kind: str  # "heading", "para", "table", "columns"
    text: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Document:
    name: str
    town: str
    pages: list[list[Block]]
    facts: list[Fact]


class _Names:
    """Invented words, each used once in a corpus."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def word(self, syllables: tuple[int, int] = (2, 3), end: str = "") -> str:
        while True:
            n = self.rng.randint(*syllables)
            w = "".join(self.rng.choice(_ONSETS) + self.rng.choice(_VOWELS) + self.rng.choice(_CODAS)
                        for _ in range(n)) + end
            w = w[:1].upper() + w[1:]
            if w.lower() not in self.used and len(w) >= 5:
                self.used.add(w.lower())
                return w

    def code(self) -> str:
        while True:
            letters = "".join(self.rng.choice("BCDFGHKLMNPQRSTVWXZ") for _ in range(2))
            c = f"{letters}{self.rng.randrange(1000, 10000)}"
            if c.lower() not in self.used:
                self.used.add(c.lower())
                return c

    def number(self) -> str:
        while True:
            c = str(self.rng.randrange(10000, 100000))
            if c not in self.used:
                self.used.add(c)
                return c


# (sentence, question, key kind). {T}: the town; {K}: the key; {A}: an invented first name.
_PROSE_FACTS = (
    ("The old lighthouse of {T} was designed by the architect {A} {K}, who also drew the harbour walls.",
     "Who was the architect of the old lighthouse in {T}?", "word"),
    ("The oldest bakery in {T} is famous for a dark rye loaf that everyone calls {K}.",
     "What do people call the dark rye loaf of the oldest bakery in {T}?", "word"),
    ("The river that runs through {T} is known to the locals as the {K}.",
     "What name do the people of {T} give to the river flowing through their town?", "word"),
    ("Every spring {T} holds the {K} festival, when the harbour is lit with paper lanterns.",
     "What is the spring lantern festival of {T} called?", "word"),
    ("The town archive of {T} keeps its medieval charters under the shelf mark {K}.",
     "Under which shelf mark does the archive of {T} keep its medieval charters?", "code"),
    ("{T} has been twinned for many years with the distant port of {K}.",
     "Which distant port is {T} twinned with?", "word"),
    ("The first mayor of {T} was {A} {K}, elected by the guild of weavers.",
     "Who became the first mayor of {T}?", "word"),
    ("The football club of {T} plays its home games at a ground called {K} Park.",
     "At which ground does the football club of {T} play at home?", "word"),
    ("A rare orchid named {K} grows only on the cliffs north of {T}.",
     "Which rare orchid grows only on the cliffs near {T}?", "word"),
    ("The ferry that links {T} to the mainland is an old steamer called the {K}.",
     "What is the name of the old steamer ferry serving {T}?", "word"),
)
_TABLE_FACTS = (
    ("Postal code", "The postal code of {T} is {K}.", "What is the postal code of {T}?", "number"),
    ("Main square", "The main square of {T} is {K} Square.", "What is the name of the main square in {T}?", "word"),
    ("Patron saint", "The patron saint of {T} is Saint {K}.", "Who is the patron saint of {T}?", "word"),
)
_FILLER = (
    "The streets of {T} are narrow and paved with grey stone.",
    "Many visitors arrive in {T} on the morning ferry and leave before dark.",
    "In winter the wind from the sea makes {T} a quiet place.",
    "Fishing boats still leave the harbour of {T} before sunrise.",
    "The market of {T} sells cheese, smoked fish and wool from the hills.",
    "Most houses in {T} have red roofs and small gardens behind them.",
    "Children in {T} learn to sail before they learn to ride a bicycle.",
    "The people of {T} are proud of their long history of trade.",
    "A small museum in {T} shows old maps, coins and ship models.",
    "The road out of {T} climbs through pine woods to the high pastures.",
    "On summer evenings the squares of {T} fill with music and dancing.",
    "Several families in {T} have kept bees on the hillsides for generations.",
    "The church bells of {T} can be heard far out at sea on a calm day.",
    "Travellers often say that {T} is best seen from the water.",
    "The harbour master of {T} keeps a careful record of every ship that enters.",
    "Rain is common in {T}, and most people carry an umbrella all year.",
    "The school of {T} was rebuilt after a fire in the last century.",
    "Old stories in {T} tell of a sea monster seen near the rocks.",
    "There is a good inn in {T} where the fish soup is cheap and hot.",
    "Walkers can follow the coastal path from {T} to the next village in an afternoon.",
    "The library of {T} opens late on Thursdays, when the reading room is full of students.",
    "Most of the shops in {T} close at noon on Saturdays and stay shut until Monday.",
    "The bridge over the river in {T} was widened when the first motor cars arrived.",
    "Every house on the hill above {T} has a view of the lighthouse and the bay.",
    "The bus from {T} to the city runs twice a day and takes most of the morning.",
    "Local painters have long been drawn to {T} by the changing light over the water.",
    "The tide in {T} is strong, and swimmers are warned to stay close to the beach.",
    "In autumn the hills around {T} turn red and gold, and the apple harvest begins.",
    "A weekly newspaper has been printed in {T} for more than a hundred years.",
    "The old town wall of {T} can still be walked from the harbour to the north gate.",
    "Farmers bring their sheep down to the fields near {T} before the first snow.",
    "The cafe by the harbour of {T} is where the fishermen meet after their work.",
)
_HEADINGS = ("History and people", "Trade and daily life", "Around town", "Landmarks", "The harbour", "Seasons")


def world(seed: int, n_docs: int = 100) -> list[Document]:
    """The run's guides: ``n_docs`` towns, their pages and their facts."""
    rng = random.Random(f"vector-world-{seed}")
    names = _Names(rng)
    docs = []
    for i in range(n_docs):
        town = names.word((2, 2), rng.choice(_TOWN_ENDS))
        name = f"doc-{i:03d}.pdf"
        prose = [f for f in _PROSE_FACTS if rng.random() < 0.7] or [_PROSE_FACTS[0]]
        rng.shuffle(prose)
        table = rng.random() < 0.7
        columns = rng.random() < 0.5
        n_pages = 3 if len(prose) <= 6 else 4
        pages: list[list[Block]] = [[] for _ in range(n_pages)]
        facts: list[Fact] = []
        # Prose facts go round the pages; each page gets filler around them.
        per_page: list[list[str]] = [[] for _ in range(n_pages)]
        for j, (sentence, question, kind) in enumerate(prose):
            key = names.code() if kind == "code" else names.word()
            text = sentence.format(T=town, K=key, A=names.word((2, 2)))
            page = j % n_pages
            per_page[page].append(text)
            facts.append(Fact(name, page + 1, text, question.format(T=town), key))
        filler = [s.format(T=town) for s in rng.sample(_FILLER, len(_FILLER))]
        for p in range(n_pages):
            sentences = per_page[p] + [filler.pop() for _ in range(rng.randint(4, 5))]  # an A5 page: ~600 chars
            rng.shuffle(sentences)
            paragraph = " ".join(sentences)
            if p == 0:
                pages[p].append(Block("heading", f"A short guide to {town}"))
                pages[p].append(Block("para", paragraph))
            elif p == 1 and table:
                rows = [("Founded", str(rng.randrange(1100, 1900))),
                        ("Population", f"{rng.randrange(800, 60000):,}"),
                        ("Elevation", f"{rng.randrange(2, 400)} m")]
                for label, sentence, question, kind in _TABLE_FACTS:
                    key = names.number() if kind == "number" else names.word()
                    value = sentence.format(T=town, K=key).rsplit(" is ", 1)[1].rstrip(".")
                    rows.append((label, value))
                    facts.append(Fact(name, p + 1, f"{label}: {value}", question.format(T=town), key))
                rng.shuffle(rows)
                pages[p].append(Block("heading", f"{town} in facts and figures"))
                pages[p].append(Block("para", paragraph))
                pages[p].append(Block("table", rows=[("Figure", "Value"), *rows]))
            elif p == n_pages - 1 and columns:
                pages[p].append(Block("heading", rng.choice(_HEADINGS)))
                pages[p].append(Block("columns", paragraph))
            else:
                pages[p].append(Block("heading", rng.choice(_HEADINGS)))
                pages[p].append(Block("para", paragraph))
        docs.append(Document(name, town, pages, facts))
    return docs


def questions(seed: int, docs: list[Document], n: int) -> list[Fact]:
    """``n`` hidden questions: at most one per guide first, then more from the guides again."""
    rng = random.Random(f"vector-questions-{seed}")
    order = list(docs)
    rng.shuffle(order)
    picked: list[Fact] = []
    while len(picked) < n:
        for doc in order:
            remaining = [f for f in doc.facts if f not in picked]
            if remaining and len(picked) < n:
                picked.append(rng.choice(remaining))
        if all(all(f in picked for f in d.facts) for d in docs):
            break
    return picked


def write_pdfs(docs: list[Document], folder: Path) -> None:
    """Write each guide as ``folder/<doc.name>`` (A5, Helvetica; fpdf2)."""
    import warnings

    from fpdf import FPDF

    folder.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # fpdf2 notes a change of the A5 size in an old release
            pdf = FPDF(format="A5")
        pdf.set_auto_page_break(False)
        pdf.set_title(f"A short guide to {doc.town}")
        for blocks in doc.pages:
            pdf.add_page()
            for block in blocks:
                if block.kind == "heading":
                    pdf.set_font("Helvetica", "B", 13)
                    pdf.multi_cell(0, 7, block.text, new_x="LMARGIN", new_y="NEXT")
                    pdf.ln(2)
                elif block.kind == "para":
                    pdf.set_font("Helvetica", size=10)
                    pdf.multi_cell(0, 5, block.text, new_x="LMARGIN", new_y="NEXT")
                    pdf.ln(2)
                elif block.kind == "columns":
                    pdf.set_font("Helvetica", size=10)
                    with pdf.text_columns(ncols=2, gutter=6) as cols:
                        cols.write(block.text)
                elif block.kind == "table":
                    pdf.set_font("Helvetica", size=9)
                    with pdf.table(col_widths=(45, 55), text_align="LEFT") as table:
                        for label, value in block.rows:
                            row = table.row()
                            row.cell(label)
                            row.cell(value)
                    pdf.ln(3)
        pdf.output(str(folder / doc.name))


def vectors(seed: int, n: int, queries: int, dim: int = 384) -> tuple[Any, Any]:
    """``n`` database vectors and ``queries`` query vectors, float32, unit length, embedding-like."""
    import numpy as np

    rng = np.random.default_rng(np.random.SeedSequence([seed, 384_000]))
    centres = rng.standard_normal((48, dim)).astype(np.float32)
    basis = rng.standard_normal((32, dim)).astype(np.float32) / np.sqrt(32)

    def draw(m: int) -> Any:
        which = rng.integers(0, len(centres), m)
        x = centres[which] * 0.8 + rng.standard_normal((m, 32)).astype(np.float32) @ basis * 1.2
        x += rng.standard_normal((m, dim)).astype(np.float32) * 0.15
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        return x.astype(np.float32)

    return draw(n), draw(queries)
