"""Unit tests (no server needed) and client tests against the running server at $OLLAMA_HOST."""

from __future__ import annotations

import os

import httpx
import ollama
import pytest
from server import parse_host

BASE = os.environ.get("OLLAMA_HOST", "http://localhost:11434")
if "://" not in BASE:
    BASE = "http://" + BASE


@pytest.mark.parametrize(("value", "expected"), [
    (None, ("127.0.0.1", 11434)),
    ("127.0.0.1:8080", ("127.0.0.1", 8080)),
    ("http://localhost:9000/", ("localhost", 9000)),
    (":7000", ("127.0.0.1", 7000)),
    ("0.0.0.0", ("0.0.0.0", 11434)),
])
def test_parse_host(value: str | None, expected: tuple[str, int]) -> None:
    assert parse_host(value) == expected


@pytest.fixture(scope="module")
def client() -> ollama.Client:
    return ollama.Client(host=BASE, timeout=30)


@pytest.fixture(scope="module")
def model(client: ollama.Client) -> str:
    return str(client.list().models[0].model)


def test_generate_depends_on_the_prompt(client: ollama.Client, model: str) -> None:
    opts = {"num_predict": 12, "temperature": 0}
    a = client.generate(model=model, prompt="The cat sat on the", options=opts).response
    b = client.generate(model=model, prompt="Quantum physics says", options=opts).response
    assert a and b and a != b
    assert client.generate(model=model, prompt="The cat sat on the", options=opts).response == a


def test_stream_ends_with_done(client: ollama.Client, model: str) -> None:
    parts = list(client.chat(model=model, messages=[{"role": "user", "content": "hi"}], stream=True,
                             options={"num_predict": 6}))
    assert len(parts) >= 2
    assert parts[-1].done and not any(p.done for p in parts[:-1])


def test_embed_shapes(client: ollama.Client, model: str) -> None:
    vectors = client.embed(model=model, input=["one", "two", "three"]).embeddings
    assert len(vectors) == 3 and len({len(v) for v in vectors}) == 1


def test_unknown_model_is_404(client: ollama.Client) -> None:
    with pytest.raises(ollama.ResponseError) as err:
        client.generate(model="does-not-exist", prompt="x")
    assert err.value.status_code == 404


def test_openai_unknown_model_is_404() -> None:
    body = {"model": "x", "messages": [{"role": "user", "content": "hi"}]}
    assert httpx.post(BASE + "/v1/chat/completions", json=body, timeout=30).status_code == 404
