"""The cohort's pure core: statistics, answers per repository, stamps, views and the diff between looks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.cohort import support as S
from tests.fakes.github.server import FakeGitHub
from tests.helpers import FIXED_TODAY
from tracker.boards.github.transport import Transport
from tracker.cohort.diff import changes
from tracker.cohort.model import build_view
from tracker.cohort.queries import RepoSnapshot, parse_batch, parse_node, stamp_of
from tracker.cohort.stats import summarize
from tracker.cohort.store import Store
from tracker.errors import ProjectAccessError
from tracker.progress_record import render_record

RM = S.roadmap()


def test_summaries_name_outliers_beyond_tukeys_fences_and_only_with_enough_values() -> None:
    s = summarize([("a", 0.97), ("b", 0.99), ("c", 1.0), ("d", 1.0), ("e", 0.5)])
    assert s is not None and s.n == 5 and s.median == 0.99 and (s.low, s.high) == (0.5, 1.0)
    assert [(o.who, o.side) for o in s.outliers] == [("e", "low")]
    few = summarize([("a", 1.0), ("b", 1.0), ("c", 0.1)])
    assert few is not None and few.outliers == ()  # three values say nothing about "unusual"
    one = summarize([("a", 2.0)])
    assert one is not None and (one.q1, one.median, one.q3) == (2.0, 2.0, 2.0)
    assert summarize([]) is None


def test_each_repository_of_a_batch_gets_its_own_answer() -> None:
    names = ["a/ok", "b/missing", "c/sso", "d/blank"]
    data: dict[str, Any] = {"r0": {"nameWithOwner": "a/ok", "isArchived": False, "isPrivate": True, "url": "u",
                                   "progress": None, "sprintIssues": {"totalCount": 0, "nodes": []},
                                   "releases": {"totalCount": 0, "nodes": []}},
                            "r1": None, "r2": None, "r3": None}
    errors = [{"type": "NOT_FOUND", "path": ["r1"], "message": "Could not resolve to a Repository with the name "
                                                                "'b/missing'."},
              {"type": "FORBIDDEN", "path": ["r2"], "message": "Resource protected by organization SAML "
                                                                "enforcement."}]
    snaps = parse_batch(names, data, errors, "full")
    assert [(s.repo, s.status) for s in snaps] == [("a/ok", "ok"), ("b/missing", "missing"), ("c/sso", "forbidden"),
                                                   ("d/blank", "error")]
    assert snaps[0].private and snaps[0].progress_text is None
    view = build_view(RM, snaps, title="t", today=FIXED_TODAY)
    lines = {line.repo: (line.kind, line.message) for line in view.lines}
    assert lines["c/sso"][0] == "forbidden" and "SAML" in lines["c/sso"][1]
    assert lines["a/ok"][0] == "no-progress" and lines["b/missing"][0] == "missing"


def test_the_stamp_is_the_same_from_either_view() -> None:
    full = {"nameWithOwner": "a/b", "isArchived": False, "isPrivate": False, "url": "u",
            "progress": {"oid": "abc", "byteSize": 3, "isTruncated": False, "text": "{}"},
            "sprintIssues": {"totalCount": 2, "nodes": [
                {"number": 2, "title": "[P1] x", "state": "OPEN", "closedAt": None, "updatedAt": "2026-01-02T00:00:00Z",
                 "url": "u2"},
                {"number": 1, "title": "[P0] y", "state": "CLOSED", "closedAt": "2026-01-01T00:00:00Z",
                 "updatedAt": "2026-01-01T00:00:00Z", "url": "u1"}]},
            "releases": {"totalCount": 1, "nodes": [{"tagName": "v0.1", "name": "n", "url": "r",
                                                     "publishedAt": "2026-01-03T00:00:00Z", "isDraft": False}]}}
    stamp = {"nameWithOwner": "a/b", "isArchived": False, "isPrivate": False, "progress": {"oid": "abc"},
             "sprintIssues": {"totalCount": 2, "nodes": [{"updatedAt": "2026-01-02T00:00:00Z"}]},
             "releases": {"totalCount": 1, "nodes": [{"tagName": "v0.1", "publishedAt": "2026-01-03T00:00:00Z",
                                                      "isDraft": False}]}}
    assert stamp_of(full) == stamp_of(stamp)
    snap = parse_node("a/b", full, "full")
    assert [(i.number, i.sprint) for i in snap.issues] == [(2, "P1"), (1, "P0")]
    closed = {**stamp, "sprintIssues": {"totalCount": 2, "nodes": [{"updatedAt": "2026-01-05T00:00:00Z"}]}}
    assert stamp_of(closed) != stamp_of(stamp)


def test_a_batched_query_keeps_the_parts_github_answered_when_one_part_is_forbidden(fake_github: FakeGitHub) -> None:
    # the Actions token may read repositories, never a user's projects: one alias forbidden, the other answered
    transport = Transport(api_url=fake_github.url, token=fake_github.actions_token(),
                          graphql_url=fake_github.graphql_url)
    document = ("query { r0: repository(owner: \"octo-learner\", name: \"roadmap\") { nameWithOwner }\n"
                "r1: repository(owner: \"octo-learner\", name: \"roadmap\") { projectsV2(first: 1) "
                "{ nodes { id } } } }")
    fake_github.state.add_project(fake_github.state.account("octo-learner"), "board")  # type: ignore[arg-type]
    fake_github.state.projects[0].repositories.append(fake_github.repo)
    try:
        result = transport.graphql(document, partial=True)
        assert result.data["r0"] == {"nameWithOwner": "octo-learner/roadmap"}
        assert [e["type"] for e in result.errors_at("r1")] == ["FORBIDDEN"]
        try:
            transport.graphql(document)
        except ProjectAccessError:
            pass
        else:  # pragma: no cover - the assertion below says what went wrong
            raise AssertionError("without partial=True an access error still raises")
    finally:
        transport.close()


def _snap(repo: str, text: str | None) -> RepoSnapshot:
    return RepoSnapshot(repo=repo, url=f"https://github.com/{repo}", progress_text=text, stamp=repo)


def test_changes_between_two_views() -> None:
    ben = S.mid_quarter()
    before = build_view(RM, [_snap("ben/x", render_record(ben.record(RM))), _snap("eve/x", None),
                             _snap("old/x", render_record(S.new_learner().record(RM)))],
                        title="t", today=FIXED_TODAY)
    ben.attempts.append(("project-setup", True, dt.datetime(2026, 11, 22, 9, tzinfo=dt.UTC), 0.0))
    after = build_view(RM, [_snap("ben/x", render_record(ben.record(RM))),
                            _snap("eve/x", render_record(S.new_learner().record(RM))),
                            RepoSnapshot(repo="new/x", status="missing", message="gone", stamp="m")],
                       title="t", today=FIXED_TODAY)
    found = [(c.repo, c.kind, c.text) for c in changes(before, after)]
    assert ("ben/x", "sprint", "P2: In Progress → Done") in found
    assert ("ben/x", "exercise", "project-setup: fail → pass") in found
    assert any(c[:2] == ("eve/x", "readable") and "no progress.json" in c[2] for c in found)
    assert ("new/x", "line", after.lines[0].message) in found
    assert ("old/x", "left", "no longer in the cohort") in found
    assert changes(None, after) == []


def test_the_cache_keeps_recent_looks_resumes_recent_reads_and_forgets_the_rest(tmp_path: Any) -> None:
    now = [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]
    store = Store(tmp_path / "cohort.db", clock=lambda: now[0])
    snap = RepoSnapshot(repo="a/b", stamp="s", progress_text="x")
    for day in range(100):
        now[0] = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=day)
        look = store.begin("k", "cold", {}, now[0].date())
        store.put(look, [RepoSnapshot(repo="a/b", stamp=f"s{day}", progress_text=f"x{day}")])
        store.finish(look, 1)
    kept = store.looks("k")
    assert len(kept) == 61 and kept[0].day == dt.date(2026, 2, 9)  # the last KEEP_DAYS days (>= KEEP_LOOKS)
    assert store.conn.execute("SELECT COUNT(*) FROM blobs").fetchone()[0] == 61  # orphans dropped
    stopped = store.begin("k", "warm", {"todo": ["a/b"]}, now[0].date())
    store.put(stopped, [snap])
    now[0] += dt.timedelta(hours=5)
    again = store.resumable("k")
    assert again is not None and again.id == stopped.id and again.plan == {"todo": ["a/b"]}
    now[0] += dt.timedelta(hours=2)
    assert store.resumable("k") is None  # too old to trust: the next read starts afresh
    assert store.last_finished("k", before=dt.date(2026, 3, 1)) is not None
    assert store.last_finished("other") is None
    store.close()
