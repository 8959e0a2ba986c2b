"""The scripted language model and the tools of kind ``react`` — trusted; they run in the measurer only.

Under the cpu profile the learner's ReAct agent talks to :class:`ScriptedModel`: a stand-in for a
small instruction-tuned model that follows the ReAct format it is shown and makes the mistakes
such a model makes, at rates drawn from the run's seed (:func:`draw_rates`):

* it **answers without looking anything up** (on the first step, from "memory": an invented value);
* it **invents facts** — states a value other than the one its observations show, slips in
  arithmetic, takes a *similar* town's fact for the one asked about, answers anyway when the
  knowledge base is silent;
* it emits **malformed actions** — sloppy ones a lenient parser reads (``Search[…]``,
  ``search(…)``, ``Action Input:``) and broken ones (no tool, an unknown tool) that need an error
  observation before it tries again;
* it **runs on** past its action, writing an ``Observation:`` of its own and a final answer (a
  ``stop`` sequence cuts that off, as with a real model);
* it **loops**, repeating its last action instead of moving on.

It reads only the prompt: the question after the *last* ``Question:`` line, the tools named before
it, and everything after it as its scratchpad. It plans from the question (which towns, which
attribute — :class:`~kb.Question` carries that plan) but takes every value from the text of its
scratchpad, never from the knowledge base: when it is right, it is right because an observation
said so. Every choice is drawn from a per-question ``random.Random``, so a run is reproducible for a
given agent. The tools (:func:`search`, :func:`calculate`) answer from the world the measurer holds.
"""

from __future__ import annotations

import ast
import difflib
import operator
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["ABSTAIN_PHRASES", "Rates", "ScriptedModel", "calculate", "draw_rates", "judge", "numbers_in",
           "search", "truncate"]

ABSTAIN_PHRASES = ("I don't know.", "I do not know.", "Unknown.")
TOOLS = ("search", "calculator")
SIMILAR = 0.75  # difflib ratio above which the search (and a careless model) take one name for another


class QuestionLike(Protocol):
    """What the model and the judge read of a ``kb.Question`` (the .meta module's dataclass)."""

    @property
    def text(self) -> str: ...
    @property
    def towns(self) -> tuple[str, ...]: ...
    @property
    def attribute(self) -> str: ...
    @property
    def operation(self) -> str: ...
    @property
    def truth(self) -> str | int | None: ...
    @property
    def answer_kind(self) -> str: ...


@dataclass(frozen=True)
class Rates:
    """How often the scripted model makes each mistake (probabilities per opportunity)."""

    skip: float  # answers at the first step without looking anything up
    invent: float  # states a value other than the evidence's (or slips in arithmetic)
    malformed: float  # writes an action a strict parser cannot read
    broken: float  # ... of which this share names no tool or an unknown one
    runon: float  # writes its own Observation and a final answer after an action
    loop: float  # repeats its last action instead of moving on
    stuck: float  # ... once it has repeated itself
    confabulate: float  # answers anyway when its observations hold no answer
    confuse: float  # takes a similar-named town's fact for the one asked about

    def as_dict(self) -> dict[str, float]:
        return {k: round(float(v), 3) for k, v in self.__dict__.items()}


def draw_rates(seed: int) -> Rates:
    """The run's rates: each drawn uniformly from its range, so no run's model is quite the same."""
    rng = random.Random(f"react-rates:{seed}")
    return Rates(skip=rng.uniform(0.15, 0.25), invent=rng.uniform(0.10, 0.20), malformed=rng.uniform(0.15, 0.30),
                 broken=rng.uniform(0.3, 0.5), runon=rng.uniform(0.10, 0.20), loop=rng.uniform(0.05, 0.12),
                 stuck=rng.uniform(0.6, 0.8), confabulate=rng.uniform(0.5, 0.7), confuse=rng.uniform(0.6, 0.8))


# ------------------------------------------------------------------------------------------------
# Reading text the way the model and the grader do
# ------------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")


def numbers_in(text: str) -> list[float]:
    """Every number written in ``text`` (``48,200`` is 48200)."""
    out: list[float] = []
    for token in _NUMBER.findall(text):
        digits = token.replace(",", "")
        try:
            out.append(float(digits))
        except ValueError:
            continue
    return out


#: attribute → a pattern of its sentence (kb.sentence) with the town's name as {t}; group 1 is the value
_FACT_PATTERNS: dict[str, str] = {
    "country": r"{t} is a town in ([A-Z][A-Za-z]+)",
    "founded": r"{t} was founded in (\d{{3,4}})",
    "population": r"{t} has a population of ([\d,]+\d)",
    "mayor": r"The mayor of {t} is ([A-Z][a-z]+ [A-Z][a-z]+)",
    "river": r"The river ([A-Z][a-z]+) flows through {t}\b",
    "elevation": r"{t} lies (\d+) metres above sea level",
    "known_for": r"{t} is known for its ([a-z][a-z ]*[a-z])",
}
_ANY_TOWN = r"([A-Z][a-z]+)"


def _fact_pattern(attribute: str, town: str | None) -> re.Pattern[str]:
    name = re.escape(town) if town else _ANY_TOWN
    return re.compile(_FACT_PATTERNS[attribute].format(t=name if town else _ANY_TOWN))


def find_fact(text: str, town: str, attribute: str) -> str | None:
    """The value ``text`` states for ``town``'s ``attribute`` (its last mention), or None."""
    found = _fact_pattern(attribute, town).findall(text)
    return str(found[-1]) if found else None


def find_similar_fact(text: str, town: str, attribute: str) -> tuple[str, str] | None:
    """A (town, value) ``text`` states for a town whose name is *like* ``town``'s but not it."""
    pattern = _fact_pattern(attribute, None)
    town_first = _FACT_PATTERNS[attribute].index("{t}") < _FACT_PATTERNS[attribute].index("(")
    for match in pattern.finditer(text):
        other, value = (match.group(1), match.group(2)) if town_first else (match.group(2), match.group(1))
        if other != town and difflib.SequenceMatcher(None, other.lower(), town.lower()).ratio() >= SIMILAR:
            return other, value
    return None


def truncate(text: str, stop: list[str] | None) -> str:
    """``text`` up to the first of the ``stop`` sequences (excluded), as a model API does."""
    cut = len(text)
    for s in stop or []:
        if s and (i := text.find(s)) != -1:
            cut = min(cut, i)
    return text[:cut]


# ------------------------------------------------------------------------------------------------
# The tools
# ------------------------------------------------------------------------------------------------

_STOPWORDS = frozenset({
    "a", "an", "the", "of", "in", "is", "was", "what", "which", "who", "how", "many", "much", "when", "does", "do",
    "did", "and", "to", "for", "its", "it", "by", "with", "be", "are", "there", "town",
})


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z]+", text.lower()) if w not in _STOPWORDS]


def search(query: str, passages: dict[str, str], *, k: int = 2) -> str:
    """The knowledge base's search: passages of towns whose name the query holds (exactly, or one
    letter or so off), best first; failing that, passages sharing two or more words with the query."""
    words = _words(query)
    scored: list[tuple[float, str]] = []
    for name, text in passages.items():
        key = name.lower()
        name_score = max((3.0 if w == key else 2.0 if difflib.SequenceMatcher(None, w, key).ratio() >= SIMILAR
                          else 0.0 for w in words), default=0.0)
        overlap = len(set(words) & set(_words(text)) - {key})
        score = name_score + 0.1 * overlap if name_score else (overlap if overlap >= 2 else 0.0)
        if score > 0:
            scored.append((score, name))
    scored.sort(key=lambda item: (-item[0], item[1]))
    if not scored:
        return f"No results for {query.strip()!r}."
    return "\n".join(f"[{i}] {passages[name]}" for i, (_, name) in enumerate(scored[:k], 1))


_OPS: dict[type, Callable[[Any, Any], Any]] = {ast.Add: operator.add, ast.Sub: operator.sub,
                                               ast.Mult: operator.mul, ast.Div: operator.truediv}


def _evaluate(node: ast.AST, depth: int = 0) -> float:
    if depth > 40:
        raise ValueError("too deeply nested")
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, depth + 1)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _evaluate(node.operand, depth + 1)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return float(_OPS[type(node.op)](_evaluate(node.left, depth + 1), _evaluate(node.right, depth + 1)))
    raise ValueError("only numbers, + - * / and parentheses")


def calculate(expression: str) -> str:
    """The calculator: ``+ - * /`` and parentheses over numbers (``48,200`` allowed). A result or an
    ``Error: …`` line — never an exception, as an agent's tool should behave."""
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", expression.strip())
    if not text or len(text) > 200:
        return "Error: give an arithmetic expression of at most 200 characters, like 1200 + 340."
    try:
        value = _evaluate(ast.parse(text, mode="eval"))
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError, RecursionError) as exc:
        return f"Error: cannot evaluate {expression.strip()[:80]!r} ({exc or type(exc).__name__})."
    if value != value or value in (float("inf"), float("-inf")):
        return "Error: the result is not a finite number."
    return str(int(value)) if value == int(value) else f"{value:.6g}"


# ------------------------------------------------------------------------------------------------
# The grader's judgement of a final answer
# ------------------------------------------------------------------------------------------------


def judge(question: QuestionLike, answer: str, domains: dict[str, tuple[str, ...]]) -> bool:
    """Is ``answer`` supported by the knowledge base — the question's true answer and nothing else?
    A number answer must state exactly the true number (``48,200`` = ``48200``; no other number);
    a name answer must contain the true name and no other value of that attribute. An answer to a
    question the knowledge base cannot answer is never supported."""
    if question.truth is None:
        return False
    if question.answer_kind == "number":
        found = set(numbers_in(answer))
        return found == {float(question.truth)}
    text = " " + re.sub(r"[^a-z0-9]+", " ", answer.lower()) + " "
    truth = " " + re.sub(r"[^a-z0-9]+", " ", str(question.truth).lower()).strip() + " "
    if truth not in text:
        return False
    others = (v for v in domains.get(question.attribute, ()) if v.lower() != str(question.truth).lower())
    return not any(" " + re.sub(r"[^a-z0-9]+", " ", o.lower()).strip() + " " in text for o in others)


# ------------------------------------------------------------------------------------------------
# The scripted model
# ------------------------------------------------------------------------------------------------

_QUESTION_LINE = re.compile(r"(?im)^[ \t]*Question:[ \t]*(.+?)[ \t]*$")
_ACTION_LINE = re.compile(r"(?im)^[ \t]*Action:[ \t]*(.*)$")
_SEARCH_WORDS = {"country": "country", "founded": "founded", "population": "population", "mayor": "mayor",
                 "river": "river", "elevation": "elevation", "known_for": "known for"}


def _invent(attribute: str, rng: random.Random, domains: dict[str, tuple[str, ...]]) -> str:
    if attribute == "founded":
        return str(rng.randint(1100, 1950))
    if attribute == "population":
        return f"{rng.randint(12, 980) * 100:,}"
    if attribute == "elevation":
        return str(rng.randint(3, 1900))
    return rng.choice(domains[attribute])


def _say(attribute: str, value: str) -> str:
    """How the model words a final answer of ``attribute``."""
    return f"{value} metres" if attribute == "elevation" else value


class ScriptedModel:
    """``model(prompt, stop) -> text`` for one question (one per question: its random stream and
    what it said are the question's). ``questions`` maps ``kb.normalise_question(text)`` to a
    question; ``domains`` lists the values invented answers are drawn from. ``final_answers``
    collects every ``Final Answer:`` the agent was shown (after ``stop``)."""

    def __init__(self, questions: dict[str, Any], normalise: Callable[[str], str], rates: Rates,
                 domains: dict[str, tuple[str, ...]], rng: random.Random) -> None:
        self.questions, self.normalise, self.rates, self.domains, self.rng = questions, normalise, rates, domains, rng
        self.final_answers: list[str] = []

    def __call__(self, prompt: str, stop: list[str] | None = None) -> str:
        text = truncate(self._respond(prompt), stop)
        self.final_answers += [m.strip() for m in re.findall(r"(?im)^[ \t]*Final Answer:[ \t]*(.*)$", text)]
        return text

    # --- the model's "reasoning": state from the prompt, then one step ---------------------------

    def _respond(self, prompt: str) -> str:
        asked = list(_QUESTION_LINE.finditer(prompt))
        if not asked:
            return "Thought: I do not see a question to answer.\nFinal Answer: I don't know."
        last = asked[-1]
        head, tail = prompt[:last.start()], prompt[last.end():]
        question = self.questions.get(self.normalise(last.group(1)))
        if question is None:
            return "Thought: I am not sure what this question asks.\nFinal Answer: " + self._abstain()
        tools = {t for t in TOOLS if re.search(rf"\b{t}\b", head, re.IGNORECASE)}
        actions = [a.strip() for a in _ACTION_LINE.findall(tail)]
        r = self.rates
        if actions:
            repeat = r.stuck if len(actions) >= 2 and actions[-1] == actions[-2] else r.loop
            if self.rng.random() < repeat:
                return f"Thought: Let me look at that again.\nAction: {actions[-1]}"
        if "search" not in tools:
            return self._final_from_memory(question, "I have no tools for this, but I think I know.")
        if not actions and self.rng.random() < r.skip:
            return self._final_from_memory(question, "I remember this one.")
        values: list[str] = []
        for town in question.towns:
            value = find_fact(tail, town, question.attribute)
            if value is None:
                if not _searched(tail, town):
                    return self._search(question, town)
                similar = find_similar_fact(tail, town, question.attribute)
                if similar is not None and self.rng.random() < r.confuse:
                    value = similar[1]
                elif self.rng.random() < r.confabulate:
                    value = _invent(question.attribute, self.rng, self.domains)
                else:
                    return (f"Thought: The knowledge base says nothing about the {_SEARCH_WORDS[question.attribute]} "
                            f"of {town}.\nFinal Answer: {self._abstain()}")
            values.append(value)
        if question.operation == "lookup":
            value = values[0]
            if self.rng.random() < r.invent:
                value = _invent(question.attribute, self.rng, self.domains)
            return f"Thought: I now know the final answer.\nFinal Answer: {_say(question.attribute, value)}"
        return self._compute(question, tail, tools, values)

    def _abstain(self) -> str:
        return self.rng.choice(ABSTAIN_PHRASES)

    def _final_from_memory(self, question: Any, thought: str) -> str:
        if question.operation == "lookup":
            guess = _say(question.attribute, _invent(question.attribute, self.rng, self.domains))
        else:
            guess = f"{int(numbers_in(_invent(question.attribute, self.rng, self.domains))[0]):,}"
        return f"Thought: {thought}\nFinal Answer: {guess}"

    def _search(self, question: Any, town: str) -> str:
        query = f"{town} {_SEARCH_WORDS[question.attribute]}"
        action = self._action("search", query)
        text = f"Thought: I need the {_SEARCH_WORDS[question.attribute]} of {town}.\nAction: {action}"
        if self.rng.random() < self.rates.runon:  # writes the observation itself, and answers from it
            fake = _invent(question.attribute, self.rng, self.domains)
            if question.operation == "lookup":
                sentence = _sentence(town, question.attribute, fake)
                final = _say(question.attribute, fake)
            else:
                sentence = _sentence(town, question.attribute, fake)
                final = f"{int(numbers_in(fake)[0]) * 2:,}"
            text += f"\nObservation: {sentence}\nThought: I now know the final answer.\nFinal Answer: {final}"
        return text

    def _compute(self, question: Any, tail: str, tools: set[str], values: list[str]) -> str:
        a, b = (numbers_in(v)[0] for v in values)
        if question.operation == "sum":
            expression, result = f"{a:.0f} + {b:.0f}", a + b
        else:
            hi, lo = max(a, b), min(a, b)
            expression, result = f"{hi:.0f} - {lo:.0f}", hi - lo
        if "calculator" in tools:
            done = _calculated(tail)
            if done is None:
                return f"Thought: Now I compute {expression}.\nAction: {self._action('calculator', expression)}"
            result = done
        elif self.rng.random() < 0.5:  # arithmetic in its head, without a calculator
            result += self.rng.choice((-100, -10, 10, 100, 1000))
        if self.rng.random() < self.rates.invent:
            result += self.rng.choice((-1000, -100, -10, -1, 1, 10, 100, 1000))
        unit = " metres" if question.attribute == "elevation" else ""
        return f"Thought: I now know the final answer.\nFinal Answer: {result:,.0f}{unit}"

    def _action(self, tool: str, argument: str) -> str:
        """A well-formed ``tool[argument]``, or (at the malformed rate) one of the ways models get it wrong."""
        if self.rng.random() >= self.rates.malformed:
            return f"{tool}[{argument}]"
        if self.rng.random() < self.rates.broken:
            return self.rng.choice((f"I should use the {tool} tool on {argument}",
                                    f"{'lookup' if tool == 'search' else 'compute'}[{argument}]"))
        return self.rng.choice((f"{tool.capitalize()}[{argument}]", f"{tool} [{argument}]", f"{tool}({argument})",
                                f"`{tool}[{argument}]`", f"{tool}: {argument}", f"{tool}\nAction Input: {argument}"))


def _sentence(town: str, attribute: str, value: str) -> str:
    templates = {"country": "{t} is a town in {v}.", "founded": "{t} was founded in {v}.",
                 "population": "{t} has a population of {v}.", "mayor": "The mayor of {t} is {v}.",
                 "river": "The river {v} flows through {t}.", "elevation": "{t} lies {v} metres above sea level.",
                 "known_for": "{t} is known for its {v}."}
    return templates[attribute].format(t=town, v=value)


def _searched(tail: str, town: str) -> bool:
    """Did a search result (not an error, not the model's own run-on) come back after an action
    that names ``town``?"""
    lines = tail.splitlines()
    pending = False
    for line in lines:
        stripped = line.strip()
        if re.match(r"(?i)action:", stripped):
            pending = town.lower() in stripped.lower()
        elif pending and re.match(r"(?i)observation:", stripped):
            body = stripped.split(":", 1)[1].strip()
            if body.startswith("[1]") or body.startswith("No results"):
                return True
    return False


def _calculated(tail: str) -> float | None:
    """The calculator's result in the scratchpad: the number in an observation after a calculator action."""
    lines = tail.splitlines()
    pending = False
    result: float | None = None
    for line in lines:
        stripped = line.strip()
        if re.match(r"(?i)action:", stripped):
            pending = "calculator" in stripped.lower() or "calculate" in stripped.lower()
        elif pending and re.match(r"(?i)observation:", stripped):
            found = numbers_in(stripped.split(":", 1)[1])
            if len(found) == 1 and "error" not in stripped.lower():
                result = found[0]
            pending = False
    return result
