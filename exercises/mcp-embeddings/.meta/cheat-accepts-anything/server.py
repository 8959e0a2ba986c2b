"""Cheat: no input validation: an empty list gives [], huge input is embedded anyway."""

from __future__ import annotations

import hashlib
import math
import os
import re
import sys

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

DIM = 128
server = MCPServer("embeddings")


def vector(text: str) -> list[float]:
    v = [0.0] * DIM
    for word in re.findall(r"\w+", text.lower()):
        v[int(hashlib.md5(word.encode()).hexdigest(), 16) % DIM] += 1.0
    norm = math.sqrt(sum(x * x for x in v)) or 1.0
    return [x / norm for x in v]


@server.tool()
def embed(texts: list[str]) -> dict:
    """Embed texts (1 to 64, each at most 8192 characters)."""
    return {"embeddings": [vector(t) for t in texts], "dimension": DIM, "normalized": True}


def main(argv: list[str]) -> None:
    if "--http" in argv:
        server.run("streamable-http", host=os.environ.get("HOST", "127.0.0.1"),
                   port=int(os.environ.get("PORT", "8000")), streamable_http_path="/mcp")
    else:
        server.run("stdio")


if __name__ == "__main__":
    main(sys.argv[1:])
