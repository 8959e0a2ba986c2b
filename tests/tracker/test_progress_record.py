"""progress.json: built from the status model, written by `sprint release`, read back — and refused when newer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cohort import support as S
from tests.helpers import FIXED_TODAY, sprint
from tests.tracker.sync.github_support import Learner
from tests.tracker.test_release import finish_quarter
from tracker.errors import RecordFormatError
from tracker.progress import roadmap_state
from tracker.progress_record import (
    FILE_NAME,
    VERSION,
    build_record,
    curriculum_hash,
    parse_record,
    render_record,
)
from tracker.release import release

RM = S.roadmap()


@pytest.fixture
def learner(workspace: Path) -> Learner:
    return Learner.open(workspace)


def test_the_record_holds_what_the_issue_lists_and_reads_back_equal() -> None:
    record = S.finished_quarter().record(RM)
    data = json.loads(render_record(record))
    assert (data["format"], data["version"]) == ("llm-sprint/progress", VERSION)
    assert set(data["roadmap"]) == {"title", "hash", "start_date", "profile"}
    assert data["week"] == 13 and data["updated_at"].startswith("2026-11-21")
    assert [q["done"] for q in data["quarters"]] == [True, False, False, False]
    p2 = next(s for s in data["sprints"] if s["id"] == "P2")
    assert p2["status"] == "Done" and p2["done"] == p2["total"] == 2 and p2["checklist"][0]["checked"]
    ex = next(e for e in data["exercises"] if e["slug"] == "project-setup")
    assert ex["ever_passed"] and ex["last"]["status"] == "pass" and ex["last"]["seed"] == 1
    assert set(ex["last"]) >= {"status", "at", "seed", "commit", "profile", "checks", "metrics"}
    assert {t["id"]: t["status"] for t in data["targets"]}["W1-2"] == "behind"
    assert parse_record(render_record(record)) == record


def test_the_curriculum_hash_ignores_the_start_date_but_not_a_threshold() -> None:
    moved = RM.model_copy(update={"start_date": RM.start_date.replace(year=2030)})
    assert curriculum_hash(moved) == curriculum_hash(RM)
    retitled = RM.model_copy(update={"title": "Another plan"})
    assert curriculum_hash(retitled) != curriculum_hash(RM)


def test_a_newer_version_is_refused_with_a_clear_message_and_extra_keys_are_not() -> None:
    with pytest.raises(RecordFormatError) as raised:
        parse_record(S.newer_format_text(RM), "alice/x: progress.json")
    assert raised.value.newer
    assert str(raised.value) == ("alice/x: progress.json is progress format version 2, written by a newer llm-sprint "
                                 "(llm-sprint 9.0.0); this one reads up to version 1: upgrade llm-sprint "
                                 "(pip install -U llm-sprint)")
    data = json.loads(render_record(S.new_learner().record(RM)))
    data["a_field_of_a_later_minor_release"] = {"x": 1}
    assert parse_record(json.dumps(data)).week == 2


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "progress.json: not valid JSON (line 1, column 2"),
    ("[]", "progress.json: not an llm-sprint progress record"),
    ('{"format": "llm-sprint/progress", "version": "1"}', "progress.json: \"version\" must be a whole number"),
    ('{"format": "llm-sprint/progress", "version": 1, "week": 3}', "progress.json: roadmap: Field required"),
])
def test_an_unreadable_record_names_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(RecordFormatError) as raised:
        parse_record(text)
    assert str(raised.value).startswith(message) and not raised.value.newer


def test_release_writes_progress_json_every_time_and_then_changes_nothing(learner: Learner) -> None:
    path = learner.root / FILE_NAME
    dry = release(learner.ws, learner.roadmap, learner.conn, today=FIXED_TODAY, dry_run=True)
    assert dry.progress == "would be updated" and not path.exists()
    first = release(learner.ws, learner.roadmap, learner.conn, today=FIXED_TODAY)
    assert first.progress == "updated" and first.releases == []  # no quarter finished: progress.json all the same
    record = parse_record(path.read_text(encoding="utf-8"))
    assert record.week == 3 and all(s.status == "To Learn" for s in record.sprints)
    again = release(learner.ws, learner.roadmap, learner.conn, today=FIXED_TODAY)
    assert again.progress == "unchanged"
    finish_quarter(learner)
    third = release(learner.ws, learner.roadmap, learner.conn, today=FIXED_TODAY)
    assert third.progress == "updated" and third.to_json()["progress"] == "updated"
    record = parse_record(path.read_text(encoding="utf-8"))
    assert record.quarters[0].done
    state = roadmap_state(learner.ws, learner.roadmap, learner.conn, today=FIXED_TODAY)
    assert record == build_record(learner.roadmap, state, ever_passed={e.slug for e in record.exercises
                                                                       if e.ever_passed})


def test_sprint_release_says_what_it_did_with_progress_json(workspace: Path) -> None:
    proc = sprint("release", cwd=workspace)
    assert proc.returncode == 0, proc.stderr
    assert "progress.json: updated" in proc.stdout
    assert parse_record((workspace / FILE_NAME).read_text(encoding="utf-8")).week == 3
