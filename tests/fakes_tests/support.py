"""Small helpers shared by the fake's tests."""

from __future__ import annotations

from typing import Any

import requests

from tests.fakes.github.server import FakeGitHub


def graphql(fake: FakeGitHub, session: requests.Session, query: str, **variables: Any) -> dict[str, Any]:
    """POST a document to the fake's GraphQL endpoint; the decoded body (GitHub answers 200 even for errors)."""
    response = session.post(fake.graphql_url, json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def gql(fake: FakeGitHub, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
    """Run a document through PyGithub's requester, as the sync does; the ``data`` part."""
    _, body = fake.github(token).requester.graphql_query(query, variables)
    data: dict[str, Any] = body["data"]
    return data
