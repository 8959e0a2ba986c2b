"""Kind ``react`` on hallucination-eval: the scripted model, the tools, the judge, and grading through
the sandbox (the reference passes, the naive loop does not); golden verdicts; gpu pending on a CPU."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from graders.contract import GradeResult, Profile
from graders.kinds._meta import load_meta_module
from graders.kinds.react_model import (
    ABSTAIN_PHRASES,
    Rates,
    ScriptedModel,
    calculate,
    draw_rates,
    judge,
    numbers_in,
    search,
    truncate,
)
from graders.paths import exercise_dir
from tests.graders.kinds.golden import assert_golden
from tests.helpers import REPO
from tracker.devcheck import load_meta, materialise
from tracker.grading import GradeTarget, grade
from tracker.roadmap import load_roadmap

LIBRARY = exercise_dir("hallucination-eval")
kb = load_meta_module(LIBRARY / ".meta" / "kb.py")
WORLD = kb.generate(20261122)
HONEST = Rates(skip=0, invent=0, malformed=0, broken=0, runon=0, loop=0, stuck=0, confabulate=0, confuse=0)
TOOLS = "Tools: search (the knowledge base), calculator (arithmetic).\n\n"


def _model(question: Any, rates: Rates = HONEST, seed: int = 0) -> ScriptedModel:
    return ScriptedModel({kb.normalise_question(question.text): question}, kb.normalise_question,
                         rates, WORLD.domains, random.Random(seed))


def _question(why: str, operation: str = "lookup") -> Any:
    return next(q for q in WORLD.questions if q.why == why and q.operation == operation)


def test_the_world_is_drawn_from_the_seed_with_answerable_and_unanswerable_questions() -> None:
    again = kb.generate(20261122)
    assert [q.text for q in again.questions] == [q.text for q in WORLD.questions]
    assert [q.text for q in kb.generate(1).questions] != [q.text for q in WORLD.questions]
    assert len(WORLD.questions) == 60 and WORLD.answerable == 40
    assert {q.why for q in WORLD.questions if q.truth is None} == {"unrecorded attribute", "near-miss town",
                                                                   "unknown town", "near-miss sum"}
    for q in WORLD.questions:
        for town in q.towns:
            if q.why == "answerable":
                assert q.attribute in WORLD.towns[town].facts


def test_an_honest_model_searches_then_answers_from_its_observation() -> None:
    q = _question("answerable")
    model = _model(q)
    prompt = TOOLS + f"Question: {q.text}\n"
    step = model(prompt)
    assert step.splitlines()[-1].startswith("Action: search[")
    query = step.split("search[", 1)[1].rstrip("]")
    prompt += step + f"\nObservation: {search(query, WORLD.passages)}\n"
    final = model(prompt)
    answer = final.split("Final Answer:", 1)[1].strip()
    assert judge(q, answer, WORLD.domains)
    assert model.final_answers == [answer]


def test_the_model_states_what_its_scratchpad_says_not_what_the_knowledge_base_knows() -> None:
    q = _question("answerable")
    town, attribute = q.towns[0], q.attribute
    planted = "Nobody" if attribute not in kb.NUMERIC else "7"
    from graders.kinds.react_model import _sentence

    prompt = TOOLS + f"Question: {q.text}\nAction: search[{town}]\n" \
        f"Observation: [1] {_sentence(town, attribute, 'Ilse Quist' if attribute == 'mayor' else planted)}\n"
    final = _model(q)(prompt)
    assert "Final Answer:" in final and not judge(q, final.split("Final Answer:")[1], WORLD.domains)


def test_without_tools_in_the_prompt_the_model_answers_from_memory() -> None:
    q = _question("answerable")
    step = _model(q)(f"Question: {q.text}\n")
    assert "Final Answer:" in step and "Action:" not in step


def test_a_question_the_model_was_not_asked_gets_i_dont_know() -> None:
    q = _question("answerable")
    step = _model(q)(TOOLS + "Question: What is the capital of the moon?\n")
    assert step.rstrip().endswith(ABSTAIN_PHRASES)


def test_a_stop_sequence_cuts_off_the_observation_the_model_makes_up() -> None:
    q = _question("answerable")
    runs_on = Rates(**{**HONEST.__dict__, "runon": 1.0})
    prompt = TOOLS + f"Question: {q.text}\n"
    assert "Final Answer:" in _model(q, runs_on)(prompt)
    cut = _model(q, runs_on)(prompt, ["\nObservation:"])
    assert "Observation" not in cut and "Final Answer" not in cut


def test_a_looping_model_repeats_its_last_action() -> None:
    q = _question("answerable")
    loops = Rates(**{**HONEST.__dict__, "loop": 1.0, "stuck": 1.0})
    prompt = TOOLS + f"Question: {q.text}\nThought: x\nAction: search[Somewhere]\nObservation: No results.\n"
    assert _model(q, loops)(prompt).endswith("Action: search[Somewhere]")


def test_the_rates_are_drawn_per_run_within_their_ranges() -> None:
    a, b = draw_rates(1), draw_rates(2)
    assert a != b and a == draw_rates(1)
    assert 0.15 <= a.skip <= 0.25 and 0.6 <= a.confuse <= 0.8


def test_search_finds_exact_names_first_and_one_letter_off_too() -> None:
    name = next(iter(WORLD.towns))
    first = search(f"{name} population", WORLD.passages).splitlines()[0]
    assert first.startswith("[1] ") and name in first
    off = name[:-1] + ("a" if name[-1] != "a" else "e")
    assert name in search(f"{off} mayor", WORLD.passages)
    assert search("Zzyzx Qwerty", WORLD.passages).startswith("No results")


@pytest.mark.parametrize(("expression", "result"), [
    ("1432 - 1280", "152"), ("48,200 + 12,050", "60250"), ("(2 + 3) * 4", "20"), ("7 / 2", "3.5"), ("-3 + 1", "-2"),
])
def test_the_calculator_does_arithmetic(expression: str, result: str) -> None:
    assert calculate(expression) == result


@pytest.mark.parametrize("expression", ["__import__('os').system('true')", "2 ** 999999", "1 / 0", "", "x + 1",
                                        "(" * 500 + "1" + ")" * 500])
def test_the_calculator_refuses_anything_but_arithmetic_in_words(expression: str) -> None:
    assert calculate(expression).startswith("Error:")


def test_the_judge_wants_the_true_answer_and_nothing_else() -> None:
    number = next(q for q in WORLD.questions if q.truth is not None and q.answer_kind == "number")
    truth = int(number.truth)
    assert judge(number, f"{truth:,}", WORLD.domains)
    assert judge(number, f"{truth}", WORLD.domains)
    assert not judge(number, f"{truth} or {truth + 1}", WORLD.domains)
    assert not judge(number, f"{truth + 1}", WORLD.domains)
    name = next(q for q in WORLD.questions if q.truth is not None and q.attribute in ("mayor", "country", "river"))
    assert judge(name, f"It is {name.truth}.", WORLD.domains)
    other = next(v for v in WORLD.domains[name.attribute] if v != name.truth)
    assert not judge(name, f"{name.truth} or {other}", WORLD.domains)
    unanswerable = next(q for q in WORLD.questions if q.truth is None)
    assert not judge(unanswerable, "anything", WORLD.domains)
    assert numbers_in("48,200 people and 3.5 km") == [48200.0, 3.5]


def test_truncate_cuts_before_the_first_stop() -> None:
    assert truncate("a\nObservation: b\nc", ["\nObservation:", "c"]) == "a"
    assert truncate("abc", None) == "abc"


def _grade(variant: str, profile: Profile = "cpu", seed: int = 1804289383) -> GradeResult:
    roadmap = load_roadmap(REPO / "roadmap.yaml")
    ex = roadmap.exercise("hallucination-eval")
    assert ex is not None
    with materialise(LIBRARY, LIBRARY / ".meta" / variant, load_meta(LIBRARY)) as folder:
        return grade(GradeTarget(ex, folder, LIBRARY), profile=profile, seed=seed, cuda=False)


def test_the_reference_passes_and_the_naive_loop_hallucinates() -> None:
    good = _grade("reference")
    assert good.status == "pass", [(c.name, c.status, c.message) for c in good.checks]
    naive = _grade("cheat-naive-loop")
    rate = naive.check("hallucination_rate")
    assert rate is not None and rate.status == "fail" and float(rate.measured) > 0.3


def test_gpu_profile_without_cuda_is_pending_not_failed() -> None:
    result = _grade("reference", profile="gpu")
    assert result.status == "pending"
    assert all(c.status == "pending" and "CUDA" in c.message for c in result.checks)


@pytest.mark.slow  # re-grades every variant: CI's `sprint dev check --golden` covers the verdicts
def test_hallucination_eval_verdicts_match_golden() -> None:
    verdicts = assert_golden("hallucination-eval")
    assert verdicts["reference"]["status"] == "pass"
    assert verdicts["cheat-naive-loop"]["checks"]["hallucination_rate"] == "fail"


def test_the_exercise_ships_its_knowledge_base_module() -> None:
    assert (Path(LIBRARY) / ".meta" / "kb.py").is_file()
