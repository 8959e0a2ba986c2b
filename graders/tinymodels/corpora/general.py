"""The *general* corpus: short English documents from a small probabilistic grammar.

Ten document kinds — stories, descriptions of places, lists of facts, dialogues, how-to
instructions, diary entries, weather reports, trips to the market, letters and "a day in the
life" — over a vocabulary of about three thousand words. The facts come from one fixed world
(:mod:`.world`: a cow moos, bees make honey, three plus four is seven), so a model that learns
them predicts the slot after "A cow" better than chance: perplexity measures something beyond
the template skeleton.

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
    NUMBER_WORDS,
    OBJECTS,
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
        name = self.pick(FEMALE_NAMES if female else MALE_NAMES)
        pron, pos = ("she", "her") if female else ("he", "his")
        kind = (
            self.pick(("girl", "woman", "princess")) if female else self.pick(("boy", "man", "prince"))
        ) if self.maybe(0.5) else self.rng.choice(ANIMALS).name
        intro = f"{self.a(self.pick(ADJECTIVES) + ' ' + kind)} named {name}"
        return name, intro, pron, pos

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
        x, y = w.rng.choice(OPPOSITES)
        return f"The opposite of {x} is {y}."
    if topic == "calendar":
        return w.pick(CALENDAR_FACTS)
    if topic == "countries":
        c = w.rng.choice(COUNTRIES)
        return w.pick((f"The capital of {c.name} is {c.capital}.", f"People in {c.name} speak {c.language}.",
                       f"{c.name} is famous for {c.famous_for}.", f"{c.landmark.capitalize()} is in {c.name}.",
                       f"{c.capital} is the capital city of {c.name}."))
    return w.pick(NATURE_FACTS)


_FACT_TOPICS = (
    "animals", "fruit", "jobs", "numbers", "colours", "opposites", "calendar", "nature", "countries",
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
    if w.maybe(0.5):
        lines.append(f'"Can I come with you?" asked {b}.')
        lines.append(f'"Yes, of course! It will be more fun together," said {a}.')
    else:
        lines.append(f'"Why do you need {w.a(obj)}?" asked {b}.')
        lines.append(f'"It is a present for my {w.pick(("mother", "father", "sister", "brother", "teacher", "friend"))},"'
                     f" said {a}.")
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
    town = w.pick(TOWNS)
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
    counts = [w.rng.randint(1, 9) for _ in items]
    total = sum(counts)
    bought = [f"{food} for {c} coins" for c, food in zip(counts, items)]
    out = [
        f"{name} went to the market in {w.pick(TOWNS)} to buy food for {meal}.",
        f"{name} bought {', '.join(bought[:-1])} and {bought[-1]}.",
        f"That made {total} coins in all.",
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
        f"On the last day, {name} visited {c.landmark} and sent a postcard to {pos} {w.pick(('mother', 'father', 'teacher', 'best friend'))}.",
    ]
    return " ".join(out)


_KINDS = (
    _story, _description, _facts, _dialogue, _how_to, _diary, _weather, _market, _letter, _day_in_life, _travel,
)
_WEIGHTS = (0.25, 0.09, 0.17, 0.07, 0.07, 0.07, 0.06, 0.06, 0.06, 0.05, 0.05)


def document(rng: random.Random) -> str:
    """Draw one general-corpus document (one paragraph, 30–120 words) from ``rng``."""
    w = _Writer(rng)
    kind = rng.choices(_KINDS, weights=_WEIGHTS)[0]
    return kind(w)
