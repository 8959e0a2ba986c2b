"""`sprint cohort` against the fake GitHub: every learner state, warm re-reads, sources, faults, resuming."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import pytest

from tests.cohort import support as S
from tests.cohort.conftest import Mentor
from tests.fakes.github.server import FakeGitHub
from tests.helpers import FIXED_TODAY
from tests.tracker.sync.github_support import Sleeps
from tracker.cohort.look import CohortLook, cohort_digest, look
from tracker.cohort.queries import SPRINT_LABEL
from tracker.cohort.text import render_report
from tracker.digest import render_cohort_digest
from tracker.errors import BoardError, TransientBoardError, UsageError
from tracker.progress_record import render_record
from tracker.sync.desired import IDENTITY_LABEL

RM = S.roadmap()
Q1_DONE = {"P0": "Done", "P1": "Done", "P2": "Done"}


def read(mentor: Mentor, **kw: Any) -> CohortLook:
    kw.setdefault("env", mentor.env())
    kw.setdefault("sleep", Sleeps())
    return look(mentor.cohort, today=FIXED_TODAY, **kw)


def comparable(lk: CohortLook) -> dict[str, Any]:
    """The look's JSON without when it was taken and what it cost."""
    data = lk.to_json()
    data.pop("look")
    return data


def test_the_sprint_label_is_the_syncs() -> None:
    assert IDENTITY_LABEL.name == SPRINT_LABEL


def test_a_cohort_in_every_state_gives_the_right_table_json_and_digest(mentor: Mentor) -> None:
    states = S.seed_cohort(mentor.fake, RM)
    mentor.write(list(states))
    lk = read(mentor)
    try:
        assert mentor.fake.counters.requests == 1  # ten repositories: one batched query
        view = lk.view
        assert [lv.repo for lv in view.learners] == ["ann/llm-sprint", "ben/llm-sprint", "cat/llm-sprint",
                                                     "dan/llm-sprint", "ivy/llm-sprint"]
        by = {lv.repo.split("/")[0]: lv for lv in view.learners}
        assert set(by["ann"].cells.values()) == {"To Learn"} and by["ann"].week == 2
        assert {k: by["ben"].cells[k] for k in Q1_DONE} == {"P0": "Done", "P1": "Done", "P2": "In Progress"}
        assert {k: by["cat"].cells[k] for k in Q1_DONE} == Q1_DONE and by["cat"].week == 13
        assert by["dan"].cells["P0"] == "regressed" and by["dan"].regressions
        assert [(t.id, t.weeks_behind) for t in by["ben"].behind] == [("W1-2", 5), ("W3-4", 3), ("W5-6", 1)]
        assert by["ann"].weeks_behind == 0 and by["dan"].weeks_behind == 3 and by["cat"].weeks_behind == 11
        assert by["cat"].releases == ["v0.1"] and by["cat"].notes == []
        assert by["cat"].issues["P0"].state == "CLOSED" and by["ben"].issues["P2"].state == "OPEN"
        kinds = {line.repo.split("/")[0]: line.kind for line in view.lines}
        assert kinds == {"eve": "no-progress", "fay": "missing", "gus": "archived", "hal": "newer-format",
                         "ivy": "private", "joe": "missing"}
        messages = {line.repo.split("/")[0]: line.message for line in view.lines}
        assert "upgrade llm-sprint" in messages["hal"] and "version 2" in messages["hal"]
        assert "hidden from this token" in messages["fay"] and "no progress.json" in messages["eve"]
        assert "archived" in messages["gus"] and "2/12 sprints done at week 7" in messages["gus"]

        data = lk.to_json()
        assert data["look"]["mode"] == "cold" and data["look"]["repositories"] == 10
        learners = {d["repo"]: d for d in data["learners"]}
        assert learners["cat/llm-sprint"]["sprints"]["P2"] == "Done"
        assert learners["dan/llm-sprint"]["sprints"]["P0"] == "regressed"
        assert learners["ben/llm-sprint"]["exercises"]["csv-to-json"]["checks"]["accuracy"]["status"] == "pass"
        assert [b["repo"] for b in data["behind"]] == ["cat/llm-sprint", "ben/llm-sprint", "ivy/llm-sprint",
                                                       "dan/llm-sprint"]
        assert {r["repo"]: r["kind"] for r in data["repositories"]}["hal/llm-sprint"] == "newer-format"
        accuracy = next(d for d in data["distributions"] if (d["exercise"], d["metric"]) == ("csv-to-json",
                                                                                             "accuracy"))
        assert accuracy["n"] == 4 and accuracy["median"] == 1.0
        assert [(o["who"], o["side"], o["worse"]) for o in accuracy["outliers"]] == [("dan/llm-sprint", "low", True)]
        json.dumps(data)  # plain data

        rows = lk.view.csv_rows()
        assert rows[0][:8] == ["repo", "name", "state", "week", "done", "total", "weeks_behind", "behind"]
        assert {r[0]: r[2] for r in rows[1:]} == {**{f"{n}/llm-sprint": "ok" for n in ("ann", "ben", "cat", "dan",
                                                                                       "ivy")},
                                                  "eve/llm-sprint": "no-progress", "fay/llm-sprint": "missing",
                                                  "gus/llm-sprint": "archived", "hal/llm-sprint": "newer-format",
                                                  "joe/llm-sprint": "missing"}

        text = render_report(view, changes=lk.changes)
        assert "learner" in text and " P0 P1 P2 2.1" in text and "(first look: nothing to compare with)" in text
        assert "outliers: dan/llm-sprint 80% (low, worse)" in text

        digest = render_cohort_digest(cohort_digest(lk))
        passed = digest.split("## Passed this week")[1].split("##")[0]
        assert "**cat/llm-sprint**: sprint P2 Jupyter & Poetry done" in passed and "ben" not in passed
        regressed = digest.split("## Regressed")[1].split("##")[0]
        assert "**dan/llm-sprint**: csv-to-json: accuracy 80% (needs >= 100 %)" in regressed
        assert "**cat/llm-sprint**: 11 week(s) behind" in digest
        unread = digest.split("## Not read")[1]
        assert all(f"{n}/llm-sprint" in unread for n in ("eve", "fay", "gus", "hal", "joe"))
        assert "ivy/llm-sprint" not in unread  # private, but read
        assert "no earlier look before this week" in digest
    finally:
        lk.close()


def _many(fake: FakeGitHub, count: int, owner: str = "learner", owner_type: str = "User") -> list[str]:
    names = []
    for i in range(count):
        name = f"{owner}{i:03d}/llm-sprint" if owner_type == "User" else f"{owner}/learner-{i:03d}"
        record = S.mid_quarter(jitter=i / 1000).record(RM)
        S.seed_learner(fake, name, progress=render_record(record), rm=RM, record=record, owner_type=owner_type)
        names.append(name)
    return names


def test_a_warm_reread_asks_for_stamps_only_and_reads_what_changed_in_full(mentor: Mentor) -> None:
    names = _many(mentor.fake, 120)
    mentor.write(names)
    cold = read(mentor)
    assert mentor.fake.counters.requests == math.ceil(120 / 50) and cold.read and cold.read.mode == "cold"
    reference = comparable(cold)
    cold.close()

    mentor.fake.counters.reset()
    warm = read(mentor)
    assert mentor.fake.counters.requests == math.ceil(120 / 100)
    assert warm.read and warm.read.mode == "warm" and warm.read.read_in_full == 0 and warm.changes == []
    assert comparable(warm) == reference
    warm.close()

    pushed = names[3:5]
    for i, name in enumerate(pushed):
        mentor.fake.seed_file(name, "progress.json", render_record(S.finished_quarter(jitter=i / 7).record(RM)))
    with mentor.fake.state.lock:
        mentor.fake.state.repo(*names[7].split("/")).archived = True  # type: ignore[union-attr]
    mentor.fake.counters.reset()
    again = read(mentor)
    try:
        assert mentor.fake.counters.requests == math.ceil(120 / 100) + 1  # stamps, then one full batch of three
        assert again.read and again.read.read_in_full == 3
        texts = {(c.repo, c.text) for c in again.changes}
        for name in pushed:
            assert (name, "P2: In Progress → Done") in texts
            assert (name, "project-setup: fail → pass") in texts
        assert any(c.repo == names[7] and c.kind == "unreadable" and "archived" in c.text for c in again.changes)
        assert {c.repo for c in again.changes} == {*pushed, names[7]}
    finally:
        again.close()


def test_organization_and_topic_sources_page_through_every_repository(mentor: Mentor) -> None:
    fake = mentor.fake
    fake.seed_org("class-2026", members=[S.MENTOR])
    org = _many(fake, 60, owner="class-2026", owner_type="Organization")
    others = _many(fake, 3, owner="solo")
    with fake.state.lock:
        for name in [*org[:55], *others]:
            fake.state.repo(*name.split("/")).topics.append("llm-sprint-2026")  # type: ignore[union-attr]

    mentor.write(None, "organization: class-2026\nexclude: [class-2026/learner-007]\n")
    lk = read(mentor)
    assert len(lk.view.learners) == 59 and mentor.fake.counters.requests == 2  # 60 repositories, 50 a page
    lk.close()
    fake.counters.reset()
    lk = read(mentor)
    assert len(lk.view.learners) == 59 and fake.counters.requests == 1 and lk.changes == []  # 100 stamps a page
    lk.close()

    mentor.write(None, "organization: class-2026\ntopic: llm-sprint-2026\n", title="topic in org")
    mentor.cohort.rename(mentor.folder / "topic.yaml")
    lk = look(mentor.folder / "topic.yaml", today=FIXED_TODAY, env=mentor.env())
    assert len(lk.view.learners) == 55 and {lv.repo.split("/")[0] for lv in lk.view.learners} == {"class-2026"}
    lk.close()

    mentor.write([others[0], org[0]], "topic: llm-sprint-2026\n")
    fake.counters.reset()
    lk = read(mentor, fresh=True)
    assert len(lk.view.learners) == 58  # listed ∪ topic, each once
    assert fake.counters.requests == 1 + 2  # the two listed, then the search's two pages
    lk.close()

    mentor.write(None, "organization: no-such-org\n")
    lk = read(mentor, fresh=True)
    assert lk.view.learners == [] and any(p.startswith("organization no-such-org:") for p in lk.problems)
    lk.close()


def test_a_token_without_the_repo_scope_sees_private_repositories_as_missing(mentor: Mentor) -> None:
    states = S.seed_cohort(mentor.fake, RM)
    mentor.write(list(states))
    public_only = mentor.fake.add_token(S.MENTOR, scopes={"public_repo"})
    lk = read(mentor, env=mentor.env(public_only))
    try:
        kinds = {line.repo.split("/")[0]: line.kind for line in lk.view.lines}
        assert kinds["ivy"] == "missing" and kinds["fay"] == "missing"
        assert "ivy/llm-sprint" not in {lv.repo for lv in lk.view.learners}
    finally:
        lk.close()


# ---- faults --------------------------------------------------------------------------------------------


def _prime(mentor: Mentor) -> list[str]:
    states = S.seed_cohort(mentor.fake, RM)
    names = _many(mentor.fake, 100)
    mentor.write([*states, *names])  # 110 listed: three full batches cold, two stamp batches warm
    return names


@pytest.mark.parametrize("mode", ["502_before_apply", "drop", "secondary_limit", "502_after_apply"])
def test_a_fault_at_every_request_of_a_cold_read_converges_to_the_same_result(mentor: Mentor, mode: str) -> None:
    _prime(mentor)
    lk = read(mentor)
    reference, total = comparable(lk), mentor.fake.counters.requests
    lk.close()
    assert total == 3
    for k in range(1, total + 1):
        mentor.fake.counters.reset()
        mentor.fake.faults.fail_request(k, mode)
        sleeps = Sleeps()
        lk = read(mentor, fresh=True, sleep=sleeps)
        assert comparable(lk) == reference, (mode, k)
        assert mentor.fake.counters.requests == total + 1, (mode, k)  # only the failed request is repeated
        assert [f.mode.value for f in mentor.fake.faults.fired][-1] == mode
        if mode == "secondary_limit":
            assert sleeps.waits == [1.0]  # Retry-After honoured
        lk.close()


@pytest.mark.parametrize("mode", ["502_before_apply", "drop", "secondary_limit"])
def test_a_fault_at_every_request_of_a_warm_read_converges_to_the_same_result(mentor: Mentor, mode: str) -> None:
    names = _prime(mentor)
    read(mentor).close()
    for i, name in enumerate(names[:60]):  # 60 changed: two full batches after the stamps
        mentor.fake.seed_file(name, "progress.json", render_record(S.finished_quarter(jitter=i / 90).record(RM)))
    base = mentor.folder / ".sprint" / "cohort.db"
    saved = base.read_bytes()
    mentor.fake.counters.reset()
    lk = read(mentor)
    reference, total = comparable(lk), mentor.fake.counters.requests
    lk.close()
    assert total == 2 + 2 and reference["changes"]
    for k in range(1, total + 1):
        for suffix in ("-wal", "-shm"):
            (base.parent / f"cohort.db{suffix}").unlink(missing_ok=True)
        base.write_bytes(saved)  # back to the cache before the warm read
        mentor.fake.counters.reset()
        mentor.fake.faults.fail_request(k, mode)
        lk = read(mentor)
        assert comparable(lk) == reference, (mode, k)
        assert mentor.fake.counters.requests == total + 1, (mode, k)
        lk.close()


def test_a_read_stopped_by_github_resumes_without_asking_again_for_what_it_has(mentor: Mentor) -> None:
    _prime(mentor)
    lk = read(mentor)
    reference = comparable(lk)
    lk.close()
    (mentor.folder / "again.yaml").write_text(mentor.cohort.read_text(encoding="utf-8"), encoding="utf-8")
    mentor.fake.counters.reset()
    seen: list[int] = []

    def after_the_first(request: Any) -> bool:
        seen.append(request.seq)
        return len(seen) > 1

    mentor.fake.faults.fail_when(after_the_first, "502_before_apply", times=3)  # the 2nd batch, all 3 tries
    with pytest.raises(TransientBoardError) as stopped:
        look(mentor.folder / "again.yaml", today=FIXED_TODAY, env=mentor.env(), sleep=Sleeps())
    assert "50 repositories are read and kept" in str(stopped.value)
    assert "run `sprint cohort` again" in str(stopped.value)
    mentor.fake.counters.reset()
    lk = look(mentor.folder / "again.yaml", today=FIXED_TODAY, env=mentor.env(), sleep=Sleeps())
    try:
        assert lk.read is not None and lk.read.resumed and lk.read.mode == "cold"
        assert mentor.fake.counters.requests == 2  # batches 2 and 3 only
        assert comparable(lk) == reference
    finally:
        lk.close()


def test_a_bad_token_stops_the_read_with_a_clear_message(mentor: Mentor) -> None:
    mentor.write(["ann/llm-sprint"])
    with pytest.raises(BoardError, match="no GitHub token"):
        read(mentor, env=mentor.env(""))
    with pytest.raises(UsageError, match="no earlier look is cached"):
        read(mentor, offline=True)
    assert not (mentor.folder / ".sprint").exists()  # refused before anything was written
    with pytest.raises(BoardError) as raised:
        read(mentor, env=mentor.env("ghp_not_a_token"))
    assert "401" in str(raised.value) and "ghp_not_a_token" not in str(raised.value)


def test_the_previous_look_is_compared_as_of_its_own_date(mentor: Mentor) -> None:
    states = S.seed_cohort(mentor.fake, RM)
    mentor.write(list(states))
    read(mentor).close()
    later = look(mentor.cohort, today=FIXED_TODAY + dt.timedelta(weeks=1), env=mentor.env())
    try:
        behind = [c for c in later.changes if c.kind == "target"]
        # a week later ann (now week 3) is behind W1-2 for the first time; nothing else was read anew
        assert [(c.who, c.text) for c in behind if c.who == "ann/llm-sprint"] == [
            ("ann/llm-sprint", "W1-2 is behind (1 week(s) past week 2)")]
    finally:
        later.close()


def test_the_cohorts_week_and_a_weekly_digest_of_an_earlier_week(mentor: Mentor) -> None:
    states = S.seed_cohort(mentor.fake, RM)
    start = FIXED_TODAY - dt.timedelta(weeks=6, days=3)  # the cohort's week 7, as ben's own
    mentor.write(list(states), f"start: {start}\n")
    first = look(mentor.cohort, today=FIXED_TODAY - dt.timedelta(weeks=1), env=mentor.env())
    first.close()
    lk = read(mentor)
    try:
        assert lk.view.week == 7 and {lv.week for lv in lk.view.learners} == {7}
        digest = cohort_digest(lk)
        assert digest.week is not None and (digest.week.number, digest.week.start) == (7, FIXED_TODAY -
                                                                                       dt.timedelta(days=3))
        assert digest.since.startswith(str(FIXED_TODAY - dt.timedelta(weeks=1)))  # the look of week 6
        text = render_cohort_digest(digest)
        assert text.startswith("# Spring cohort — weekly review, week 7 (")
        earlier = cohort_digest(lk, week=6)
        assert earlier.week is not None and earlier.week.number == 6 and earlier.since == ""
    finally:
        lk.close()


def test_a_primary_rate_limit_mid_read_waits_for_the_reset_and_goes_on(mentor: Mentor) -> None:
    import time

    _prime(mentor)
    lk = read(mentor)
    reference = comparable(lk)
    lk.close()
    mentor.fake.counters.reset()
    mentor.fake.faults.fail_request(2, "primary_limit", reset_in=0.5)  # the bucket is empty for half a second
    started = time.monotonic()
    lk = read(mentor, fresh=True, sleep=time.sleep)
    try:
        assert comparable(lk) == reference
        assert mentor.fake.counters.requests == 4 and lk.read is not None and lk.read.requests == 4
        assert time.monotonic() - started >= 0.5  # it waited for the reset GitHub announced
    finally:
        lk.close()
