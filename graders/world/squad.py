"""Extractive question answering over a world: SQuAD v1.1-format examples and the heuristic baselines.

Each example is a short context about one entity — its article — with *distractor* sentences about
other entities spliced in, and one question about a fact of the subject. The generator is built so
that heuristics fail (the extractive-qa grader reports their F1 beside the learner's):

* every context holds several entities of the answer's type (a person's article already names two
  towns and three years; distractors add more, one of them stating the *same relation* about
  someone else: "Olav Brenley was born in Quellin in 1811");
* the article's sentences come in a random order after the first, and name the subject by its full
  name or its short form (a surname, "the KX-4471"), as the question never does;
* questions are paraphrased: each relation has several question templates and several sentence
  templates, and a question rarely repeats its sentence's words ("Where did Vrennick make a new
  home?" against "Ada Vrennick settled in Tarsk in 1843").

:func:`first_of_type` and :func:`best_sentence` are the two baselines; both are given the answer's
type (they do not have to guess it from the question).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from graders.world import Entity, Mention, Sentence, World

__all__ = ["QUESTIONS", "QAExample", "best_sentence", "draw_examples", "first_of_type", "to_squad"]

# (kind, relation) → question templates; {s} is the subject's full name, other fields its facts.
QUESTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("person", "born_in"): ("Where was {s} born?", "In which town was {s} born?", "What is the birthplace of {s}?",
                            "Which town is the hometown of {s}?"),
    ("person", "born_year"): ("When was {s} born?", "In what year was {s} born?", "What year was {s} born in?",
                              "In which year did {s} come into the world?"),
    ("person", "moved_to"): ("Where did {s} move?", "To which town did {s} relocate?", "Which town did {s} settle in?",
                             "Where did {s} make a new home?"),
    ("person", "moved_year"): ("When did {s} move to {moved_to}?", "In what year did {s} relocate to {moved_to}?",
                               "When did {s} settle in {moved_to}?"),
    ("person", "rival"): ("Who was the rival of {s}?", "With whom did {s} compete?", "Who was {s}'s great rival?"),
    ("person", "mentor"): ("Who trained {s}?", "Who was the teacher of {s}?", "Under whom did {s} learn the craft?",
                           "Who taught {s}?"),
    ("org", "founder"): ("Who founded {s}?", "Who established {s}?", "Who started {s}?", "Which person set up {s}?"),
    ("org", "founded_year"): ("When was {s} founded?", "In what year was {s} established?",
                              "In which year did {s} open its doors?"),
    ("org", "based_in"): ("Where is {s} based?", "In which town does {s} have its headquarters?",
                          "Where are the workshops of {s}?", "In what town is {s} located?"),
    ("org", "director"): ("Who runs {s} today?", "Who is the current head of {s}?", "Who directs {s}?"),
    ("org", "branch"): ("Where did {s} open a second workshop?", "To which town did {s} expand?",
                        "Where does {s} have a branch?"),
    ("org", "branch_year"): ("When did {s} expand to {branch}?", "In what year did {s} open its workshop in {branch}?"),
    ("org", "branches"): ("How many sites does {s} have?", "In how many workshops does {s} operate?"),
    ("org", "workers"): ("How many people work at {s}?", "How many employees does {s} have?",
                         "How large is the staff of {s}?"),
    ("product", "maker"): ("Who makes {s}?", "Which company manufactures {s}?", "Which firm produces {s}?"),
    ("product", "designer"): ("Who designed {s}?", "Who was the designer of {s}?", "Whose design is {s}?"),
    ("product", "released"): ("When did {s} go on sale?", "In which year was {s} first sold?",
                              "When was {s} introduced?", "In what year did {s} reach the market?"),
    ("product", "patented"): ("When was {s} patented?", "In what year was the design of {s} protected?",
                              "Since when has {s} had a patent?"),
    ("product", "price"): ("How much does {s} cost?", "What is the price of {s}?",
                           "For how many crowns does {s} sell?"),
    ("product", "weight"): ("How much does {s} weigh?", "What is the mass of {s}?", "How heavy is {s}?"),
    ("town", "population"): ("How many people live in {s}?", "What is the population of {s}?",
                             "How many inhabitants does {s} have?"),
    ("town", "river"): ("On which river does {s} lie?", "Which river flows through {s}?", "What river is {s} on?"),
    ("town", "founded_year"): ("When was {s} founded?", "In what year did {s} receive its charter?",
                               "How far back does {s} date?"),
    ("town", "elevation"): ("How high above the sea is {s}?", "At what altitude does {s} stand?",
                            "What is the elevation of {s}?"),
    ("town", "bridge_year"): ("When was the bridge of {s} built?", "In what year did {s} get its stone bridge?"),
    ("town", "twin"): ("Which town is {s} twinned with?", "What is the partner town of {s}?"),
    ("town", "mayor"): ("Who is the mayor of {s}?", "Who governs {s}?", "Who runs {s} as mayor?"),
}

# How often each kind is the subject of a question (people have the most facts).
_KIND_WEIGHTS = {"person": 0.35, "org": 0.2, "product": 0.25, "town": 0.2}


@dataclass(frozen=True)
class QAExample:
    id: str
    title: str
    question: str
    context: str
    answer: str
    answer_start: int
    answer_type: str
    mentions: tuple[Mention, ...]  # every entity mention in the context, offsets into it


def _join(sentences: list[Sentence]) -> tuple[str, list[Mention], list[int]]:
    """Sentences joined by one space; their mentions shifted to context offsets; each one's start."""
    parts, mentions, starts = [], [], []
    pos = 0
    for s in sentences:
        starts.append(pos)
        parts.append(s.text)
        mentions += [Mention(m.start + pos, m.end + pos, m.type, m.key) for m in s.mentions]
        pos += len(s.text) + 1
    return " ".join(parts), mentions, starts


def _question(world: World, subject: Entity, relation: str, rng: random.Random) -> str:
    template = rng.choice(QUESTIONS[(subject.kind, relation)])
    slots = {"s": subject.name}
    for name in re.findall(r"\{(\w+)\}", template):
        if name != "s":
            value = subject.facts[name]
            slots[name] = world.entities[value].name if value in world.entities else value
    text = template.format(**slots)
    return text[:1].upper() + text[1:]


def _distractors(world: World, subject: Entity, relation: str, rng: random.Random, count: int) -> list[Sentence]:
    """``count`` sentences about other entities: one or two state the asked relation about another
    entity of the subject's kind (so the question's words point at several sentences), up to two
    name the subject in another role ("Ada Vrennick was the teacher of Olav Brenley" — its name is
    in the question too), the rest are about anything else."""
    from graders.world import ARTICLE, TEMPLATES, _has_facts

    out: list[Sentence] = []
    group = next(g for g in ARTICLE[subject.kind] if any(relation in rel for _, rel in TEMPLATES[g]))
    same = [e for e in world.of_kind(subject.kind) if e.key != subject.key and relation in e.facts]
    for other in rng.sample(same, min(len(same), rng.randint(1, 2))):
        out.append(world.sentence(other, group, rng, first=True))
    pointing = [(e, g) for e, g in world.pointing_at(subject.key)]
    for other, g in rng.sample(pointing, min(len(pointing), rng.randint(0, 2))):
        out.append(world.sentence(other, g, rng, first=True))
    pool = [e for e in world.entities.values() if e.key != subject.key]
    while len(out) < count:
        other = rng.choice(pool)
        groups = [g for g in ARTICLE[other.kind]
                  if _has_facts(other, g) and (g != "person.trade" or rng.random() < 0.3)]
        sentence = world.sentence(other, rng.choice(groups), rng, first=True)
        if all(m.key != subject.key for m in sentence.mentions):
            out.append(sentence)
    return out


def draw_examples(world: World, count: int, *, rng: random.Random | None = None, distractors: tuple[int, int] = (3, 5),
                  id_prefix: str = "q") -> list[QAExample]:
    """``count`` questions about ``world``, each with its own context (see the module docstring)."""
    rng = rng or random.Random(f"llm-sprint/world/{world.seed}/{world.stream}/qa")
    kinds = list(_KIND_WEIGHTS)
    weights = [_KIND_WEIGHTS[k] for k in kinds]
    examples: list[QAExample] = []
    while len(examples) < count:
        kind = rng.choices(kinds, weights)[0]
        subject = rng.choice(world.of_kind(kind))
        article = world.article(subject, rng)
        stated = {r for s in article for (_, r) in s.facts}
        relation = rng.choice([r for (k, r) in QUESTIONS if k == kind and r in stated])
        extra = _distractors(world, subject, relation, rng, rng.randint(*distractors))
        sentences = list(article)
        for s in extra:
            sentences.insert(rng.randint(0, len(sentences)), s)
        context, mentions, starts = _join(sentences)
        index = next(i for i, s in enumerate(sentences) if (subject.key, relation) in s.facts)
        value = subject.facts[relation]
        local = next(m for m in sentences[index].mentions  # an entity's mention has its key, a literal its text
                     if m.key == value and m.type == _type(subject, relation))
        start = starts[index] + local.start
        answer = context[start:start + local.end - local.start]
        question = _question(world, subject, relation, rng)
        examples.append(QAExample(f"{id_prefix}{len(examples):05d}", subject.name, question,
                                  context, answer, start, local.type, tuple(mentions)))
    return examples


def _type(subject: Entity, relation: str) -> str:
    from graders.world import RELATIONS

    return RELATIONS[subject.kind][relation]


def to_squad(examples: list[QAExample], *, with_answers: bool = True) -> dict[str, Any]:
    """The SQuAD v1.1 JSON layout: one article per example, one paragraph, one question."""
    data = []
    for ex in examples:
        qa: dict[str, Any] = {"id": ex.id, "question": ex.question}
        if with_answers:
            qa["answers"] = [{"text": ex.answer, "answer_start": ex.answer_start}]
        data.append({"title": ex.title, "paragraphs": [{"context": ex.context, "qas": [qa]}]})
    return {"version": "1.1", "data": data}


# -- heuristic baselines ---------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset("a an the of in on at to by for from and or is was were are did does do who what when where which "  # noqa: SIM905
                  "how many much whom whose year town people".split())


def _candidates(ex: QAExample) -> list[Mention]:
    """Mentions of the answer's type that the question does not itself name."""
    asked = ex.question.lower()
    return [m for m in ex.mentions if m.type == ex.answer_type and ex.context[m.start:m.end].lower() not in asked]


def first_of_type(ex: QAExample) -> str:
    """Baseline 1: the first entity of the answer's type in the context (that the question does not name)."""
    found = _candidates(ex)
    return ex.context[found[0].start:found[0].end] if found else ""


def best_sentence(ex: QAExample) -> str:
    """Baseline 2: in the sentence sharing most words with the question, the first entity of the
    answer's type (that the question does not name); else baseline 1."""
    words = set(_WORD.findall(ex.question.lower())) - _STOP
    found = _candidates(ex)
    if not found:
        return ""
    bounds = [(m.start(), m.end()) for m in re.finditer(r"[^.]+\.", ex.context)]

    def overlap(mention: Mention) -> int:
        start, end = next(((a, b) for a, b in bounds if a <= mention.start < b), (0, len(ex.context)))
        return len(words & set(_WORD.findall(ex.context[start:end].lower())))

    best = max(found, key=lambda m: (overlap(m), -m.start))
    return ex.context[best.start:best.end]
