"""pytest fixtures for the fake GitHub. Import them into a ``conftest.py``::

    from tests.fakes.github.fixture import fake_github, fake_github_env  # noqa: F401

``fake_github`` yields a started :class:`FakeGitHub` and, at teardown, stops it (no thread
left) and fails the test if the fake's responses broke the contract, the client's requests
broke it, or the client used something the fake does not model. ``fake_github_env`` also sets
``GITHUB_API_URL``, ``GITHUB_GRAPHQL_URL`` and ``GITHUB_TOKEN`` for code that reads them.

Parametrize the layout indirectly: ``@pytest.mark.parametrize("fake_github", ["ghes"], indirect=True)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .server import FakeGitHub


@pytest.fixture
def fake_github(request: pytest.FixtureRequest) -> Iterator[FakeGitHub]:
    from .server import FakeGitHub

    fake = FakeGitHub(layout=getattr(request, "param", "dotcom"))
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
    fake.assert_clean()


@pytest.fixture
def fake_github_env(fake_github: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> FakeGitHub:
    for key, value in fake_github.env().items():
        monkeypatch.setenv(key, value)
    return fake_github
