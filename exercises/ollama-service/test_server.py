"""Your unit tests (pytest). Tests that need the server read its address from $OLLAMA_HOST."""

from __future__ import annotations

import pytest


def test_write_your_tests() -> None:
    pytest.fail("TODO: test parse_host() and your server's endpoints with the ollama client")
