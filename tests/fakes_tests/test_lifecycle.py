"""Start, stop, environment and state snapshots."""

from __future__ import annotations

import os
import threading

import requests
from github import Auth, Github

from tests.fakes.github.server import FakeGitHub


def test_stop_leaves_no_thread_even_with_open_keep_alive_connections() -> None:
    before = set(threading.enumerate())
    fake = FakeGitHub().start()
    session = requests.Session()  # deliberately left open: a keep-alive connection stays parked
    session.headers["Authorization"] = f"token {fake.token}"
    for _ in range(3):
        assert session.get(f"{fake.url}/repos/octo-learner/roadmap").status_code == 200
    fake.github().get_repo("octo-learner/roadmap")
    assert len(set(threading.enumerate()) - before) >= 2  # the server loop and connection threads

    fake.stop()
    assert set(threading.enumerate()) - before == set()
    session.close()
    fake.stop()  # idempotent


def test_env_points_a_client_at_the_fake(fake_github_env: FakeGitHub) -> None:
    assert os.environ["GITHUB_API_URL"] == fake_github_env.url
    assert os.environ["GITHUB_GRAPHQL_URL"] == fake_github_env.graphql_url
    g = Github(auth=Auth.Token(os.environ["GITHUB_TOKEN"]), base_url=os.environ["GITHUB_API_URL"])
    try:
        assert g.get_repo("octo-learner/roadmap").full_name == "octo-learner/roadmap"
        assert g.requester.graphql_url == os.environ["GITHUB_GRAPHQL_URL"]
    finally:
        g.close()


def _sync(fake: FakeGitHub, order: list[str]) -> None:
    repo = fake.github().get_repo("octo-learner/roadmap")
    repo.create_label("sprint", "0e8a16")
    for sprint in order:
        issue = repo.create_issue(f"Sprint {sprint}", body=f"<!-- llm-sprint:sprint={sprint} -->", labels=["sprint"])
        if sprint == "P0":
            issue.create_comment("metrics")
            issue.edit(state="closed")


def test_snapshots_of_equivalent_runs_are_equal_and_duplicates_are_counted() -> None:
    with FakeGitHub() as first, FakeGitHub() as second:
        _sync(first, ["P0", "P1", "2.1"])
        _sync(second, ["2.1", "P1", "P0"])  # another order: other numbers, same final state
        assert first.snapshot() == second.snapshot()
        assert first.snapshot(with_numbers=True) != second.snapshot(with_numbers=True)
        assert first.duplicates() == {}

        second.github().get_repo("octo-learner/roadmap").create_issue(
            "Sprint P1 again", body="<!-- llm-sprint:sprint=P1 -->"
        )
        assert second.duplicates() == {"octo-learner/roadmap sprint=P1": 2}
        issues = first.snapshot()["repos"]["octo-learner/roadmap"]["issues"]
        assert issues[0] == {
            "key": "sprint=2.1",
            "title": "Sprint 2.1",
            "body": "<!-- llm-sprint:sprint=2.1 -->",
            "state": "open",
            "state_reason": None,
            "labels": ["sprint"],
            "milestone": None,
            "comments": [],
        }


def test_counters_reset_and_export(fake_github: FakeGitHub) -> None:
    fake_github.github().get_repo("octo-learner/roadmap").create_issue("x")
    counters = fake_github.counters.as_dict()
    assert counters["requests"] == 2 and counters["writes"] == 1 and counters["secondary_points"] == 6
    assert counters["by_route"] == {"GET /repos/{owner}/{repo}": 1, "POST /repos/{owner}/{repo}/issues": 1}
    fake_github.counters.reset()
    assert fake_github.counters.requests == 0
