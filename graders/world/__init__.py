"""A generated world — towns, people, firms, products and the facts between them — drawn per seed.

The 12-week targets of issue 17 grade against it (hybrid-search, rag-pipeline; extractive-qa is
meant to): the grader draws a world from the run's seed, gives the learner what it may see (a
document collection, a public development set) and keeps what it measures with (queries with
relevance judgements, hidden questions and their answers).
Every name in a world is invented from syllables, so a world drawn with a fresh seed is about
people, towns and codes no learner has trained on; the *shape* of the facts is fixed, so it can be
learned.

``build_world(seed, stream)`` is a pure function of its arguments (string-seeded ``random.Random``,
stable across Python versions and machines). ``stream`` separates the draws of one run (hybrid-search
uses ``"search"``; a training and a hidden stream of one seed draw different names). Standard
library only; importing it is cheap.

Facts are rendered as :class:`Sentence` objects that remember where each entity is mentioned
(:class:`Mention`: character span, type, the entity's key) and which facts they state — so a
question's answer span, a heuristic baseline ("the first town in the context") and a relevance
judgement ("this document states the asked fact") are all computed from the same record.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from graders.world import phrases

__all__ = ["Document", "Entity", "Mention", "Sentence", "World", "WorldSize", "build_world", "render"]

# Entity kinds and the relations each one has (relation → type of the object).
RELATIONS: dict[str, dict[str, str]] = {
    "person": {"born_in": "TOWN", "born_year": "YEAR", "moved_to": "TOWN", "moved_year": "YEAR",
               "mentor": "PERSON", "rival": "PERSON", "trade": "TRADE"},
    "org": {"founder": "PERSON", "founded_year": "YEAR", "based_in": "TOWN", "workers": "NUMBER",
            "director": "PERSON", "branch": "TOWN", "branch_year": "YEAR", "branches": "NUMBER"},
    "product": {"maker": "ORG", "designer": "PERSON", "released": "YEAR", "patented": "YEAR", "weight": "NUMBER",
                "price": "NUMBER", "code": "CODE", "use": "USE"},
    "town": {"population": "NUMBER", "elevation": "NUMBER", "river": "RIVER", "founded_year": "YEAR",
             "bridge_year": "YEAR", "mayor": "PERSON", "twin": "TOWN"},
}


@dataclass(frozen=True)
class WorldSize:
    towns: int = 20
    persons: int = 60
    orgs: int = 30
    products: int = len(phrases.DEVICES)

    def __post_init__(self) -> None:
        if not 1 <= self.products <= len(phrases.DEVICES):
            raise ValueError(f"products must be 1..{len(phrases.DEVICES)} (each has its own device)")
        if min(self.towns, self.persons, self.orgs) < 4:
            raise ValueError("a world needs at least 4 towns, persons and orgs (distractors come from them)")


@dataclass
class Entity:
    """One thing in the world. ``facts`` maps a relation to the object's key (another entity) or,
    for literal objects (years, numbers, codes, uses), to its text."""

    key: str  # "person:3"
    kind: str  # person | org | product | town
    name: str  # how questions name it: "Ada Vrennick", "Vrennick Glassworks", "the Vrennick KX-4471", "Tarsk"
    facts: dict[str, str] = field(default_factory=dict)
    short: str = ""  # a second way the text refers to it: a surname, "the KX-4471"
    pronoun: str = ""
    detail: str = ""  # a person's trade description; a product's device noun


@dataclass(frozen=True)
class Mention:
    start: int  # character offsets into the text the mention belongs to
    end: int
    type: str  # PERSON ORG TOWN YEAR NUMBER CODE RIVER TRADE USE
    key: str  # the entity's key, or the literal's text


@dataclass(frozen=True)
class Sentence:
    text: str
    mentions: tuple[Mention, ...]
    facts: tuple[tuple[str, str], ...]  # (subject key, relation) stated by this sentence
    about: str  # the subject's key


@dataclass(frozen=True)
class Document:
    id: str
    about: str  # the entity's key
    title: str
    sentences: tuple[Sentence, ...]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    def states(self, subject: str, relation: str) -> bool:
        return any((subject, relation) in s.facts for s in self.sentences)

    def mentions_entity(self, key: str) -> bool:
        return any(m.key == key for s in self.sentences for m in s.mentions)


# -- rendering ---------------------------------------------------------------------------------

_FIELD = re.compile(r"\{(\w+)\}")


def render(template: str, slots: dict[str, tuple[str, str, str]], facts: Sequence[tuple[str, str]],
           about: str) -> Sentence:
    """Fill ``template``'s ``{slot}`` fields; ``slots[name] = (text, type, key)``. An empty type is
    plain text (no mention). The first character is capitalised."""
    out: list[str] = []
    mentions: list[Mention] = []
    pos = 0
    length = 0
    for match in _FIELD.finditer(template):
        literal = template[pos:match.start()]
        out.append(literal)
        length += len(literal)
        text, type_, key = slots[match.group(1)]
        if type_:
            mentions.append(Mention(length, length + len(text), type_, key))
        out.append(text)
        length += len(text)
        pos = match.end()
    out.append(template[pos:])
    text = "".join(out)
    text = text[:1].upper() + text[1:]
    return Sentence(text, tuple(mentions), tuple(facts), about)


# Each entry: (template, the relations it states). {s} is the subject.
TEMPLATES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "person.born": (
        ("{s} was born in {born_in} in {born_year}.", ("born_in", "born_year")),
        ("{s} was born in {born_year} in the town of {born_in}.", ("born_in", "born_year")),
        ("{s} came into the world in {born_in} in {born_year}.", ("born_in", "born_year")),
        ("In {born_year}, {s} was born in {born_in}.", ("born_in", "born_year")),
        ("{born_in} is where {s} was born, in {born_year}.", ("born_in", "born_year")),
    ),
    "person.trade": (
        ("{s} worked as {trade} and {detail}.", ("trade",)),
        ("As {trade}, {s} {detail}.", ("trade",)),
    ),
    "person.moved": (
        ("In {moved_year}, {s} moved to {moved_to}.", ("moved_to", "moved_year")),
        ("{s} settled in {moved_to} in {moved_year}.", ("moved_to", "moved_year")),
        ("{s} left home for {moved_to} in {moved_year}.", ("moved_to", "moved_year")),
        ("{s} made a new home in {moved_to} from {moved_year} onwards.", ("moved_to", "moved_year")),
        ("In {moved_year}, {s} moved from {born_in} to {moved_to}.", ("moved_to", "moved_year")),
        ("{s} left {born_in} for {moved_to} in {moved_year}.", ("moved_to", "moved_year")),
    ),
    "person.rival": (
        ("The great rival of {s} was {rival}.", ("rival",)),
        ("{s} competed all their life with {rival}.", ("rival",)),
        ("{rival} and {s} were bitter rivals.", ("rival",)),
    ),
    "person.mentor": (
        ("{s} trained under {mentor}.", ("mentor",)),
        ("{s} was taught the craft by {mentor}.", ("mentor",)),
        ("{mentor} was the teacher of {s}.", ("mentor",)),
        ("{s} learned everything from {mentor}.", ("mentor",)),
    ),
    "org.founded": (
        ("{s} was founded by {founder} in {founded_year}.", ("founder", "founded_year")),
        ("{founder} established {s} in {founded_year}.", ("founder", "founded_year")),
        ("{s} dates from {founded_year}, when {founder} opened its doors.", ("founder", "founded_year")),
        ("In {founded_year}, {founder} set up {s}.", ("founder", "founded_year")),
    ),
    "org.based": (
        ("{s} is based in {based_in}.", ("based_in",)),
        ("The headquarters of {s} are in {based_in}.", ("based_in",)),
        ("{s} has its workshops in {based_in}.", ("based_in",)),
    ),
    "org.director": (
        ("Today {s} is run by {director}.", ("director",)),
        ("{director} directs {s} now.", ("director",)),
        ("The present head of {s} is {director}.", ("director",)),
    ),
    "org.branch": (
        ("In {branch_year}, {s} opened a second workshop in {branch}.", ("branch", "branch_year")),
        ("{s} expanded to {branch} in {branch_year}.", ("branch", "branch_year")),
        ("A branch of {s} has worked in {branch} since {branch_year}.", ("branch", "branch_year")),
    ),
    "org.workers": (
        ("{s} employs {workers} people.", ("workers",)),
        ("{workers} people work at {s}.", ("workers",)),
        ("{s} has a staff of {workers}.", ("workers",)),
        ("{s} employs {workers} people in {branches} workshops.", ("workers", "branches")),
        ("Across its {branches} sites, {s} has {workers} workers.", ("workers", "branches")),
    ),
    "product.use": (
        ("{s} is a {detail} that {use}.", ("code", "use")),
        ("{s}, a {detail}, {use}.", ("code", "use")),
    ),
    "product.maker": (
        ("{s} is made by {maker}.", ("maker",)),
        ("{maker} manufactures {s}.", ("maker",)),
        ("{s} comes from the workshops of {maker}.", ("maker",)),
        ("{s} was drawn by {designer} and is built by {maker}.", ("designer", "maker")),
    ),
    "product.designer": (
        ("{s} was designed by {designer}.", ("designer",)),
        ("{designer} designed {s}.", ("designer",)),
        ("The design of {s} is the work of {designer}.", ("designer",)),
        ("{designer} designed {s} for {maker}.", ("designer", "maker")),
    ),
    "product.released": (
        ("{s} went on sale in {released}.", ("released",)),
        ("{s} was first sold in {released}.", ("released",)),
        ("{s} was introduced in {released}.", ("released",)),
    ),
    "product.patented": (
        ("The design of {s} was patented in {patented}.", ("patented",)),
        ("{s} has been protected by a patent since {patented}.", ("patented",)),
        ("{designer} took out a patent on {s} in {patented}.", ("patented", "designer")),
    ),
    "product.price": (
        ("{s} costs {price} crowns.", ("price",)),
        ("{s} sells for {price} crowns.", ("price",)),
        ("A new {s} is priced at {price} crowns.", ("price",)),
    ),
    "product.weight": (
        ("{s} weighs {weight} kilograms.", ("weight",)),
        ("{s} has a mass of {weight} kilograms.", ("weight",)),
        ("At {weight} kilograms, {s} costs {price} crowns.", ("weight", "price")),
    ),
    "town.population": (
        ("{s} has {population} inhabitants.", ("population",)),
        ("About {population} people live in {s}.", ("population",)),
        ("{s} is home to {population} people.", ("population",)),
    ),
    "town.elevation": (
        ("{s} lies {elevation} metres above the sea.", ("elevation",)),
        ("{s} stands at an altitude of {elevation} metres.", ("elevation",)),
        ("At {elevation} metres above sea level, {s} has {population} inhabitants.", ("elevation", "population")),
    ),
    "town.bridge": (
        ("The old bridge of {s} was built in {bridge_year}.", ("bridge_year",)),
        ("{s} got its stone bridge in {bridge_year}.", ("bridge_year",)),
    ),
    "town.twin": (
        ("{s} is twinned with {twin}.", ("twin",)),
        ("{s} and {twin} have been partner towns for a long time.", ("twin",)),
    ),
    "town.river": (
        ("{s} lies on the river {river}.", ("river",)),
        ("The {river} flows through {s}.", ("river",)),
        ("{s} sits on the banks of the {river}.", ("river",)),
    ),
    "town.founded": (
        ("{s} was founded in {founded_year}.", ("founded_year",)),
        ("{s} dates back to {founded_year}.", ("founded_year",)),
        ("{s} received its charter in {founded_year}.", ("founded_year",)),
    ),
    "town.mayor": (
        ("The mayor of {s} is {mayor}.", ("mayor",)),
        ("{mayor} is mayor of {s}.", ("mayor",)),
        ("{s} is governed by mayor {mayor}.", ("mayor",)),
    ),
}

# The groups of templates each kind's article is made of, in the order they are considered.
ARTICLE: dict[str, tuple[str, ...]] = {
    "person": ("person.born", "person.trade", "person.moved", "person.mentor", "person.rival"),
    "org": ("org.founded", "org.based", "org.workers", "org.director", "org.branch"),
    "product": ("product.use", "product.maker", "product.designer", "product.released", "product.patented",
                "product.weight", "product.price"),
    "town": ("town.population", "town.river", "town.founded", "town.mayor", "town.elevation", "town.bridge",
             "town.twin"),
}


class World:
    """The entities of one world and their articles (one :class:`Document` per entity)."""

    def __init__(self, entities: dict[str, Entity], seed: int, stream: str) -> None:
        self.entities = entities
        self.seed = seed
        self.stream = stream
        self._documents: list[Document] | None = None
        self._pointing: dict[str, list[tuple[Entity, str]]] | None = None

    def of_kind(self, kind: str) -> list[Entity]:
        return [e for e in self.entities.values() if e.kind == kind]

    def slot(self, entity: Entity, relation: str, rng: random.Random) -> tuple[str, str, str]:
        """The ``(text, type, key)`` of ``entity``'s ``relation`` as a sentence mentions it."""
        type_ = RELATIONS[entity.kind][relation]
        value = entity.facts[relation]
        if value in self.entities:
            other = self.entities[value]
            return other.name, type_, other.key
        return value, type_, value

    def subject_slot(self, entity: Entity, rng: random.Random, first: bool) -> tuple[str, str, str]:
        """How a sentence names its subject: the full name first, later sometimes the short form."""
        type_ = {"person": "PERSON", "org": "ORG", "product": "CODE", "town": "TOWN"}[entity.kind]
        if entity.kind == "product":
            # A product is always named by a form that holds its code (the CODE mention).
            text = entity.name if first or rng.random() < 0.5 else entity.short
            return text, type_, entity.key
        if not first and entity.short and rng.random() < 0.5:
            return entity.short, type_, entity.key
        return entity.name, type_, entity.key

    def sentence(self, entity: Entity, group: str, rng: random.Random, *, first: bool = False) -> Sentence:
        template, relations = rng.choice(TEMPLATES[group])
        slots = {"s": self.subject_slot(entity, rng, first)}
        facts = []
        for name in _FIELD.findall(template):
            if name == "s":
                continue
            if name == "detail":
                slots[name] = (entity.detail, "", "")
            else:
                slots[name] = self.slot(entity, name, rng)
        for relation in relations:
            facts.append((entity.key, relation))
        if entity.kind == "product":  # the subject mention carries the code
            slots["s"] = (slots["s"][0], "CODE", entity.key)
        return render(template, slots, facts, entity.key)

    def article(self, entity: Entity, rng: random.Random) -> list[Sentence]:
        """Every fact of ``entity`` as sentences; the first names it in full, the rest in any order."""
        groups = [g for g in ARTICLE[entity.kind] if _has_facts(entity, g)]
        head, rest = groups[0], groups[1:]
        rng.shuffle(rest)
        return [self.sentence(entity, head, rng, first=True)] + [self.sentence(entity, g, rng) for g in rest]

    def documents(self) -> list[Document]:
        """One article per entity, ids ``doc-0000`` … in a seeded shuffled order (so the id says
        nothing about the kind)."""
        if self._documents is None:
            rng = random.Random(f"llm-sprint/world/{self.seed}/{self.stream}/documents")
            entities = list(self.entities.values())
            rng.shuffle(entities)
            self._documents = [Document(f"doc-{i:04d}", e.key, e.name, tuple(self.article(e, rng)))
                               for i, e in enumerate(entities)]
        return self._documents

    def pointing_at(self, key: str) -> list[tuple[Entity, str]]:
        """(entity, template group) whose sentences name ``key`` as the object of a fact."""
        if self._pointing is None:
            index: dict[str, list[tuple[Entity, str]]] = {}
            for e in self.entities.values():
                for g in ARTICLE[e.kind]:
                    if _has_facts(e, g):
                        for r in GROUP_RELATIONS[g]:
                            value = e.facts.get(r)
                            if value in self.entities and (e, g) not in index.get(value, []):
                                index.setdefault(value, []).append((e, g))
            self._pointing = index
        return self._pointing.get(key, [])

    def document_of(self, key: str) -> Document:
        return next(d for d in self.documents() if d.about == key)


_GROUP_FIELDS = {group: frozenset(n for template, _ in templates for n in _FIELD.findall(template)) - {"s", "detail"}
                 for group, templates in TEMPLATES.items()}
GROUP_RELATIONS = {group: frozenset(r for _, rels in templates for r in rels) for group, templates in TEMPLATES.items()}


def _has_facts(entity: Entity, group: str) -> bool:
    return _GROUP_FIELDS[group] <= entity.facts.keys()


# -- drawing a world ---------------------------------------------------------------------------


class _Names:
    """Invented names, unique within a world."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _syllables(self, n: int) -> str:
        r = self.rng
        return "".join(r.choice(phrases.ONSETS) + r.choice(phrases.VOWELS) + r.choice(phrases.CODAS)
                       for _ in range(n))

    def fresh(self, endings: tuple[str, ...], syllables: tuple[int, ...] = (1, 2)) -> str:
        for _ in range(1000):
            stem = self._syllables(self.rng.choice(syllables))
            word = (stem + self.rng.choice(endings)).capitalize() if endings else stem.capitalize()
            if 4 <= len(word) <= 12 and word not in self.used:
                self.used.add(word)
                return word
        raise RuntimeError("ran out of fresh names")  # pragma: no cover - 10^5 combinations

    def code(self) -> str:
        """A model code like ``FC-4326``. Codes come in families that share their letters and first
        two digits (``FC-4326``, ``FC-4362``, ``FC-4391``), as part numbers do: to a sentence
        embedding the members of a family look alike, to an exact token match they do not."""
        letters = "BCDFGHJKLMNPQRSTVWXZ"
        if not hasattr(self, "_families"):
            self._families = [f"{self.rng.choice(letters)}{self.rng.choice(letters)}-{self.rng.randrange(10, 100)}"
                              for _ in range(3)]
        for _ in range(1000):
            code = f"{self.rng.choice(self._families)}{self.rng.randrange(0, 100):02d}"
            if code not in self.used:
                self.used.add(code)
                return code
        raise RuntimeError("ran out of codes")  # pragma: no cover


def _number(value: int) -> str:
    return f"{value:,}"


def build_world(seed: int, stream: str = "world", size: WorldSize | None = None) -> World:
    """The world of ``(seed, stream)``: the same arguments give the same world on any machine."""
    size = size or WorldSize()
    rng = random.Random(f"llm-sprint/world/{int(seed)}/{stream}")
    names = _Names(rng)
    entities: dict[str, Entity] = {}

    towns = []
    for i in range(size.towns):
        name = names.fresh(phrases.TOWN_ENDINGS + ("",) * 4)
        river = names.fresh(phrases.RIVER_ENDINGS)
        t = Entity(f"town:{i}", "town", name, {
            "population": _number(rng.randrange(8, 600) * 100 + rng.randrange(0, 100)),
            "river": river,
            "founded_year": str(rng.randrange(1100, 1650)),
            "elevation": str(rng.randrange(3, 1800)),
        })
        towns.append(t)
        entities[t.key] = t

    persons = []
    for i in range(size.persons):
        female = rng.random() < 0.5
        first = rng.choice(phrases.FEMALE_FIRST if female else phrases.MALE_FIRST)
        surname = names.fresh(phrases.SURNAME_ENDINGS)
        trade, detail, _ = rng.choice(phrases.TRADES)
        born = rng.randrange(1760, 1880)
        home, away = rng.sample(towns, 2)
        p = Entity(f"person:{i}", "person", f"{first} {surname}", {
            "born_in": home.key, "born_year": str(born), "moved_to": away.key,
            "moved_year": str(born + rng.randrange(18, 45)), "trade": ("an " if trade[0] in "aeiou" else "a ") + trade,
        }, short=surname, pronoun="she" if female else "he", detail=detail)
        persons.append(p)
        entities[p.key] = p
    for t in towns:
        t.facts["bridge_year"] = str(int(t.facts["founded_year"]) + rng.randrange(40, 300))
        t.facts["twin"] = rng.choice([o for o in towns if o is not t]).key
    for p in persons:  # a teacher older than the pupil, where one exists; a rival of about the same age
        p.facts["rival"] = rng.choice([q for q in persons if q is not p and
                                       abs(int(q.facts["born_year"]) - int(p.facts["born_year"])) < 25] or
                                      [q for q in persons if q is not p]).key
        born = int(p.facts["born_year"])
        elders = [q for q in persons if int(q.facts["born_year"]) <= born - 15]
        if elders:
            p.facts["mentor"] = rng.choice(elders).key

    orgs: list[Entity] = []
    founders = rng.sample(persons, size.orgs) if size.orgs <= len(persons) else \
        [rng.choice(persons) for _ in range(size.orgs)]
    for i, founder in enumerate(founders):
        brand = founder.short if rng.random() < 0.6 and all(o.name.split()[0] != founder.short for o in orgs) \
            else names.fresh(("",), (2,))
        kind = rng.choice(phrases.ORG_KINDS)
        year = int(founder.facts["born_year"]) + rng.randrange(22, 50)
        o = Entity(f"org:{i}", "org", f"{brand} {kind}", {
            "founder": founder.key, "founded_year": str(year), "based_in": rng.choice(towns).key,
            "workers": _number(rng.randrange(12, 2400)), "branches": str(rng.randrange(2, 15)),
            "director": rng.choice(persons).key, "branch": rng.choice(towns).key,
            "branch_year": str(year + rng.randrange(5, 60)),
        }, short=brand)
        orgs.append(o)
        entities[o.key] = o
    for t in towns:
        t.facts["mayor"] = rng.choice(persons).key

    devices = rng.sample(phrases.DEVICES, size.products)
    for i, (device, use, _) in enumerate(devices):
        maker = rng.choice(orgs)
        code = names.code()
        brand = maker.short
        founded = int(maker.facts["founded_year"])
        designer = rng.choice(persons)
        released = founded + rng.randrange(3, 40)
        r = Entity(f"product:{i}", "product", f"the {brand} {code}", {
            "maker": maker.key, "designer": designer.key, "released": str(released),
            "patented": str(released - rng.randrange(1, 12)), "weight": str(rng.randrange(2, 400)),
            "price": str(rng.randrange(5, 900)), "code": code, "use": use,
        }, short=f"the {code}", detail=device)
        entities[r.key] = r
    return World(entities, int(seed), stream)
