"""A fake GitHub (REST + GraphQL Projects v2) on loopback, checked against GitHub's own contract.

Start with ``README.md`` in this folder. The public surface:

* :class:`FakeGitHub` — the server and the handle tests hold (``.url``, ``.graphql_url``,
  ``.token``, ``.state``, ``.faults``, ``.counters``, ``.limits``, ``.contract_violations`` …);
* :class:`FaultMode` — what an injected failure does;
* ``fake_github`` / ``fake_github_env`` — pytest fixtures, in :mod:`.fixture`.

Names are imported lazily, so ``import tests.fakes.github.fixture`` (done by a conftest) costs
nothing until a test asks for the fixture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .faults import FaultMode, RequestInfo
    from .server import FakeGitHub

__all__ = ["FakeGitHub", "FaultMode", "RequestInfo"]


def __getattr__(name: str) -> Any:
    if name == "FakeGitHub":
        from .server import FakeGitHub

        return FakeGitHub
    if name in ("FaultMode", "RequestInfo"):
        from . import faults

        return getattr(faults, name)
    raise AttributeError(name)
