"""A stand-in embedding server for the cheats: an MCP ``embed`` tool over a hashed bag of words.

No model, so it starts at once: deterministic, normalised, the right shape — and blind to meaning,
so it fails on paraphrases alone (``server.py`` beside this file runs it as it is). Every other
cheat is built on this folder (``base: cheat-bag-of-words/`` in config.yaml) and its ``server.py``
changes one behaviour: the ``vector`` or ``check`` it gives :func:`make_server`, or how it runs.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import sys
from collections.abc import Callable

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

DIM = 128


def counts(text: str) -> list[float]:
    """How often each word occurs, hashed into DIM buckets."""
    v = [0.0] * DIM
    for word in re.findall(r"\w+", text.lower()):
        v[int(hashlib.md5(word.encode()).hexdigest(), 16) % DIM] += 1.0
    return v


def normalise(v: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in v)) or 1.0
    return [x / norm for x in v]


def vector(text: str) -> list[float]:
    return normalise(counts(text))


def check(texts: list[str]) -> None:
    """Refuse what the tool's description rules out, with a tool error (the server lives on)."""
    if not texts or len(texts) > 64 or any(len(t) > 8192 for t in texts):
        raise ToolError("give 1 to 64 texts of at most 8192 characters")


def make_server(vector: Callable[[str], list[float]] = vector,
                check: Callable[[list[str]], None] = check) -> MCPServer:
    server = MCPServer("embeddings")

    @server.tool()
    def embed(texts: list[str]) -> dict:
        """Embed texts (1 to 64, each at most 8192 characters)."""
        check(texts)
        return {"embeddings": [vector(t) for t in texts], "dimension": DIM, "normalized": True}

    return server


def run(server: MCPServer, argv: list[str], *, http: bool = True) -> None:
    """Streamable HTTP on $HOST:$PORT/mcp when ``argv`` has --http (and ``http`` allows it), else stdio."""
    if http and "--http" in argv:
        server.run("streamable-http", host=os.environ.get("HOST", "127.0.0.1"),
                   port=int(os.environ.get("PORT", "8000")), streamable_http_path="/mcp")
    else:
        server.run("stdio")


def main() -> None:
    run(make_server(), sys.argv[1:])
