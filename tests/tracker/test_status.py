"""Status model (SPEC §5), as a pure function of roadmap, results, workspace facts and ticks."""

from __future__ import annotations

import datetime as dt

from graders.contract import Check, GradeResult
from tests.helpers import REPO
from tracker.roadmap import load_roadmap
from tracker.status import ExerciseFacts, compute

ROADMAP = load_roadmap(REPO / "roadmap.yaml")
START = ROADMAP.start_date


def result(slug: str, status: str, **checks: tuple[str, float, str]) -> GradeResult:
    return GradeResult(slug=slug, kind="x", status=status,  # type: ignore[arg-type]
                       checks=[Check(name=n, status=s, measured=v, threshold=t, display=str(v))  # type: ignore[arg-type]
                               for n, (s, v, t) in ((n, c) for n, c in checks.items())])


def facts(**overrides: ExerciseFacts) -> dict[str, ExerciseFacts]:
    base = {e.slug: ExerciseFacts(available=e.slug in {"csv-to-json", "linear-regression"}) for e in ROADMAP.exercises}
    base.update(overrides)
    return base


def test_nothing_started_is_to_learn() -> None:
    st = compute(ROADMAP, facts(), set(), START)
    assert {s.column for s in st.sprints()} == {"To Learn"}


def test_edited_files_move_a_sprint_to_in_progress() -> None:
    st = compute(ROADMAP, facts(**{"csv-to-json": ExerciseFacts(available=True, started=True)}), set(), START)
    assert st.sprint("P0").column == "In Progress"  # type: ignore[union-attr]


def test_all_exercises_passing_is_done_and_ticks_bound_items() -> None:
    passed = result("csv-to-json", "pass", accuracy=("pass", 1.0, ">= 100 %"), runtime=("pass", 0.1, "<= 10 s"))
    st = compute(ROADMAP, facts(**{"csv-to-json": ExerciseFacts(available=True, last=passed, ever_passed=True)}),
                 set(), START)
    p0 = st.sprint("P0")
    assert p0 is not None and p0.column == "Done"
    assert p0.progress == (2, 2)


def test_regression_moves_done_back_and_names_the_metric() -> None:
    failed = result("csv-to-json", "fail", accuracy=("fail", 0.57, ">= 100 %"), runtime=("pass", 0.1, "<= 10 s"))
    st = compute(ROADMAP, facts(**{"csv-to-json": ExerciseFacts(available=True, last=failed, ever_passed=True)}),
                 set(), START)
    p0 = st.sprint("P0")
    assert p0 is not None and p0.column == "In Progress"
    assert "accuracy" in p0.note and "0.57" in p0.note and ">= 100 %" in p0.note


def test_manual_items_must_be_ticked_for_done() -> None:
    # 2.1's exercise is not available: its bound item becomes manual, plus the Hub item.
    st = compute(ROADMAP, facts(), set(), START)
    s21 = st.sprint("2.1")
    assert s21 is not None and all(c.manual for c in s21.checklist)
    assert "not yet available" in s21.checklist[0].detail
    ticks = {("2.1", c.text) for c in s21.checklist}
    done = compute(ROADMAP, facts(), ticks, START).sprint("2.1")
    assert done is not None and done.column == "Done"
    half = compute(ROADMAP, facts(), {next(iter(ticks))}, START).sprint("2.1")
    assert half is not None and half.column == "In Progress"


def test_targets_on_track_behind_met_upcoming() -> None:
    week5 = START + dt.timedelta(weeks=4)
    st = compute(ROADMAP, facts(), set(), week5)
    by_id = {t.id: t.status for t in st.targets}
    assert st.week == 5
    assert by_id["W1-2"] == "behind" and by_id["W5-6"] == "on track" and by_id["W11-12"] == "upcoming"


def test_week_counts_from_the_start_date() -> None:
    assert ROADMAP.week_of(START) == 1
    assert ROADMAP.week_of(START + dt.timedelta(days=6)) == 1
    assert ROADMAP.week_of(START + dt.timedelta(days=7)) == 2
    assert ROADMAP.week_of(START - dt.timedelta(days=1)) == 0


def test_a_target_met_under_a_profile_threshold_names_the_threshold_it_was_graded_against() -> None:
    # extractive-qa's cpu profile grades F1 >= 45 % (a tiny encoder); the target is the seed's 80 %.
    qa = result("extractive-qa", "pass", f1=("pass", 0.566, ">= 45 %"), exact_match=("pass", 0.543, ">= 42 %"))
    agent = result("hallucination-eval", "pass", hallucination_rate=("pass", 0.02, "<= 10 %"))
    st = compute(ROADMAP, facts(**{"extractive-qa": ExerciseFacts(available=True, last=qa, ever_passed=True),
                                   "hallucination-eval": ExerciseFacts(available=True, last=agent, ever_passed=True)}),
                 set(), START)
    by_id = {t.id: t for t in st.targets}
    assert by_id["W3-4"].status == "met" and by_id["W3-4"].threshold == ">= 80 %"
    assert by_id["W3-4"].graded_threshold == "cpu >= 45 %"
    assert by_id["W7-8"].status == "met" and by_id["W7-8"].graded_threshold == ""  # the same threshold: not repeated
