"""The *general* corpus: short English documents from a small probabilistic grammar.

Thirteen document kinds — stories, descriptions of places, lists of facts, dialogues, how-to
instructions, diary entries, weather reports, trips to the market, letters, "a day in the life",
travels, public notices and quizzes (``Q:``/``A:`` pairs about the world, so the faq corpus's
layout is familiar and only its domain is new) — over about 1 600 common words, plus invented
names and plants that break into word pieces (the long tail real text has).

The facts come from one fixed world (:mod:`.world`: a cow moos, bees make honey, the capital of
Veloria is Tarsk), so a model that learns them predicts the slot after "A cow" better than
chance: perplexity measures something beyond the template skeleton.

Contract: :func:`document` draws one document from ``rng`` and uses no other source of
randomness, so a seeded :class:`random.Random` gives the same stream on every machine and
Python version (``random`` documents its seeded sequences as stable).
"""

from __future__ import annotations

import random

from graders.tinymodels.corpora.words import (
    ACTIVITIES,
    ADJECTIVES,
    AN_PREFIXES,
    CODAS,
    COLORS,
    DAYS,
    EMOTIONS,
    FEMALE_NAMES,
    FOODS,
    IRREGULAR_PLURALS,
    JOBS,
    MALE_NAMES,
    MEALS,
    MONTHS,
    NUCLEI,
    NUMBER_WORDS,
    OBJECTS,
    ONSETS,
    OPPOSITES,
    PLACE_ADJECTIVES,
    PLACES,
    TIMES,
    TOWNS,
    VEHICLES,
    WEATHER,
    WORRIES,
)
from graders.tinymodels.corpora.world import (
    ANIMALS,
    CALENDAR_FACTS,
    COLOR_MIXES,
    COUNTRIES,
    FRUITS,
    HOW_TOS,
    MORALS,
    NATURE_FACTS,
    PROBLEMS,
    QUOTES_HELP,
    SURNAMES,
)

_IRREGULAR_PAST = {"yips": "yipped", "slaps its tail": "slapped its tail", "is silent": "was silent"}


def _past(sound: str) -> str:
    """An animal's sound in the past tense: ``barks`` → ``barked``, ``grumbles`` → ``grumbled``."""
    if sound in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[sound]
    if sound.endswith(("sses", "zzes")):
        return sound[:-2] + "ed"
    stem = sound[:-1]
    return stem + ("d" if stem.endswith("e") else "ed")


class _Writer:
    """Grammar helpers bound to one rng: articles, plurals, characters, slots."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, items: tuple[str, ...] | list[str]) -> str:
        return self.rng.choice(items)

    def maybe(self, p: float) -> bool:
        return self.rng.random() < p

    @staticmethod
    def a(word: str) -> str:
        """``a`` or ``an`` followed by ``word``."""
        return ("an " if word.startswith(AN_PREFIXES) else "a ") + word

    @staticmethod
    def plural(noun: str) -> str:
        if noun in IRREGULAR_PLURALS:
            return IRREGULAR_PLURALS[noun]
        if noun.endswith(("s", "x", "ch", "sh")):
            return noun + "es"
        if noun.endswith("y") and noun[-2] not in "aeiou":
            return noun[:-1] + "ies"
        return noun + "s"

    def character(self) -> tuple[str, str, str, str]:
        """(name, introduction, pronoun, possessive) for a story's hero."""
        female = self.maybe(0.5)
        name = self.invented().capitalize() if self.maybe(0.25) else self.pick(FEMALE_NAMES if female else MALE_NAMES)
        pron, pos = ("she", "her") if female else ("he", "his")
        kind = (
            self.pick(("girl", "woman", "princess")) if female else self.pick(("boy", "man", "prince"))
        ) if self.maybe(0.5) else self.rng.choice(ANIMALS).name
        intro = f"{self.a(self.pick(ADJECTIVES) + ' ' + kind)} named {name}"
        return name, intro, pron, pos

    def invented(self, syllables: int | None = None) -> str:
        """A made-up word like ``brontillax``: rare, so it splits into word pieces."""
        n = syllables or self.rng.randint(2, 3)
        return "".join(self.pick(ONSETS) + self.pick(NUCLEI) + self.pick(CODAS) for _ in range(n))

    def friend(self, exclude: str) -> str:
        names = [n for n in FEMALE_NAMES + MALE_NAMES if n != exclude]
        return self.pick(names)


def _story(w: _Writer) -> str:
    name, intro, pron, pos = w.character()
    obj = w.pick(OBJECTS)
    place = w.pick(PLACES)
    out: list[str] = []
    if w.maybe(0.5):
        out.append(f"Once upon a time, there was {intro}.")
        out.append(f"{pron.capitalize()} lived near {place}.")
    else:
        out.append(f"{w.pick(TIMES)}, {intro} went to {place}.")
    out.append(f"{pron.capitalize()} had {w.a(w.pick(COLORS) + ' ' + obj)} and loved it very much.")
    problem, solution = w.rng.choice(PROBLEMS)
    slots = {"obj": obj, "pos": pos, "pron": pron, "animal": w.rng.choice(ANIMALS).name}
    out.append(f"One day, {problem.format(**slots)}.")
    out.append(f"{name} felt {w.pick(WORRIES)}.")
    helper = w.friend(name) if w.maybe(0.7) else f"{w.pick(('Mrs', 'Mr', 'Dr'))} {w.pick(SURNAMES)}"
    if w.maybe(0.7):
        out.append(f'Then {helper} came by and said, "{w.pick(QUOTES_HELP)}"')
        out.append(f"Together they {solution.format(**slots)}.")
    else:
        out.append(f"{name} thought for a moment. Then {pron} {solution.format(**slots)}.")
    out.append(f"In the end, {name} was {w.pick(('happy', 'proud', 'glad', 'calm', 'thankful'))}.")
    if w.maybe(0.5):
        out.append(w.pick(MORALS))
    return " ".join(out)


def _description(w: _Writer) -> str:
    place = w.pick(PLACES)
    weather = w.pick(WEATHER)
    out = [f"{place.capitalize()} is {w.pick(PLACE_ADJECTIVES)} on {w.a(weather)} day."]
    for _ in range(w.rng.randint(2, 4)):
        animal = w.rng.choice(ANIMALS)
        choice = w.rng.randint(0, 3)
        if choice == 0:
            out.append(f"{w.a(animal.trait + ' ' + animal.name).capitalize()} {animal.sound} nearby.")
        elif choice == 1:
            obj = w.pick(OBJECTS)
            out.append(f"There is {w.a(w.pick(COLORS) + ' ' + obj)} next to {w.pick(PLACES)}.")
        elif choice == 2:
            job = w.rng.choice(JOBS)
            out.append(f"{w.a(job[0]).capitalize()} {job[1]} there every {w.pick(('morning', 'evening', 'day'))}.")
        else:
            n = w.rng.randint(2, 9)
            out.append(f"You can see {NUMBER_WORDS[n]} {w.plural(w.pick(OBJECTS))} and "
                       f"{NUMBER_WORDS[w.rng.randint(2, 9)]} {w.plural(animal.name)}.")
    out.append(f"People say it is the {w.pick(('best', 'nicest', 'quietest', 'oldest'))} place in town.")
    return " ".join(out)


def _fact(w: _Writer, topic: str) -> str:
    if topic == "animals":
        a = w.rng.choice(ANIMALS)
        forms = (
            f"{w.a(a.name).capitalize()} {a.sound}.",
            f"{w.plural(a.name).capitalize()} eat {a.food}.",
            f"{w.plural(a.name).capitalize()} live in {a.home}.",
            f"{w.a(a.name).capitalize()} has {NUMBER_WORDS[a.legs] if a.legs else 'no'} legs.",
            f"{w.a(a.name).capitalize()} is often {a.trait}.",
        )
        return w.pick(forms)
    if topic == "fruit":
        fruit, colour, taste = w.rng.choice(FRUITS)
        return w.pick((f"{w.a(fruit).capitalize()} is {colour}.",
                       f"{w.plural(fruit).capitalize()} taste {taste}.",
                       f"A ripe {fruit} is {colour} and {taste}."))
    if topic == "jobs":
        job, does = w.rng.choice(JOBS)
        return f"{w.a(job).capitalize()} {does}."
    if topic == "numbers":
        x, y = w.rng.randint(0, 10), w.rng.randint(0, 10)
        if w.maybe(0.6) or x < y:
            return f"{NUMBER_WORDS[x].capitalize()} plus {NUMBER_WORDS[y]} is {NUMBER_WORDS[x + y]}."
        return f"{NUMBER_WORDS[x].capitalize()} minus {NUMBER_WORDS[y]} is {NUMBER_WORDS[x - y]}."
    if topic == "colours":
        c1, c2, mix = w.rng.choice(COLOR_MIXES)
        if w.maybe(0.5):
            return f"{c1.capitalize()} and {c2} make {mix}."
        return f"If you mix {c1} paint with {c2} paint, you get {mix}."
    if topic == "opposites":
        word, opposite = w.rng.choice(OPPOSITES)
        return f"The opposite of {word} is {opposite}."
    if topic == "calendar":
        return w.pick(CALENDAR_FACTS)
    if topic == "plants":
        plant, c = w.invented(), w.rng.choice(COUNTRIES)
        return w.pick((f"The {plant} is a rare {w.pick(COLORS)} flower that grows in {c.name}.",
                       f"A {plant} is a small tree with {w.rng.choice(FRUITS)[1]} leaves.",
                       f"In {c.language}, the word {plant} means {w.pick(OBJECTS)}."))
    if topic == "countries":
        c = w.rng.choice(COUNTRIES)
        return w.pick((f"The capital of {c.name} is {c.capital}.", f"People in {c.name} speak {c.language}.",
                       f"{c.name} is famous for {c.famous_for}.", f"{c.landmark.capitalize()} is in {c.name}.",
                       f"{c.capital} is the capital city of {c.name}."))
    return w.pick(NATURE_FACTS)


_FACT_TOPICS = (
    "animals", "fruit", "jobs", "numbers", "colours", "opposites", "calendar", "nature", "countries", "plants",
)


def _facts(w: _Writer) -> str:
    topic = w.pick(_FACT_TOPICS)
    head = w.pick((f"Here are some facts about {topic}.", f"Let us learn about {topic}.",
                   f"Facts about {topic}:", f"Did you know these things about {topic}?"))
    facts: list[str] = []
    for _ in range(w.rng.randint(3, 7)):
        fact = _fact(w, topic if w.maybe(0.85) else w.pick(_FACT_TOPICS))
        if fact not in facts:
            facts.append(fact)
    return " ".join([head, *facts])


def _dialogue(w: _Writer) -> str:
    a = w.pick(FEMALE_NAMES + MALE_NAMES)
    b = w.friend(a)
    obj = w.pick(OBJECTS)
    colour = w.pick(COLORS)
    place = w.pick(PLACES)
    lines = [
        f'"Hello, {b}!" said {a}.',
        f'"Hi, {a}. Where are you going?" asked {b}.',
        f'"I am going to {place} to find {w.a(colour + " " + obj)}," said {a}.',
    ]
    if w.maybe(0.3):
        drinks = w.rng.sample(("tea", "milk", "juice", "water", "cocoa", "lemonade"), 2)
        lines.append(f'"Do you want {drinks[0]} or {drinks[1]} before we go?" asked {b}.')
        lines.append(f'"{drinks[w.rng.randint(0, 1)].capitalize()}, please," said {a}.')
    elif w.maybe(0.5):
        lines.append(f'"Can I come with you?" asked {b}.')
        lines.append(f'"Yes, of course! It will be more fun together," said {a}.')
    else:
        lines.append(f'"Why do you need {w.a(obj)}?" asked {b}.')
        relative = w.pick(("mother", "father", "sister", "brother", "teacher", "friend"))
        lines.append(f'"It is a present for my {relative}," said {a}.')
    lines.append(f"So {a} and {b} walked to {place} and had a {w.pick(ADJECTIVES)} afternoon.")
    return " ".join(lines)


def _how_to(w: _Writer) -> str:
    task, steps = w.rng.choice(HOW_TOS)
    chosen = [s.strip("[]") for s in steps if not s.startswith("[") or w.maybe(0.6)]
    connectives = ["First", "Then", "Next", "After that", "Then", "Next"]
    out = [f"How to {task}."]
    for i, step in enumerate(chosen):
        word = "Finally" if i == len(chosen) - 1 else connectives[i]
        out.append(f"{word}, {step}.")
    return " ".join(out)


def _diary(w: _Writer) -> str:
    weather = w.pick(WEATHER)
    place = w.pick(PLACES)
    friend = w.pick(FEMALE_NAMES + MALE_NAMES)
    animal = w.rng.choice(ANIMALS)
    out = [
        f"{w.pick(DAYS)}, {w.rng.randint(1, 28)} {w.pick(MONTHS)}.",
        w.pick(("Dear diary,", "Dear diary, what a day!")),
        f"Today was {weather} and {w.pick(ADJECTIVES)}.",
        f"In the morning I went to {place} with {friend}.",
        f"We saw {w.a(animal.name)} and it {_past(animal.sound)}.",
        f"In the afternoon we {w.rng.choice(ACTIVITIES)[1]}.",
        f"{friend} found {w.a(w.pick(COLORS) + ' ' + w.pick(OBJECTS))}.",
        f"In the evening I felt {w.pick(EMOTIONS)}.",
        f"Tomorrow we will go to {w.pick(PLACES)}.",
    ]
    return " ".join(out)


def _weather(w: _Writer) -> str:
    town = w.pick(TOWNS) if w.maybe(0.7) else w.invented().capitalize()
    day = w.pick(DAYS)
    sky = w.pick(WEATHER)
    high = w.rng.randint(-5, 32)
    low = high - w.rng.randint(3, 12)
    advice = {
        "sunny": "Wear a hat and drink plenty of water.", "rainy": "Take an umbrella and a raincoat.",
        "windy": "Hold on to your hat.", "snowy": "Wear warm boots and mittens.",
        "cloudy": "It is a good day for a walk.", "foggy": "Drive slowly and carefully.",
        "warm": "It is a good day for the beach.", "cold": "Wear a thick sweater and a scarf.",
    }[sky]
    out = [
        f"Weather for {town} on {day}.",
        f"It will be {sky}, with a high of {high} degrees and a low of {low} degrees.",
        advice,
    ]
    if w.maybe(0.6):
        out.append(f"On {DAYS[(DAYS.index(day) + 1) % 7]}, it will be {w.pick(WEATHER)}.")
    return " ".join(out)


def _market(w: _Writer) -> str:
    name = w.pick(FEMALE_NAMES + MALE_NAMES)
    meal = w.pick(MEALS)
    items = w.rng.sample(FOODS, w.rng.randint(2, 4))
    cents = [w.rng.randint(1, 40) * 25 for _ in items]  # prices in quarters of a dollar
    bought = [f"{food} for ${c // 100}.{c % 100:02d}" for c, food in zip(cents, items, strict=True)]
    total = sum(cents)
    out = [
        f"{name} went to the market in {w.pick(TOWNS)} to buy food for {meal}.",
        f"{name} bought {', '.join(bought[:-1])} and {bought[-1]}.",
        f"That made ${total // 100}.{total % 100:02d} in all.",
    ]
    if w.maybe(0.5):
        fruit = w.rng.choice(FRUITS)
        out.append(f"The {fruit[0]} seller gave {name} a {fruit[1]} {fruit[0]} for free.")
    out.append(f"{name} carried everything home in {w.a(w.pick(('basket', 'bag', 'wagon', 'box')))}.")
    return " ".join(out)


def _letter(w: _Writer) -> str:
    sender = w.pick(FEMALE_NAMES + MALE_NAMES)
    to = w.friend(sender)
    obj = w.pick(OBJECTS)
    place = w.pick(PLACES)
    activity = w.rng.choice(ACTIVITIES)
    out = [
        f"Dear {to},",
        f"Thank you for the {w.pick(COLORS)} {obj}. I take it with me everywhere.",
        f"Last week we went to {place} by {w.pick(VEHICLES)} and {activity[1]}.",
        f"In {w.pick(MONTHS)}, I hope you can visit us in {w.pick(TOWNS)}.",
        f"We could {w.rng.choice(ACTIVITIES)[0]} together.",
        f"{w.pick(('Love', 'Best wishes', 'Your friend', 'See you soon'))}, {sender}",
    ]
    return " ".join(out)


def _day_in_life(w: _Writer) -> str:
    name, _, pron, pos = w.character()
    job, does = w.rng.choice(JOBS)
    wake = w.rng.randint(4, 9)
    out = [
        f"{name} is {w.a(job)} in {w.pick(TOWNS)}.",
        f"Every morning, {pron} wakes up at {NUMBER_WORDS[wake]} o'clock and eats {w.pick(FOODS)} for breakfast.",
        f"Then {pron} goes to work by {w.pick(VEHICLES)}.",
        f"{w.a(job).capitalize()} {does}, and {name} is very good at it.",
        f"After work, {pron} likes to {w.rng.choice(ACTIVITIES)[0]}.",
        f"On {w.pick(DAYS)}s, {pron} visits {pos} {w.pick(('friends', 'parents', 'grandparents', 'cousins'))}.",
    ]
    return " ".join(out)


def _travel(w: _Writer) -> str:
    name, _, pron, pos = w.character()
    c = w.rng.choice(COUNTRIES)
    host = f"{w.pick(('Mrs', 'Mr', 'Dr', 'Miss'))} {w.pick(SURNAMES)}"
    out = [
        f"In {w.pick(MONTHS)}, {name} took the {w.pick(VEHICLES)} from {w.pick(TOWNS)} to {c.capital}, "
        f"the capital of {c.name}.",
        f"{pron.capitalize()} stayed with {host}, who spoke {c.language} and a little English.",
        f"Every day they ate {c.famous_for}, because {c.name} is famous for {c.famous_for}.",
        f"On the last day, {name} visited {c.landmark} and sent a postcard to {pos} "
        f"{w.pick(('mother', 'father', 'teacher', 'best friend'))}.",
    ]
    return " ".join(out)


def _quiz_pair(w: _Writer) -> tuple[str, str]:
    topic = w.rng.randint(0, 6)
    if topic == 0:
        a = w.rng.choice(ANIMALS)
        return w.rng.choice((
            (f"What does {w.a(a.name)} eat?", f"{w.plural(a.name).capitalize()} eat {a.food}."),
            (f"Where does {w.a(a.name)} live?", f"{w.plural(a.name).capitalize()} live in {a.home}."),
            (f"How many legs does {w.a(a.name)} have?",
             f"{w.a(a.name).capitalize()} has {NUMBER_WORDS[a.legs] if a.legs else 'no'} legs."),
        ))
    if topic == 1:
        fruit, colour, taste = w.rng.choice(FRUITS)
        other = w.pick(tuple(c for c in COLORS if c != colour))
        first, second = (colour, other) if w.maybe(0.5) else (other, colour)
        return w.rng.choice(((f"What colour is {w.a(fruit)}?", f"{w.a(fruit).capitalize()} is {colour}."),
                             (f"Is {w.a(fruit)} {first} or {second}?", f"{w.a(fruit).capitalize()} is {colour}."),
                             (f"How does {w.a(fruit)} taste?", f"{w.a(fruit).capitalize()} tastes {taste}.")))
    if topic == 2:
        job, does = w.rng.choice(JOBS)
        return f"What does {w.a(job)} do?", f"{w.a(job).capitalize()} {does}."
    if topic == 3:
        x, y = w.rng.randint(0, 10), w.rng.randint(0, 10)
        return f"What is {x} plus {y}?", f"{x} plus {y} is {x + y}."
    if topic == 4:
        c = w.rng.choice(COUNTRIES)
        return w.rng.choice(((f"What is the capital of {c.name}?", f"The capital of {c.name} is {c.capital}."),
                             (f"What language do people speak in {c.name}?", f"People in {c.name} speak {c.language}."),
                             (f"What is {c.name} famous for?", f"{c.name} is famous for {c.famous_for}.")))
    if topic == 5:
        c1, c2, mix = w.rng.choice(COLOR_MIXES)
        return f"What do {c1} and {c2} make?", f"{c1.capitalize()} and {c2} make {mix}."
    word, opposite = w.rng.choice(OPPOSITES)
    return f"What is the opposite of {word}?", f"The opposite of {word} is {opposite}."


def _quiz(w: _Writer) -> str:
    """A few questions and answers about the world, in the same Q:/A: layout as the faq corpus."""
    pairs = [_quiz_pair(w) for _ in range(w.rng.randint(1, 3))]
    return "\n".join(f"Q: {q}\nA: {a}" for q, a in pairs)


_NOTICE_PLACES = ("library", "swimming pool", "museum", "bakery", "post office", "zoo", "station", "cinema",
                  "bookshop", "school", "town hall", "sports club")


def _notice(w: _Writer) -> str:
    """A public notice: everyday modern words (app, online, email, password…) a general text has."""
    place = w.pick(_NOTICE_PLACES)
    town = w.pick(TOWNS)
    day, other = w.rng.sample(DAYS, 2)
    opens, closes = w.rng.randint(7, 10), w.rng.randint(16, 21)
    lines = [
        f"Notice from the {town} {place}.",
        f"We are open from {opens}:00 to {closes}:00, but we are closed on {day}.",
        w.pick((
            "You can book a visit online or by phone. To book online, open our website, click Book and type "
            "your name and email address.",
            f"Tickets cost ${w.rng.randint(2, 12)} for grown-ups and ${w.rng.randint(1, 5)} for children. "
            f"You can pay by card or with cash.",
            "Please download our new app. In the app you can see the news, change your booking or cancel it.",
            "If you forget your password, click Forgot password and we will send you an email. "
            "Do not share your password with anyone.",
        )),
        w.pick((
            f"On {other}, there will be a special event for families.",
            "Please switch off your phone and speak quietly.",
            "Lost something? Ask at the front desk or send us a message.",
            "Dogs are welcome, but please keep them on a lead.",
            "Questions? Call us or write to us. We answer every message within two days.",
        )),
    ]
    return " ".join(lines)


_KINDS = (
    _story, _description, _facts, _dialogue, _how_to, _diary, _weather, _market, _letter, _day_in_life, _travel,
    _quiz, _notice,
)
_WEIGHTS = (0.21, 0.07, 0.13, 0.07, 0.06, 0.07, 0.06, 0.06, 0.06, 0.05, 0.05, 0.07, 0.04)


def document(rng: random.Random) -> str:
    """Draw one general-corpus document (one paragraph, 30–120 words) from ``rng``."""
    w = _Writer(rng)
    kind = rng.choices(_KINDS, weights=_WEIGHTS)[0]
    return kind(w)
