"""What the fake serves about a repository's files, releases, topics, pins and comments, and how it finds
repositories (an organization's, a search) — hiding private ones from tokens that may not see them."""

from __future__ import annotations

import subprocess

import requests

from tests.fakes.github.server import FakeGitHub

from .support import graphql

BLOB = 'query($o: String!, $n: String!) { repository(owner: $o, name: $n) { isArchived isPrivate ' \
       'progress: object(expression: "HEAD:progress.json") { ... on Blob { oid byteSize isTruncated text } } ' \
       'head: object(expression: "HEAD") { ... on Commit { oid } } ' \
       'other: object(expression: "dev:progress.json") { oid } } }'


def test_a_file_on_the_default_branch_is_a_blob_with_gits_object_id(fake_github: FakeGitHub,
                                                                    http: requests.Session) -> None:
    text = '{"format": "llm-sprint/progress"}\n'
    head = fake_github.seed_file("octo-learner/roadmap", "progress.json", text)
    body = graphql(fake_github, http, BLOB, o="octo-learner", n="roadmap")
    repo = body["data"]["repository"]
    git = subprocess.run(["git", "hash-object", "--stdin"], input=text, capture_output=True, text=True, check=True)
    assert repo["progress"] == {"oid": git.stdout.strip(), "byteSize": len(text.encode()), "isTruncated": False,
                                "text": text}
    assert repo["head"] == {"oid": head} and repo["other"] is None
    assert (repo["isArchived"], repo["isPrivate"]) == (False, False)
    fake_github.seed_file("octo-learner/roadmap", "progress.json", None)
    assert graphql(fake_github, http, BLOB, o="octo-learner", n="roadmap")["data"]["repository"]["progress"] is None


def test_private_repositories_are_hidden_from_tokens_that_may_not_see_them(fake_github: FakeGitHub) -> None:
    fake_github.seed_user("alice")
    fake_github.seed_repo("alice/secret", private=True)
    for who in ("mentor", "stranger"):
        fake_github.seed_user(who)
    fake_github.state.repo("alice", "secret").collaborators.add("mentor")  # type: ignore[union-attr]
    tokens = {"owner": fake_github.add_token("alice"), "mentor": fake_github.add_token("mentor"),
              "stranger": fake_github.add_token("stranger"),
              "public_repo": fake_github.add_token("mentor", scopes={"public_repo"})}
    seen = {}
    for name, token in tokens.items():
        with requests.Session() as s:
            s.headers["Authorization"] = f"token {token}"
            found = graphql(fake_github, s, BLOB, o="alice", n="secret")
            rest = s.get(f"{fake_github.url}/repos/alice/secret").status_code
        seen[name] = (found["data"]["repository"] is not None, rest)
        if found["data"]["repository"] is None:
            assert found["errors"][0]["type"] == "NOT_FOUND"
            assert found["errors"][0]["message"] == "Could not resolve to a Repository with the name 'alice/secret'."
    assert seen == {"owner": (True, 200), "mentor": (True, 200), "stranger": (False, 404), "public_repo": (False, 404)}


SEARCH = 'query($q: String!, $after: String) { search(query: $q, type: REPOSITORY, first: 2, after: $after) { ' \
         'repositoryCount pageInfo { hasNextPage endCursor } nodes { ... on Repository { nameWithOwner ' \
         'repositoryTopics(first: 5) { nodes { topic { name } } } } } } }'
ORG = 'query($login: String!) { organization(login: $login) { repositories(first: 10) { totalCount ' \
      'nodes { nameWithOwner isArchived } } archived: repositories(first: 10, isArchived: true) { totalCount } } }'


def test_search_by_topic_and_an_organizations_repositories(fake_github: FakeGitHub, http: requests.Session) -> None:
    fake_github.seed_org("class", members=["octo-learner"])
    for i in range(3):
        repo = fake_github.seed_repo(f"class/learner-{i}", owner_type="Organization")
        repo.topics.append("cohort-a")
    fake_github.seed_repo("class/template", owner_type="Organization").archived = True
    fake_github.seed_repo("solo/mine").topics.append("cohort-a")
    fake_github.seed_repo("class/hidden", private=True, owner_type="Organization").topics.append("cohort-a")
    first = graphql(fake_github, http, SEARCH, q="topic:cohort-a org:class fork:true")["data"]["search"]
    assert first["repositoryCount"] == 4  # hidden is a member's: the org's members see its private repositories
    assert [n["nameWithOwner"] for n in first["nodes"]] == ["class/learner-0", "class/learner-1"]
    assert first["nodes"][0]["repositoryTopics"]["nodes"] == [{"topic": {"name": "cohort-a"}}]
    rest = graphql(fake_github, http, SEARCH, q="topic:cohort-a org:class", after=first["pageInfo"]["endCursor"])
    assert [n["nameWithOwner"] for n in rest["data"]["search"]["nodes"]] == ["class/learner-2", "class/hidden"]
    assert graphql(fake_github, http, SEARCH, q="topic:cohort-a")["data"]["search"]["repositoryCount"] == 5
    assert graphql(fake_github, http, SEARCH, q="topic:cohort-a archived:true")["data"]["search"]["repositoryCount"] \
        == 0
    org = graphql(fake_github, http, ORG, login="class")["data"]["organization"]
    assert org["repositories"]["totalCount"] == 5 and org["archived"]["totalCount"] == 1
    outsider = fake_github.add_token("outsider")
    with requests.Session() as s:
        s.headers["Authorization"] = f"token {outsider}"
        assert graphql(fake_github, s, ORG, login="class")["data"]["organization"]["repositories"]["totalCount"] == 4
    body = graphql(fake_github, http, SEARCH, q="stars:>10")
    assert "not model" in body["errors"][0]["message"]
    fake_github.problems.unsupported.clear()  # asked on purpose


RELEASES = 'query { repository(owner: "octo-learner", name: "roadmap") { ' \
           'releases(first: 5, orderBy: {field: CREATED_AT, direction: DESC}) { totalCount nodes { tagName isDraft ' \
           'isLatest } } latestRelease { tagName } } }'


def test_releases_newest_first_and_drafts_only_for_writers(fake_github: FakeGitHub, http: requests.Session) -> None:
    owner = fake_github.repo.owner
    with fake_github.state.lock:
        fake_github.state.add_release(fake_github.repo, owner, "v0.1")
        fake_github.state.add_release(fake_github.repo, owner, "v0.2")
        fake_github.state.add_release(fake_github.repo, owner, "v0.3", draft=True)
    repo = graphql(fake_github, http, RELEASES)["data"]["repository"]
    assert [(n["tagName"], n["isDraft"], n["isLatest"]) for n in repo["releases"]["nodes"]] == [
        ("v0.3", True, False), ("v0.2", False, True), ("v0.1", False, False)]
    assert repo["latestRelease"] == {"tagName": "v0.2"}
    reader = fake_github.add_token("reader", scopes={"read:org"})
    with requests.Session() as s:
        s.headers["Authorization"] = f"token {reader}"
        seen = graphql(fake_github, s, RELEASES)["data"]["repository"]["releases"]
    assert seen["totalCount"] == 2


PIN = "mutation($id: ID!) { pinIssue(input: {issueId: $id}) { issue { number isPinned } } }"
COMMENT = "mutation($id: ID!, $b: String!) { addComment(input: {subjectId: $id, body: $b}) { commentEdge { node " \
          "{ id body viewerDidAuthor } } } }"
EDIT = "mutation($id: ID!, $b: String!) { updateIssueComment(input: {id: $id, body: $b}) { issueComment { body } } }"
READ = 'query { repository(owner: "octo-learner", name: "roadmap") { pinnedIssues(first: 3) { nodes { issue ' \
       '{ number } } } issue(number: 1) { isPinned comments(last: 10) { totalCount nodes { body } } } } }'


def test_pins_and_comments(fake_github: FakeGitHub, http: requests.Session) -> None:
    with fake_github.state.lock:
        issues = [fake_github.state.add_issue(fake_github.repo, fake_github.repo.owner, f"issue {n}")
                  for n in range(4)]
    for issue in issues[:3]:
        pinned = graphql(fake_github, http, PIN, id=issue.node_id)
        assert pinned["data"]["pinIssue"]["issue"]["isPinned"]
    assert graphql(fake_github, http, PIN, id=issues[0].node_id)["data"]["pinIssue"]  # idempotent
    full = graphql(fake_github, http, PIN, id=issues[3].node_id)
    assert full["errors"][0]["type"] == "UNPROCESSABLE" and "3 issues" in full["errors"][0]["message"]
    added = graphql(fake_github, http, COMMENT, id=issues[0].node_id, b="hello")["data"]["addComment"]
    node = added["commentEdge"]["node"]
    assert node["body"] == "hello" and node["viewerDidAuthor"]
    assert graphql(fake_github, http, EDIT, id=node["id"], b="hello again")["data"]["updateIssueComment"] == {
        "issueComment": {"body": "hello again"}}
    read = graphql(fake_github, http, READ)["data"]["repository"]
    assert [n["issue"]["number"] for n in read["pinnedIssues"]["nodes"]] == [1, 2, 3]
    assert read["issue"] == {"isPinned": True, "comments": {"totalCount": 1, "nodes": [{"body": "hello again"}]}}
    reader = fake_github.add_token("reader", scopes={"read:org"})
    with requests.Session() as s:
        s.headers["Authorization"] = f"token {reader}"
        denied = graphql(fake_github, s, COMMENT, id=issues[1].node_id, b="x")
    assert denied["errors"][0]["type"] == "FORBIDDEN" and fake_github.repo.issues[2].comments == []
