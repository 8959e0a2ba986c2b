"""`sprint digest`: a learner's week from the ledger, and its one comment a week on the pinned review issue."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.cohort import support as S
from tests.fakes.github.server import FakeGitHub
from tests.helpers import sprint
from tests.tracker.sync.github_support import Sleeps
from tracker.boards.github.transport import Transport
from tracker.db import connect
from tracker.digest import render_learner_digest, review_marker
from tracker.ledger import Ledger
from tracker.review.history import week_digest
from tracker.review.post import ISSUE_MARKER, REVIEW_LABEL, post_review
from tracker.roadmap.loader import load_roadmap
from tracker.workspace import Workspace

RM = S.roadmap()
UTC = dt.UTC
TODAY = dt.date(2026, 11, 25)  # week 3 of the workspace fixture (started 2026-11-08); week 3 began 11-22


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.fixture
def history(workspace: Path) -> Path:
    """csv-to-json passed in week 1 and broke in week 3; linear-regression failed in week 1 and passed in
    week 3; project-setup passed on its first attempt in week 3."""
    conn = connect(Workspace(workspace).db_path)
    ledger = Ledger(conn)
    for slug, ok, when, jitter in [("csv-to-json", True, at(10), 0.0), ("linear-regression", False, at(12), 0.0),
                                   ("csv-to-json", False, at(23), 0.0), ("linear-regression", True, at(24), 0.004),
                                   ("project-setup", True, at(23, 15), 0.1)]:
        ledger.record(S.result(RM, slug, passing=ok, at=when, jitter=jitter))
    conn.close()
    return workspace


def test_the_week_says_what_passed_regressed_is_behind_comes_next_and_moved(history: Path) -> None:
    ws = Workspace(history)
    rm = load_roadmap(ws.roadmap_path)
    conn = connect(ws.db_path)
    d = week_digest(ws, rm, conn, today=TODAY)
    assert (d.week.number, d.week.start, d.week.end) == (3, dt.date(2026, 11, 22), dt.date(2026, 11, 29))
    assert d.baseline == "previous"
    assert [p.split("`")[1] for p in d.passed] == ["linear-regression", "project-setup"]
    assert d.done == ["P1 PyTorch + GPU", "P2 Jupyter & Poetry"]
    assert d.regressed == ["csv-to-json: accuracy 80% (needs >= 100 %)"]
    assert d.behind == ["W1-2 due by week 2 (1 week(s) late)"] and d.weeks_behind == 1
    assert d.upcoming[0].startswith("sprint P0 Python in 3 days") and any("W3-4" in u for u in d.upcoming)
    deltas = {(m.slug, m.metric): (m.before_text, m.after_text, m.verdict) for m in d.deltas}
    assert deltas[("linear-regression", "r2")] == ("0.792", "0.994", "better")
    assert deltas[("csv-to-json", "accuracy")][2] == "worse"
    text = render_learner_digest(d, rm.title)
    assert text.splitlines()[0] == review_marker(3)
    assert "**Regressed**\n- ⚠️ csv-to-json: accuracy 80% (needs >= 100 %)" in text
    assert "- `linear-regression` r2: 0.792 → 0.994 ▲ (better)" in text

    week1 = week_digest(ws, rm, conn, today=TODAY, week=1)
    assert [p.split("`")[1] for p in week1.passed] == ["csv-to-json"] and week1.regressed == []
    assert week1.done == ["P0 Python in 3 days"] and week1.behind == []
    conn.close()


def test_the_digest_command(history: Path) -> None:
    env = {"SPRINT_TODAY": TODAY.isoformat()}
    proc = sprint("digest", cwd=history, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(review_marker(3) + "\n### LLM engineer: a 1–2 year plan — week 3 (2026-11-22 – "
                                  "2026-11-28)")
    data = json.loads(sprint("digest", "--week", "1", "--json", cwd=history, env=env).stdout)
    assert data["week"] == {"number": 1, "start": "2026-11-08", "end": "2026-11-15"} and data["passed"]
    late = sprint("digest", "--week", "4", cwd=history, env=env)
    assert late.returncode == 2 and "--week 4 has not begun: this is week 3" in late.stderr
    assert sprint("digest", "--post", cwd=history, env=env).returncode == 2  # no repository configured


# ---- the pinned review issue ----------------------------------------------------------------------------


def _transport(fake: FakeGitHub, token: str | None = None, sleep: Sleeps | None = None) -> Transport:
    return Transport(api_url=fake.url, token=token or fake.actions_token(), graphql_url=fake.graphql_url,
                     sleep=sleep or Sleeps())


def _review(fake: FakeGitHub) -> list[tuple[int, bool, list[str]]]:
    """(number, pinned, comment bodies) of every issue carrying the review marker."""
    repo = fake.repo
    return [(i.number, i.number in repo.pinned, [c.body for c in i.comments]) for i in repo.issues.values()
            if ISSUE_MARKER in (i.body or "")]


def test_one_comment_per_week_edited_not_duplicated(fake_github: FakeGitHub) -> None:
    repo = "octo-learner/roadmap"
    week3 = review_marker(3) + "\nweek three"
    t = _transport(fake_github)
    first = post_review(t, repo, 3, week3)
    assert first.created_issue and first.pinned and first.comment == "added" and first.warnings == []
    [(number, pinned, comments)] = _review(fake_github)
    assert pinned and comments == [week3]
    issue = fake_github.repo.issues[number]
    assert issue.title == "Weekly review" and [lb.name for lb in issue.labels] == [REVIEW_LABEL]

    fake_github.counters.reset()
    same = post_review(t, repo, 3, week3)
    assert (same.created_issue, same.comment) == (False, "unchanged") and fake_github.counters.requests == 1
    edited = post_review(t, repo, 3, week3 + ", graded again")
    assert edited.comment == "edited"
    fourth = post_review(t, repo, 4, review_marker(4) + "\nweek four")
    assert fourth.comment == "added"
    assert _review(fake_github) == [(number, True, [week3 + ", graded again", review_marker(4) + "\nweek four"])]

    with fake_github.state.lock:  # the label taken off by hand: the marker still finds the issue
        fake_github.repo.issues[number].labels.clear()
    assert post_review(t, repo, 4, review_marker(4) + "\nweek four").comment == "unchanged"
    assert len(_review(fake_github)) == 1
    t.close()


def test_a_full_pin_board_is_a_warning_not_a_failure(fake_github: FakeGitHub) -> None:
    with fake_github.state.lock:
        for n in range(3):
            issue = fake_github.state.add_issue(fake_github.repo, fake_github.repo.owner, f"pinned {n}")
            fake_github.repo.pinned.append(issue.number)
    t = _transport(fake_github)
    outcome = post_review(t, "octo-learner/roadmap", 3, review_marker(3) + "\nx")
    assert outcome.comment == "added" and not outcome.pinned
    assert outcome.warnings and "not pinned" in outcome.warnings[0] and "3 issues" in outcome.warnings[0]
    t.close()


@pytest.mark.parametrize("mode", ["drop_after_apply", "502_after_apply", "drop", "secondary_limit",
                                  "502_before_apply"])
def test_a_fault_at_every_request_converges_with_one_issue_and_one_comment(mode: str) -> None:
    text = review_marker(3) + "\nthe week"
    with FakeGitHub() as fake:
        t = _transport(fake)
        post_review(t, "octo-learner/roadmap", 3, text)
        total = fake.counters.requests
        t.close()
        reference = [(True, [text])]
        assert [(p, c) for _, p, c in _review(fake)] == reference
    for k in range(1, total + 1):
        with FakeGitHub() as fake:
            token = fake.actions_token()
            fake.faults.fail_request(k, mode)
            t = _transport(fake, token)
            try:
                post_review(t, "octo-learner/roadmap", 3, text)
            finally:
                t.close()
            t = _transport(fake, token)
            again = post_review(t, "octo-learner/roadmap", 3, text)  # a re-run changes nothing
            t.close()
            assert [(p, c) for _, p, c in _review(fake)] == reference, (mode, k)
            assert (again.created_issue, again.comment) == (False, "unchanged"), (mode, k)
            fake.assert_clean()


def test_the_digest_command_posts_the_week(history: Path, fake_github: FakeGitHub) -> None:
    env = {"SPRINT_TODAY": TODAY.isoformat(), "GITHUB_API_URL": fake_github.url,
           "GITHUB_GRAPHQL_URL": fake_github.graphql_url, "GITHUB_TOKEN": fake_github.actions_token(),
           "GITHUB_REPOSITORY": "octo-learner/roadmap"}
    proc = sprint("digest", "--post", cwd=history, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("weekly review of week 3: comment added on #1 ")
    [(_, pinned, [body])] = _review(fake_github)
    assert pinned and body.startswith(review_marker(3)) and "linear-regression" in body
    again = sprint("digest", "--post", cwd=history, env=env)
    assert again.returncode == 0 and "comment unchanged" in again.stdout
