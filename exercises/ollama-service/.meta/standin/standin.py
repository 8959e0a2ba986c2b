"""A stand-in Ollama server for the cheats: the standard library only, so it starts in milliseconds,
and a "model" that draws words from a hash of the prompt.

As it is, it passes every check of the service kind but the learner's tests (``server.py`` beside
this file runs it; ``cheat-tests-without-server`` keeps it and fails on its tests alone). Every
other cheat is built on this folder (``base: standin/`` in config.yaml) and its ``server.py``
changes one behaviour: a :class:`Handler` method, or the server class given to :func:`serve`.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import time
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer

MODEL = "quick"
WORDS = ("the river light stone model answer window garden quiet morning letter bridge signal "
         "paper forest engine silver winter harbour lantern").split()


def parse_host(value: str | None) -> tuple[str, int]:
    value = (value or "").split("://")[-1].rstrip("/")
    host, _, port = value.rpartition(":") if ":" in value else (value, "", "")
    return host or "127.0.0.1", int(port or 11434)


def embed(text: str) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    v = [b - 127.5 for b in digest]
    norm = math.sqrt(sum(x * x for x in v))
    return [x / norm for x in v]


class Handler(BaseHTTPRequestHandler):
    """The Ollama API (and its OpenAI-compatible chat endpoint) over the hash "model"."""

    protocol_version = "HTTP/1.0"

    def generate(self, prompt: str, n: int) -> list[str]:
        """``n`` pieces of text for ``prompt``: the same prompt, the same words."""
        rng = random.Random(hashlib.sha256(prompt.encode()).digest())
        return [rng.choice(WORDS) + " " for _ in range(n)]

    def read_body(self) -> dict | None:
        """The request's JSON, or None after answering 400 (not JSON) or 404 (unknown model)."""
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw)
        except ValueError:
            self.send_json(400, {"error": "invalid JSON"})
            return None
        if body.get("model") != MODEL:
            self.send_json(404, {"error": f"model '{body.get('model')}' not found"})
            return None
        return body

    def streams(self, body: dict) -> bool:
        """Does an Ollama generate/chat request want NDJSON chunks? (Ollama streams unless told not to.)"""
        return body.get("stream", True) is not False

    def log_message(self, *args: object) -> None:
        pass

    def send_json(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/api/tags":
            self.send_json(200, {"models": [{"name": MODEL, "model": MODEL}]})
        elif self.path == "/":
            self.send_json(200, {"status": "ok"})
        else:
            self.send_json(404, {"error": "not found"})

    def do_POST(self) -> None:
        body = self.read_body()
        if body is None:
            return
        n = int((body.get("options") or {}).get("num_predict") or body.get("max_tokens") or 16)
        if self.path == "/api/embed":
            texts = body.get("input")
            texts = [texts] if isinstance(texts, str) else texts
            self.send_json(200, {"model": MODEL, "embeddings": [embed(t) for t in texts]})
        elif self.path in ("/api/generate", "/api/chat"):
            chat = self.path == "/api/chat"
            prompt = json.dumps(body.get("messages")) if chat else body.get("prompt", "")
            pieces = self.generate(prompt, n)

            def part(text: str, done: bool) -> dict:
                key = {"message": {"role": "assistant", "content": text}} if chat else {"response": text}
                return {"model": MODEL, "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ"), **key, "done": done}

            if not self.streams(body):
                self.send_json(200, part("".join(pieces), True))
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.end_headers()
            for piece in pieces:
                self.wfile.write((json.dumps(part(piece, False)) + "\n").encode())
            self.wfile.write((json.dumps(part("", True)) + "\n").encode())
        elif self.path == "/v1/chat/completions":
            pieces = self.generate(json.dumps(body.get("messages")), n)
            if not body.get("stream"):
                self.send_json(200, {"object": "chat.completion", "model": MODEL, "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": "".join(pieces)},
                     "finish_reason": "length"}]})
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for piece in pieces:
                chunk = {"object": "chat.completion.chunk", "model": MODEL,
                         "choices": [{"index": 0, "delta": {"content": piece}}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
        else:
            self.send_json(404, {"error": "not found"})


def serve(handler: type[Handler] = Handler, server: type[HTTPServer] = ThreadingHTTPServer) -> None:
    """Serve on ``$OLLAMA_HOST`` (default 127.0.0.1:11434) until killed."""
    host, port = parse_host(os.environ.get("OLLAMA_HOST"))
    server((host, port), handler).serve_forever()
