"""Fixtures for the fake GitHub's own tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.fakes.github.fixture import fake_github, fake_github_env
from tests.fakes.github.server import FakeGitHub

__all__ = ["fake_github", "fake_github_env"]


@pytest.fixture
def http(fake_github: FakeGitHub) -> Iterator[requests.Session]:
    """A raw HTTP session authenticated as the fake's default user, for status-level checks."""
    session = requests.Session()
    session.headers["Authorization"] = f"token {fake_github.token}"
    yield session
    session.close()
