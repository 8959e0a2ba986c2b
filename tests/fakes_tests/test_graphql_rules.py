"""GraphQL validation, errors, scopes, pagination rules and cost — GitHub's, as the fake enforces them."""

from __future__ import annotations

import pytest
import requests
from github import GithubException, UnknownObjectException

from tests.fakes.github.server import FakeGitHub

from .support import gql, graphql


def test_unknown_field_is_rejected_in_githubs_shape(fake_github: FakeGitHub, http: requests.Session) -> None:
    body = graphql(fake_github, http, "query { viewer { login nope } }")
    assert "data" not in body
    (error,) = body["errors"]
    assert error["message"] == "Field 'nope' doesn't exist on type 'User'"
    assert error["extensions"] == {"code": "undefinedField", "field": "nope", "type": "User"}
    assert error["locations"] == [{"line": 1, "column": 24}]
    assert fake_github.counters.graphql_cost == 0  # rejected documents are not charged

    with pytest.raises(GithubException) as raised:  # PyGithub turns any `errors` into a 400 exception
        fake_github.github().requester.graphql_query("query { viewer { nope } }", {})
    assert raised.value.status == 400


@pytest.mark.parametrize(
    ("document", "variables", "expected"),
    [
        ("query { viewer { login ", {}, "Syntax Error"),
        ("query { viewer { projectV2 { id } } }", {}, "Field 'projectV2' is missing required arguments: number"),
        ("query { viewer { login(x: 1) } }", {}, "Field 'login' doesn't accept argument 'x'"),
        (
            "query($n: Int!) { viewer { projectV2(number: $n) { id } } }",
            {"n": "one"},
            "Variable '$n' has invalid value",
        ),
        (
            "mutation($i: CreateProjectV2FieldInput!) { createProjectV2Field(input: $i) { clientMutationId } }",
            {
                "i": {
                    "projectId": "x",
                    "dataType": "SINGLE_SELECT",
                    "name": "S",
                    "singleSelectOptions": [{"name": "To Learn", "color": "GRAY"}],
                }
            },
            "description",  # ProjectV2SingleSelectFieldOptionInput.description is required (String!)
        ),
    ],
)
def test_invalid_documents_never_execute(
    fake_github: FakeGitHub, http: requests.Session, document: str, variables: dict[str, object], expected: str
) -> None:
    body = graphql(fake_github, http, document, **variables)
    assert "data" not in body
    assert expected in body["errors"][0]["message"]


def test_connections_need_pagination_boundaries(fake_github: FakeGitHub, http: requests.Session) -> None:
    missing = graphql(fake_github, http, "{ viewer { projectsV2 { totalCount } } }")
    assert missing["errors"] == [
        {
            "type": "MISSING_PAGINATION_BOUNDARIES",
            "path": ["viewer", "projectsV2"],
            "locations": [{"line": 1, "column": 12}],
            "message": "You must provide a `first` or `last` value to properly paginate the `projectsV2` connection.",
        }
    ]
    excessive = graphql(fake_github, http, "{ viewer { projectsV2(first: 101) { totalCount } } }")
    assert excessive["errors"][0]["type"] == "EXCESSIVE_PAGINATION"


def test_not_found_is_a_typed_error_with_partial_data(fake_github: FakeGitHub, http: requests.Session) -> None:
    body = graphql(fake_github, http, '{ repository(owner: "octo-learner", name: "nope") { id } viewer { login } }')
    assert body["data"] == {"repository": None, "viewer": {"login": "octo-learner"}}
    assert body["errors"] == [
        {
            "type": "NOT_FOUND",
            "path": ["repository"],
            "locations": [{"line": 1, "column": 3}],
            "message": "Could not resolve to a Repository with the name 'octo-learner/nope'.",
        }
    ]
    with pytest.raises(UnknownObjectException):  # a single NOT_FOUND becomes PyGithub's 404 exception
        gql(fake_github, "{ viewer { projectV2(number: 7) { id } } }")


def test_cost_follows_githubs_formula(fake_github: FakeGitHub, http: requests.Session) -> None:
    simple = graphql(fake_github, http, "{ viewer { login } rateLimit { cost limit remaining used resetAt } }")
    rate = simple["data"]["rateLimit"]
    assert (rate["cost"], rate["limit"], rate["used"], rate["remaining"]) == (1, 5000, 1, 4999)
    assert rate["resetAt"].endswith("Z")

    # 1 (projectsV2) + 100 (items in each project) + 100*100 (fieldValues of each item) = 10,101 → 101
    nested = """{ viewer { projectsV2(first: 100) { nodes { items(first: 100) { nodes {
      fieldValues(first: 20) { totalCount } } } } } } rateLimit { cost remaining } }"""
    response = http.post(fake_github.graphql_url, json={"query": nested})
    assert response.json()["data"]["rateLimit"] == {"cost": 101, "remaining": 4999 - 101}
    assert response.headers["x-ratelimit-resource"] == "graphql"
    assert response.headers["x-ratelimit-remaining"] == str(4999 - 101)
    assert fake_github.counters.graphql_costs == [1, 101]
    assert fake_github.counters.graphql_cost == 102


def test_classic_token_needs_project_scopes(fake_github: FakeGitHub) -> None:
    repo_only = fake_github.add_token("octo-learner", scopes={"repo"})
    session = requests.Session()
    session.headers["Authorization"] = f"token {repo_only}"
    body = graphql(fake_github, session, "{ viewer { login projectsV2(first: 1) { totalCount } } }")
    assert "data" not in body
    (error,) = body["errors"]
    assert error["type"] == "INSUFFICIENT_SCOPES"
    assert "['read:project']" in error["message"] and "['repo']" in error["message"]

    reader = fake_github.add_token("octo-learner", scopes={"repo", "read:project"})
    session.headers["Authorization"] = f"token {reader}"
    assert "errors" not in graphql(fake_github, session, "{ viewer { projectsV2(first: 1) { totalCount } } }")
    owner = fake_github.state.account("octo-learner")
    assert owner is not None
    create = 'mutation($o: ID!) { createProjectV2(input: {ownerId: $o, title: "B"}) { projectV2 { id } } }'
    denied = graphql(fake_github, session, create, o=owner.node_id)
    assert denied["errors"][0]["type"] == "INSUFFICIENT_SCOPES" and "['project']" in denied["errors"][0]["message"]
    assert fake_github.state.projects == []
    session.close()


def test_actions_token_cannot_reach_user_projects_but_org_ones(fake_github: FakeGitHub) -> None:
    with fake_github.state.lock:
        fake_github.state.add_project(fake_github.state.account("octo-learner"), "Personal")  # type: ignore[arg-type]
        org = fake_github.state.add_account("llm-guild", "Organization")
        fake_github.state.add_project(org, "Guild board")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {fake_github.actions_token()}"
    body = graphql(fake_github, session, '{ user(login: "octo-learner") { projectV2(number: 1) { id } } }')
    assert body["data"] == {"user": {"projectV2": None}}
    assert body["errors"][0]["type"] == "FORBIDDEN"
    assert body["errors"][0]["message"] == "Resource not accessible by integration"
    assert body["errors"][0]["path"] == ["user", "projectV2"]

    org_token = fake_github.add_token("llm-guild-bot", scopes={"organization_projects:write"}, kind="installation")
    session.headers["Authorization"] = f"Bearer {org_token}"
    org_body = graphql(fake_github, session, '{ organization(login: "llm-guild") { projectV2(number: 1) { title } } }')
    assert org_body == {"data": {"organization": {"projectV2": {"title": "Guild board"}}}}
    session.close()


def test_a_graphql_response_breaking_the_schema_is_the_fakes_fault(fake_github: FakeGitHub) -> None:
    owner = fake_github.state.account("octo-learner")
    assert owner is not None
    with fake_github.state.lock:
        project = fake_github.state.add_project(owner, "Board")
        project.title = None  # type: ignore[assignment]  # ProjectV2.title is String!
    session = requests.Session()
    session.headers["Authorization"] = f"token {fake_github.token}"
    body = graphql(fake_github, session, "{ viewer { projectV2(number: 1) { title } } }")
    session.close()
    assert body["data"] == {"viewer": {"projectV2": None}}
    assert fake_github.contract_violations == [
        "GraphQL response breaks the schema at ['viewer', 'projectV2', 'title']: "
        "Cannot return null for non-nullable field ProjectV2.title."
    ]
    with pytest.raises(AssertionError, match="fake response broke the contract"):
        fake_github.assert_clean()
    fake_github.contract_violations.clear()


def test_unmodelled_fields_are_reported_not_silently_null(fake_github: FakeGitHub, http: requests.Session) -> None:
    body = graphql(fake_github, http, "{ viewer { login bio } }")
    assert body["errors"][0]["message"] == "The fake GitHub does not model the field User.bio."
    assert fake_github.unsupported == ["GraphQL field not modelled by the fake: User.bio"]
    fake_github.unsupported.clear()
