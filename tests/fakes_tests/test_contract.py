"""The OpenAPI contract checks: translation to JSON Schema, client violations, the fake's own."""

from __future__ import annotations

import pytest
import requests

from tests.fakes.github import rest_shapes
from tests.fakes.github.contract import contract_for, to_json_schema
from tests.fakes.github.rest import ROUTES
from tests.fakes.github.server import FakeGitHub


def test_nullable_becomes_a_json_schema_type() -> None:
    assert to_json_schema({"type": "string", "nullable": True}) == {"type": ["string", "null"]}
    assert to_json_schema({"type": "string", "enum": ["a"], "nullable": True}) == {
        "type": ["string", "null"],
        "enum": ["a", None],
    }
    assert to_json_schema({"$ref": "#/components/schemas/x", "nullable": True}) == {
        "anyOf": [{"type": "null"}, {"$ref": "urn:github-contract#/components/schemas/x"}]
    }
    # a property *named* like a keyword is kept
    assert to_json_schema({"type": "object", "properties": {"description": {"type": "string"}}}) == {
        "type": "object",
        "properties": {"description": {"type": "string"}},
    }


def test_breaking_changes_apply_per_api_version() -> None:
    issue = {
        "id": 1,
        "node_id": "I",
        "url": "http://x/1",
        "repository_url": "http://x",
        "labels_url": "http://x/l",
        "comments_url": "http://x/c",
        "events_url": "http://x/e",
        "html_url": "http://x/h",
        "number": 1,
        "state": "open",
        "title": "t",
        "user": None,
        "labels": [],
        "milestone": None,
        "locked": False,
        "comments": 0,
        "closed_at": None,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
    }
    assert contract_for("2022-11-28").check_response("issues/get", 200, issue) == [
        "response 200 (root): 'assignee' is a required property"
    ]
    assert contract_for("2026-03-10").check_response("issues/get", 200, issue) == []


def test_every_contract_operation_is_served() -> None:
    served = {r.operation_id for r in ROUTES if r.operation_id}
    assert served == set(contract_for().operations)
    for route in ROUTES:
        if route.operation_id:
            op = contract_for().operations[route.operation_id]
            assert (route.method, route.template.replace("+}", "}")) == (op.method, op.path)


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "expected"),
    [
        (
            "POST",
            "/issues",
            {"json": {"title": "t", "labels": "sprint"}},
            "request body labels: 'sprint' is not of type",
        ),
        ("POST", "/issues", {"json": {"body": "no title"}}, "'title' is a required property"),
        ("POST", "/issues", {"json": {"title": "t", "lables": ["x"]}}, "property 'lables' is not declared"),
        ("PATCH", "/issues/1", {"json": {"state": "done"}}, "'done' is not one of ['open', 'closed']"),
        ("GET", "/issues", {"params": {"state": "done"}}, "query parameter 'state'"),
        ("GET", "/issues", {"params": {"per_page": "many"}}, "'many' is not of type 'integer'"),
        ("POST", "/milestones", {"json": {"title": "Q1", "due_on": "soon"}}, "'soon' is not a 'date-time'"),
        ("POST", "/git/refs", {"json": {"ref": "refs/tags/v0.1"}}, "'sha' is a required property"),
    ],
)
def test_client_violations_are_422_and_recorded(
    fake_github: FakeGitHub, http: requests.Session, method: str, path: str, kwargs: dict[str, object], expected: str
) -> None:
    fake_github.github().get_repo("octo-learner/roadmap").create_issue("existing")
    response = http.request(method, f"{fake_github.url}/repos/octo-learner/roadmap{path}", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 422
    assert response.json()["message"].startswith("Invalid request.")
    (violation,) = fake_github.take_client_violations()
    assert expected in violation
    assert len(fake_github.repo.issues) == 1  # nothing applied


def test_the_fakes_own_contract_breach_fails_the_test(fake_github: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    real = rest_shapes.label

    def without_description(*args: object) -> dict[str, object]:
        body = real(*args)  # type: ignore[arg-type]
        del body["description"]
        return body

    monkeypatch.setattr(rest_shapes, "label", without_description)
    fake_github.github().get_repo("octo-learner/roadmap").create_label("sprint", "ededed")
    assert fake_github.contract_violations == [
        "POST /repos/{owner}/{repo}/labels (issues/create-label): response 201 (root): "
        "'description' is a required property"
    ]
    with pytest.raises(AssertionError, match="'description' is a required property"):
        fake_github.assert_clean()
    fake_github.contract_violations.clear()


def test_undeclared_status_is_a_fake_breach(fake_github: FakeGitHub) -> None:
    problems = contract_for().check_response("issues/create-label", 409, {"message": "x"})
    assert problems == ["status 409 is not declared for issues/create-label (declared: [201, 404, 422])"]
