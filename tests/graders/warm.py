"""Run a hostile-code test module twice: on runs started cold and on runs a zygote forked.

``start = cold_and_warm(no_sandbox=..., elsewhere=...)`` at a module's top level makes every test
in it parametrised ``cold``/``warm`` (graders.zygote): a forked process must be as closed as a
fresh one, and each warm case asserts it really was forked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest


def cold_and_warm(*, no_sandbox: frozenset[str] = frozenset(),
                  elsewhere: frozenset[str] = frozenset()) -> Callable[..., Any]:
    """The autouse fixture. ``no_sandbox``: tests that start no sandboxed run (no warm case);
    ``elsewhere``: tests whose runs start in another process (which inherits the switch), so this
    process's count of forked supervisors cannot see them."""

    @pytest.fixture(autouse=True, params=["cold", "warm"])
    def start(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
        from graders import zygote

        warm = request.param == "warm"
        name = request.function.__name__
        if warm and name in no_sandbox:
            pytest.skip("this test starts no sandboxed run")
        monkeypatch.setenv(zygote.ENV_SWITCH, "1" if warm else "0")
        forked = zygote.forked_supervisors
        yield str(request.param)
        zygote.shutdown()
        if name not in elsewhere:
            assert (zygote.forked_supervisors > forked) == warm, "the run did not start the way its test meant"

    return start
