"""PyGithub, the real client, against the fake's REST API: every operation the sync needs."""

from __future__ import annotations

import pytest
import requests
from github import Auth, Github, GithubException, UnknownObjectException
from github.GithubException import BadCredentialsException

from tests.fakes.github.server import FakeGitHub


@pytest.mark.parametrize("fake_github", ["dotcom", "ghes"], indirect=True)
def test_issue_lifecycle_with_labels_milestone_and_comments(fake_github: FakeGitHub) -> None:
    repo = fake_github.github().get_repo("octo-learner/roadmap")
    label = repo.create_label("sprint", "0e8a16", "A roadmap sprint")
    q1 = repo.create_milestone("Q1", description="Foundations")

    issue = repo.create_issue(
        "Sprint 3.1 — LoRA",
        body="<!-- llm-sprint:sprint=3.1 -->\n- [ ] perplexity drops",
        labels=[label.name, "quarter:Q1"],  # an unknown label name is created on the fly, as on GitHub
        milestone=q1,
    )
    assert issue.number == 1
    assert issue.html_url.endswith("/octo-learner/roadmap/issues/1")
    assert sorted(lb.name for lb in issue.labels) == ["quarter:Q1", "sprint"]
    assert issue.milestone.title == "Q1"
    assert issue.user.login == "octo-learner"

    comment = issue.create_comment("<!-- llm-sprint:metrics -->\nppl −12 %")
    comment.edit("<!-- llm-sprint:metrics -->\nppl −16 %")
    assert [c.body for c in repo.get_issue(1).get_comments()] == ["<!-- llm-sprint:metrics -->\nppl −16 %"]
    assert issue.get_comment(comment.id).body.endswith("−16 %")

    issue.edit(body="<!-- llm-sprint:sprint=3.1 -->\n- [x] perplexity drops", labels=["sprint"])
    issue.edit(state="closed", state_reason="completed")
    closed = repo.get_issue(1)
    assert closed.closed_by is not None
    assert (closed.state, closed.state_reason, closed.closed_by.login) == ("closed", "completed", "octo-learner")
    assert [lb.name for lb in closed.labels] == ["sprint"]
    assert closed.comments == 1

    closed.edit(state="open")
    assert repo.get_issue(1).state_reason == "reopened"
    closed.edit(milestone=None)
    assert repo.get_issue(1).milestone is None
    assert {lb.name for lb in repo.get_labels()} == {"sprint", "quarter:Q1"}
    assert [m.title for m in repo.get_milestones(state="all")] == ["Q1"]
    assert repo.get_milestone(q1.number).description == "Foundations"


def test_list_filters_by_state_labels_and_milestone(fake_github: FakeGitHub) -> None:
    repo = fake_github.github().get_repo("octo-learner/roadmap")
    q1 = repo.create_milestone("Q1")
    repo.create_issue("a", labels=["sprint"], milestone=q1)
    repo.create_issue("b", labels=["sprint", "manual"])
    repo.create_issue("c").edit(state="closed")

    assert [i.title for i in repo.get_issues()] == ["b", "a"]  # open, newest first
    assert [i.title for i in repo.get_issues(state="all", direction="asc")] == ["a", "b", "c"]
    assert [i.title for i in repo.get_issues(state="all", labels=["sprint", "manual"])] == ["b"]
    assert [i.title for i in repo.get_issues(milestone=q1)] == ["a"]
    assert [i.title for i in repo.get_issues(state="closed")] == ["c"]


@pytest.mark.parametrize("fake_github", ["dotcom", "ghes"], indirect=True)
def test_paginated_list_follows_link_headers(fake_github: FakeGitHub) -> None:
    fake = fake_github
    with fake.state.lock:
        for n in range(75):
            fake.state.add_label(fake.repo, f"label-{n:02d}", "ededed", None)
    repo = fake.github(per_page=20).get_repo("octo-learner/roadmap")
    fake.counters.reset()

    names = [lb.name for lb in repo.get_labels()]
    assert names == [f"label-{n:02d}" for n in range(75)]
    assert fake.counters.by_route["GET /repos/{owner}/{repo}/labels"] == 4  # 20 + 20 + 20 + 15
    assert repo.get_labels().totalCount == 75


def test_link_header_shape(fake_github: FakeGitHub, http: requests.Session) -> None:
    for n in range(5):
        fake_github.github().get_repo("octo-learner/roadmap").create_issue(f"issue {n}")
    response = http.get(f"{fake_github.url}/repos/octo-learner/roadmap/issues", params={"per_page": 2, "page": 2})
    assert [i["number"] for i in response.json()] == [3, 2]
    links = response.links
    assert links["next"]["url"].endswith("page=3") and links["last"]["url"].endswith("page=3")
    assert links["prev"]["url"].endswith("page=1") and links["first"]["url"].endswith("page=1")
    assert "per_page=2" in links["next"]["url"]


def test_duplicate_label_and_milestone_are_422_already_exists(fake_github: FakeGitHub) -> None:
    repo = fake_github.github().get_repo("octo-learner/roadmap")
    repo.create_label("Sprint", "ededed")
    repo.create_milestone("Q1")
    with pytest.raises(GithubException) as label_error:
        repo.create_label("sprint", "ededed")  # names are unique case-insensitively
    with pytest.raises(GithubException) as milestone_error:
        repo.create_milestone("Q1")
    assert label_error.value.status == 422
    assert label_error.value.data["errors"] == [{"resource": "Label", "field": "name", "code": "already_exists"}]
    assert milestone_error.value.data["errors"][0]["code"] == "already_exists"
    assert fake_github.client_violations == []  # a duplicate is GitHub's 422, not a contract breach


def test_annotated_tag_ref_and_release(fake_github: FakeGitHub) -> None:
    repo = fake_github.github().get_repo("octo-learner/roadmap")
    with pytest.raises(UnknownObjectException):
        repo.get_git_ref("tags/v0.1")
    with pytest.raises(UnknownObjectException):
        repo.get_release("v0.1")

    head = repo.get_branch(repo.default_branch).commit.sha
    tag = repo.create_git_tag("v0.1", "Quarter 1 done", head, "commit")
    ref = repo.create_git_ref("refs/tags/v0.1", tag.sha)
    assert (ref.ref, ref.object.type, ref.object.sha) == ("refs/tags/v0.1", "tag", tag.sha)
    assert repo.get_git_ref("tags/v0.1").object.sha == tag.sha
    assert repo.get_commit("v0.1").sha == head  # the annotated tag peels to the commit

    with pytest.raises(GithubException) as again:
        repo.create_git_ref("refs/tags/v0.1", tag.sha)
    assert (again.value.status, again.value.data["message"]) == (422, "Reference already exists")

    release = repo.create_git_release("v0.1", "v0.1 — Foundations", "| sprint | metric |\n|---|---|")
    assert repo.get_release("v0.1").id == release.id
    release.update_release("v0.1 — Foundations", "notes v2")
    assert repo.get_release("v0.1").body == "notes v2"
    with pytest.raises(GithubException) as duplicate:
        repo.create_git_release("v0.1", "again", "again")
    assert duplicate.value.data["errors"][0] == {"resource": "Release", "field": "tag_name", "code": "already_exists"}


def test_release_without_tag_creates_lightweight_tag_and_drafts_are_invisible_by_tag(fake_github: FakeGitHub) -> None:
    repo = fake_github.github().get_repo("octo-learner/roadmap")
    draft = repo.create_git_release("v0.2", "v0.2", "notes", draft=True)
    with pytest.raises(UnknownObjectException):
        repo.get_release("v0.2")  # GitHub's get-by-tag ignores drafts; only the list shows them
    assert [r.tag_name for r in repo.get_releases()] == ["v0.2"]
    with pytest.raises(UnknownObjectException):
        repo.get_git_ref("tags/v0.2")

    draft.update_release("v0.2", "notes", draft=False)
    assert repo.get_release("v0.2").draft is False
    assert repo.get_git_ref("tags/v0.2").object.type == "commit"


def test_rate_limit_and_authenticated_user(fake_github: FakeGitHub) -> None:
    g = fake_github.github()
    assert g.get_user().login == "octo-learner"
    before = g.get_rate_limit()
    assert before.rate.limit == 5000
    g.get_repo("octo-learner/roadmap")
    after = g.get_rate_limit()  # GET /rate_limit itself is free
    assert after.resources.core.remaining == before.resources.core.remaining - 1


def test_every_answer_carries_rate_limit_headers(fake_github: FakeGitHub, http: requests.Session) -> None:
    response = http.get(f"{fake_github.url}/repos/octo-learner/roadmap")
    headers = response.headers
    assert headers["x-ratelimit-limit"] == "5000"
    assert int(headers["x-ratelimit-used"]) + int(headers["x-ratelimit-remaining"]) == 5000
    assert headers["x-ratelimit-resource"] == "core"
    assert int(headers["x-ratelimit-reset"]) > 0
    assert headers["X-OAuth-Scopes"] == "project, read:org, repo, workflow"


def test_missing_or_wrong_token_is_401(fake_github: FakeGitHub) -> None:
    anonymous = requests.get(f"{fake_github.url}/repos/octo-learner/roadmap")
    assert (anonymous.status_code, anonymous.json()["message"]) == (401, "Requires authentication")
    with pytest.raises(BadCredentialsException):
        Github(auth=Auth.Token("ghp_wrong"), base_url=fake_github.url, retry=None).get_repo("octo-learner/roadmap")
    bearer = requests.get(
        f"{fake_github.url}/repos/octo-learner/roadmap", headers={"Authorization": f"Bearer {fake_github.token}"}
    )
    assert bearer.status_code == 200


def test_token_scopes_gate_repository_writes(fake_github: FakeGitHub) -> None:
    read_only = fake_github.add_token("octo-learner", scopes={"read:org"})
    repo = fake_github.github(read_only, retry=None).get_repo("octo-learner/roadmap")
    with pytest.raises(UnknownObjectException):  # GitHub hides the repo from a token without `repo` scope
        repo.create_issue("nope")

    actions = fake_github.github(fake_github.actions_token(), retry=None)
    assert actions.get_repo("octo-learner/roadmap").create_issue("from Actions").user.login == "github-actions[bot]"
    with pytest.raises(GithubException) as forbidden:
        actions.get_user().login  # noqa: B018 - the request is the point
    assert (forbidden.value.status, forbidden.value.data["message"]) == (403, "Resource not accessible by integration")


def test_etag_304_is_free(fake_github: FakeGitHub, http: requests.Session) -> None:
    url = f"{fake_github.url}/repos/octo-learner/roadmap/issues"
    first = http.get(url)
    etag = first.headers["ETag"]
    remaining = int(first.headers["x-ratelimit-remaining"])

    again = http.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert int(again.headers["x-ratelimit-remaining"]) == remaining  # a 304 is not charged
    assert fake_github.counters.not_modified == 1

    fake_github.github().get_repo("octo-learner/roadmap").create_issue("changes the list")
    changed = http.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_pygithub_conditional_update_uses_the_etag(fake_github: FakeGitHub) -> None:
    repo = fake_github.github().get_repo("octo-learner/roadmap")
    issue = repo.get_issue(repo.create_issue("watched").number)
    assert issue.update() is False  # PyGithub sent If-None-Match and got 304
    issue.edit(title="changed")
    stale = repo.get_issue(issue.number)
    assert stale.update() is False
    assert fake_github.counters.not_modified == 2


def test_api_version_2026_03_10_drops_singular_assignee(fake_github: FakeGitHub, http: requests.Session) -> None:
    repo_url = f"{fake_github.url}/repos/octo-learner/roadmap"
    new = {"X-GitHub-Api-Version": "2026-03-10"}
    created = http.post(f"{repo_url}/issues", json={"title": "t"}, headers=new)
    assert created.status_code == 201 and "assignee" not in created.json()
    assert created.headers["X-GitHub-Api-Version-Selected"] == "2026-03-10"
    assert "rate" not in http.get(f"{fake_github.url}/rate_limit", headers=new).json()

    old_style = http.post(f"{repo_url}/issues", json={"title": "t", "assignee": "octo-learner"}, headers=new)
    assert old_style.status_code == 422  # `assignee` is gone from the request schema in that version
    assert "assignee" in fake_github.take_client_violations()[0]
    assert http.get(repo_url, headers={"X-GitHub-Api-Version": "2020-01-01"}).status_code == 400


def test_unknown_route_is_404_and_reported(fake_github: FakeGitHub, http: requests.Session) -> None:
    response = http.get(f"{fake_github.url}/repos/octo-learner/roadmap/pulls")
    assert response.status_code == 404
    assert fake_github.unsupported == ["GET /repos/octo-learner/roadmap/pulls: no such route in the fake"]
    fake_github.unsupported.clear()
