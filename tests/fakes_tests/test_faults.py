"""Fault injection: what each mode does on the wire, and what PyGithub makes of it.

These tests pin down PyGithub 2.x's behaviour the sync must design around (see README):
its default ``GithubRetry`` retries **POST** (and GET) on 5xx and on a dropped connection, so a
create that GitHub applied but did not acknowledge is silently *duplicated*; PATCH is never
retried and surfaces the failure.
"""

from __future__ import annotations

import time

import pytest
import requests
from github import GithubException, RateLimitExceededException

from tests.fakes.github import FaultMode, RequestInfo
from tests.fakes.github.server import FakeGitHub

from .support import graphql

ALL_MODES = [m.value for m in FaultMode]


def _issues(fake: FakeGitHub) -> int:
    return len(fake.repo.issues)


# ---- on the wire ---------------------------------------------------------------------------------


def test_drop_closes_without_response_and_applies_only_in_after_mode(
    fake_github: FakeGitHub, http: requests.Session
) -> None:
    url = f"{fake_github.url}/repos/octo-learner/roadmap/issues"
    fake_github.faults.fail_request(1, "drop")
    with pytest.raises(requests.ConnectionError):
        http.post(url, json={"title": "lost"})
    assert _issues(fake_github) == 0

    fake_github.faults.fail_request(1, "drop_after_apply")
    with pytest.raises(requests.ConnectionError):
        http.post(url, json={"title": "applied"})
    assert [i.title for i in fake_github.repo.issues.values()] == ["applied"]
    assert [f.mode for f in fake_github.faults.fired] == [FaultMode.DROP, FaultMode.DROP_AFTER_APPLY]


@pytest.mark.parametrize(("mode", "applied"), [("502_before_apply", 0), ("502_after_apply", 1)])
def test_bad_gateway(fake_github: FakeGitHub, http: requests.Session, mode: str, applied: int) -> None:
    fake_github.faults.fail_request(1, mode)
    response = http.post(f"{fake_github.url}/repos/octo-learner/roadmap/issues", json={"title": "t"})
    assert response.status_code == 502
    assert _issues(fake_github) == applied


def test_secondary_limit_answer(fake_github: FakeGitHub, http: requests.Session) -> None:
    fake_github.faults.fail_request(1, "secondary_limit")
    response = http.post(f"{fake_github.url}/repos/octo-learner/roadmap/issues", json={"title": "t"})
    assert response.status_code == 403
    assert response.headers["Retry-After"] == "1"
    assert response.json()["message"].startswith("You have exceeded a secondary rate limit")
    assert _issues(fake_github) == 0


def test_primary_limit_answer_lasts_until_reset(fake_github: FakeGitHub, http: requests.Session) -> None:
    repo_url = f"{fake_github.url}/repos/octo-learner/roadmap"
    fake_github.faults.fail_request(1, "primary_limit", reset_in=0.3)
    limited = http.get(repo_url)
    assert limited.status_code == 403
    assert limited.json()["message"].startswith("API rate limit exceeded for user ID")
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert 0 <= int(limited.headers["x-ratelimit-reset"]) - time.time() <= 1.5
    assert http.get(repo_url).status_code == 403  # still empty: no new fault needed
    time.sleep(0.35)
    assert http.get(repo_url).status_code == 200

    fake_github.faults.fail_request(1, "primary_limit", status=429)
    assert http.get(repo_url).status_code == 429


def test_primary_limit_on_graphql_is_200_with_rate_limited(fake_github: FakeGitHub, http: requests.Session) -> None:
    fake_github.faults.fail_request(1, "primary_limit")
    body = graphql(fake_github, http, "{ viewer { login } }")
    assert body == {"errors": [{"type": "RATE_LIMITED", "message": body["errors"][0]["message"]}]}
    assert body["errors"][0]["message"].startswith("API rate limit exceeded")


def test_fail_when_targets_one_mutation(fake_github: FakeGitHub, http: requests.Session) -> None:
    fault = fake_github.faults.fail_when(lambda r: "mutation.createProjectV2" in r.graphql_fields, "502_after_apply")
    owner = fake_github.state.account("octo-learner")
    assert owner is not None
    graphql(fake_github, http, "{ viewer { login } }")  # not matched
    assert fake_github.faults.pending == 1
    create = 'mutation($o: ID!) { createProjectV2(input: {ownerId: $o, title: "B"}) { projectV2 { id } } }'
    response = http.post(fake_github.graphql_url, json={"query": create, "variables": {"o": owner.node_id}})
    assert response.status_code == 502
    assert len(fake_github.state.projects) == 1  # applied, then the gateway failed
    assert fake_github.faults.pending == 0 and fault.times == 0


def test_request_info_knows_writes() -> None:
    def info(method: str, *fields: str) -> RequestInfo:
        return RequestInfo(1, method, "/graphql", f"{method} /graphql", None, fields)

    assert not info("GET").is_write
    assert info("PATCH").is_write
    assert not info("POST", "query.viewer").is_write
    assert info("POST", "query.viewer", "mutation.addProjectV2ItemById").is_write


# ---- PyGithub's view ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "issues_after"),
    [
        ("drop", 1),  # retried, first attempt not applied: fine
        ("drop_after_apply", 2),  # retried after GitHub applied it: DUPLICATE
        ("502_before_apply", 1),
        ("502_after_apply", 2),  # DUPLICATE
        ("secondary_limit", 1),  # waits Retry-After (1 s), retries; nothing was applied
    ],
)
def test_pygithub_default_retry_replays_creates(fake_github: FakeGitHub, mode: str, issues_after: int) -> None:
    repo = fake_github.github().get_repo("octo-learner/roadmap")
    fake_github.faults.fail_request(1, mode)
    repo.create_issue("Sprint P0")  # no exception: PyGithub retried on its own
    assert _issues(fake_github) == issues_after
    assert fake_github.counters.by_route["POST /repos/{owner}/{repo}/issues"] == 2


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("drop", requests.ConnectionError),
        ("drop_after_apply", requests.ConnectionError),
        ("502_before_apply", GithubException),
        ("502_after_apply", GithubException),
        ("secondary_limit", RateLimitExceededException),
        ("primary_limit", RateLimitExceededException),
    ],
)
def test_pygithub_never_retries_patch(fake_github: FakeGitHub, mode: str, error: type[Exception]) -> None:
    issue = fake_github.github().get_repo("octo-learner/roadmap").create_issue("t")
    fake_github.faults.fail_request(1, mode, reset_in=0.1)
    with pytest.raises(error):
        issue.edit(state="closed")
    assert fake_github.counters.by_route["PATCH /repos/{owner}/{repo}/issues/{issue_number}"] == 1


@pytest.mark.parametrize(
    ("mode", "error", "applied"),
    [
        ("drop", requests.ConnectionError, 0),
        ("drop_after_apply", requests.ConnectionError, 1),
        ("502_before_apply", GithubException, 0),
        ("502_after_apply", GithubException, 1),
        ("secondary_limit", RateLimitExceededException, 0),
        ("primary_limit", RateLimitExceededException, 0),
    ],
)
def test_pygithub_without_retry_surfaces_every_fault(
    fake_github: FakeGitHub, mode: str, error: type[Exception], applied: int
) -> None:
    repo = fake_github.github(retry=None).get_repo("octo-learner/roadmap")
    fake_github.faults.fail_request(1, mode, reset_in=0.1)
    with pytest.raises(error):
        repo.create_issue("Sprint P0")
    assert _issues(fake_github) == applied


def test_pygithub_waits_out_a_primary_limit_on_get(fake_github: FakeGitHub) -> None:
    g = fake_github.github()
    fake_github.faults.fail_request(1, "primary_limit", reset_in=0.1)
    started = time.monotonic()
    assert g.get_repo("octo-learner/roadmap").name == "roadmap"
    assert time.monotonic() - started >= 0.9  # slept until x-ratelimit-reset (+1 s)


def test_pygithub_graphql_mutation_is_replayed_after_a_502(fake_github: FakeGitHub) -> None:
    owner = fake_github.state.account("octo-learner")
    assert owner is not None
    fake_github.faults.fail_request(1, "502_after_apply")
    create = 'mutation($o: ID!) { createProjectV2(input: {ownerId: $o, title: "Board"}) { projectV2 { id } } }'
    fake_github.github().requester.graphql_query(create, {"o": owner.node_id})
    assert [p.title for p in fake_github.state.projects] == ["Board", "Board"]  # DUPLICATE
    assert fake_github.duplicates() == {}  # (issues/items only; projects are compared via snapshot)
    assert len(fake_github.snapshot()["projects"]) == 2


def test_pygithub_graphql_rate_limited_is_a_plain_400(fake_github: FakeGitHub) -> None:
    fake_github.faults.fail_request(1, "primary_limit")
    with pytest.raises(GithubException) as raised:
        fake_github.github().requester.graphql_query("{ viewer { login } }", {})
    assert type(raised.value) is GithubException and raised.value.status == 400


# ---- limits without injected faults ---------------------------------------------------------------


def test_content_creation_limit_answers_403_with_retry_after(fake_github: FakeGitHub, http: requests.Session) -> None:
    fake_github.limits.content_creation_per_minute = 2
    url = f"{fake_github.url}/repos/octo-learner/roadmap/issues"
    assert [http.post(url, json={"title": f"t{n}"}).status_code for n in range(3)] == [201, 201, 403]
    limited = http.post(url, json={"title": "again"})
    assert limited.headers["Retry-After"] == "60"
    assert limited.json()["message"].startswith("You have exceeded a secondary rate limit")
    assert http.get(url).status_code == 200  # reads are not content creation
    assert _issues(fake_github) == 2


def test_an_exhausted_bucket_is_403_until_it_resets(fake_github: FakeGitHub, http: requests.Session) -> None:
    fake_github.limits.set("octo-learner", "core", remaining=1)
    repo_url = f"{fake_github.url}/repos/octo-learner/roadmap"
    last = http.get(repo_url)
    assert (last.status_code, last.headers["x-ratelimit-remaining"]) == (200, "0")
    assert http.get(repo_url).status_code == 403
    assert http.get(f"{fake_github.url}/rate_limit").json()["resources"]["core"]["remaining"] == 0
    body = graphql(fake_github, http, "{ viewer { login } }")  # GraphQL has its own bucket
    assert body == {"data": {"viewer": {"login": "octo-learner"}}}


def test_pygithub_treats_429_as_a_plain_error_without_retry(fake_github: FakeGitHub) -> None:
    repo = fake_github.github().get_repo("octo-learner/roadmap")
    fake_github.faults.fail_request(1, "primary_limit", status=429, reset_in=0.1)
    with pytest.raises(GithubException) as raised:
        repo.create_issue("t")
    assert type(raised.value) is GithubException and raised.value.status == 429
    assert fake_github.counters.by_route["POST /repos/{owner}/{repo}/issues"] == 1
