"""Your Ollama-compatible REST server. Start it with ``python server.py``.

Listen where ``OLLAMA_HOST`` says ("127.0.0.1:11434" when unset, as ``ollama serve`` does) and
serve the model from ``model.py`` (or any local model) through the Ollama REST API and the
OpenAI-compatible ``/v1/chat/completions``. README.md lists every endpoint the grader calls.

Suggested stack (installed with llm-sprint[services]): starlette + uvicorn. Load the model once,
before the server starts accepting requests.
"""

from __future__ import annotations

import os


def parse_host(value: str | None) -> tuple[str, int]:
    """OLLAMA_HOST → (host, port): "host:port", "http://host:port", ":port" or "host"."""
    raise NotImplementedError("parse OLLAMA_HOST")


def main() -> None:
    host, port = parse_host(os.environ.get("OLLAMA_HOST"))
    raise NotImplementedError(f"serve the Ollama API on http://{host}:{port} (see README.md)")


if __name__ == "__main__":
    main()
