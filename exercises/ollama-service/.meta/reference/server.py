"""An Ollama-compatible REST server for a local model (reference solution).

    OLLAMA_HOST=127.0.0.1:11434 python server.py

Endpoints: GET / · GET /api/version · GET /api/tags · POST /api/show · POST /api/generate ·
POST /api/chat · POST /api/embed · POST /api/embeddings · GET /v1/models · POST /v1/chat/completions
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

VERSION = "0.1.0"
llm: Any = None  # the LocalModel, loaded in main()


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def parse_host(value: str | None) -> tuple[str, int]:
    """OLLAMA_HOST as `ollama serve` reads it: "host:port", "http://host:port", ":port" or "host"."""
    value = (value or "").strip()
    if "://" in value:
        value = value.split("://", 1)[1]
    value = value.rstrip("/")
    host, _, port = value.rpartition(":") if ":" in value else (value, "", "")
    return (host or "127.0.0.1"), int(port or 11434)


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def model_entry() -> dict[str, Any]:
    digest = hashlib.sha256(llm.name.encode()).hexdigest()
    size = sum(p.numel() * p.element_size() for p in llm.model.parameters())
    return {"name": llm.name, "model": llm.name, "modified_at": now(), "size": size, "digest": digest,
            "details": {"format": "safetensors", "family": "llama", "families": ["llama"],
                        "parameter_size": f"{sum(p.numel() for p in llm.model.parameters()) / 1e6:.1f}M",
                        "quantization_level": "F32"}}


async def read_json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"invalid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    return body


def require_model(body: dict[str, Any]) -> str:
    name = body.get("model")
    if not isinstance(name, str) or not name:
        raise ApiError(400, "model is required")
    if name not in (llm.name, f"{llm.name}:latest"):
        raise ApiError(404, f"model '{name}' not found")
    return name


def options_of(body: dict[str, Any], *, openai: bool = False) -> dict[str, Any]:
    opts = body.get("options") or {}
    if not isinstance(opts, dict):
        raise ApiError(400, "options must be an object")
    if openai:
        opts = {"num_predict": body.get("max_tokens") or body.get("max_completion_tokens"),
                "temperature": body.get("temperature"), "seed": body.get("seed")}
    num_predict = opts.get("num_predict")
    num_predict = 64 if num_predict is None or num_predict < 0 else min(int(num_predict), 1024)
    temperature = opts.get("temperature")
    return {"num_predict": num_predict, "temperature": 0.8 if temperature is None else float(temperature),
            "seed": opts.get("seed"), "repeat_penalty": float(opts.get("repeat_penalty", 1.1))}


def ndjson(lines: Iterator[dict[str, Any]]) -> StreamingResponse:
    return StreamingResponse((json.dumps(line) + "\n" for line in lines), media_type="application/x-ndjson")


def generation(prompt: str, opts: dict[str, Any], shape: Any) -> Iterator[dict[str, Any]]:
    """Run the model lazily; `shape(piece, done, stats)` builds each JSON object of the answer."""
    t0 = time.perf_counter_ns()
    count = 0
    for piece in llm.generate(prompt, **opts):
        count += 1
        yield shape(piece, False, {})
    reason = "length" if count >= opts["num_predict"] else "stop"
    yield shape("", True, {"done_reason": reason, "total_duration": time.perf_counter_ns() - t0,
                           "load_duration": 0, "prompt_eval_count": llm.count_tokens(prompt),
                           "eval_count": count, "eval_duration": time.perf_counter_ns() - t0})


async def api_generate(request: Request) -> Response:
    body = await read_json(request)
    name = require_model(body)
    prompt = body.get("prompt") or ""
    if not isinstance(prompt, str):
        raise ApiError(400, "prompt must be a string")
    opts = options_of(body)

    def shape(piece: str, done: bool, stats: dict[str, Any]) -> dict[str, Any]:
        return {"model": name, "created_at": now(), "response": piece, "done": done, **stats}

    stream = body.get("stream", True) is not False
    parts = generation(prompt, opts, shape)
    if stream:
        return ndjson(parts)
    collected = await run_in_threadpool(list, parts)
    final = collected[-1]
    final["response"] = "".join(p["response"] for p in collected)
    return JSONResponse(final)


async def api_chat(request: Request) -> Response:
    body = await read_json(request)
    name = require_model(body)
    messages = body.get("messages") or []
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise ApiError(400, "messages must be a list of objects")
    from model import chat_prompt

    opts = options_of(body)

    def shape(piece: str, done: bool, stats: dict[str, Any]) -> dict[str, Any]:
        return {"model": name, "created_at": now(), "message": {"role": "assistant", "content": piece},
                "done": done, **stats}

    stream = body.get("stream", True) is not False
    parts = generation(chat_prompt(messages), opts, shape)
    if stream:
        return ndjson(parts)
    collected = await run_in_threadpool(list, parts)
    final = collected[-1]
    final["message"]["content"] = "".join(p["message"]["content"] for p in collected)
    return JSONResponse(final)


async def api_embed(request: Request) -> Response:
    body = await read_json(request)
    name = require_model(body)
    texts = body.get("input", [])
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise ApiError(400, "input must be a string or a list of strings")
    t0 = time.perf_counter_ns()
    vectors = await run_in_threadpool(llm.embed, texts)
    return JSONResponse({"model": name, "embeddings": vectors, "total_duration": time.perf_counter_ns() - t0,
                         "load_duration": 0, "prompt_eval_count": sum(llm.count_tokens(t) for t in texts)})


async def api_embeddings(request: Request) -> Response:  # the older, single-prompt endpoint
    body = await read_json(request)
    require_model(body)
    prompt = body.get("prompt") or ""
    (vector,) = await run_in_threadpool(llm.embed, [str(prompt)])
    return JSONResponse({"embedding": vector})


async def api_tags(request: Request) -> Response:
    return JSONResponse({"models": [model_entry()]})


async def api_show(request: Request) -> Response:
    body = await read_json(request)
    body.setdefault("model", body.get("name"))
    require_model(body)
    entry = model_entry()
    return JSONResponse({"details": entry["details"], "modelfile": f"FROM {llm.name}", "parameters": "",
                         "template": "{{ .Prompt }}", "model_info": {"general.architecture": "llama"}})


async def v1_models(request: Request) -> Response:
    return JSONResponse({"object": "list", "data": [{"id": llm.name, "object": "model", "created": 0,
                                                      "owned_by": "library"}]})


async def v1_chat_completions(request: Request) -> Response:
    body = await read_json(request)
    try:
        name = require_model(body)
    except ApiError as exc:  # OpenAI's error shape
        return JSONResponse({"error": {"message": exc.message, "type": "invalid_request_error",
                                       "code": "model_not_found" if exc.status == 404 else None}},
                            status_code=exc.status)
    from model import chat_prompt

    messages = body.get("messages") or []
    opts = options_of(body, openai=True)
    cid = f"chatcmpl-{uuid.uuid4().hex[:12]}"
    created = int(time.time())
    prompt = chat_prompt(messages)
    if body.get("stream"):
        def events() -> Iterator[str]:
            first = True
            finish = "stop"
            count = 0
            for piece in llm.generate(prompt, **opts):
                count += 1
                delta = {"role": "assistant", "content": piece} if first else {"content": piece}
                first = False
                chunk = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": name,
                         "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
                yield f"data: {json.dumps(chunk)}\n\n"
            if count >= opts["num_predict"]:
                finish = "length"
            last = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": name,
                    "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}
            yield f"data: {json.dumps(last)}\n\n"
            yield "data: [DONE]\n\n"
        return StreamingResponse(events(), media_type="text/event-stream")
    pieces = await run_in_threadpool(lambda: list(llm.generate(prompt, **opts)))
    text = "".join(pieces)
    prompt_tokens = llm.count_tokens(prompt)
    return JSONResponse({
        "id": cid, "object": "chat.completion", "created": created, "model": name,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                     "finish_reason": "length" if len(pieces) >= opts["num_predict"] else "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(pieces),
                  "total_tokens": prompt_tokens + len(pieces)},
    })


async def root(request: Request) -> Response:
    return PlainTextResponse("Ollama is running")


async def version(request: Request) -> Response:
    return JSONResponse({"version": VERSION})


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse({"error": exc.message}, status_code=exc.status)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Load the model once per worker process, before it serves a request."""
    global llm
    from model import load

    llm = await run_in_threadpool(load)
    yield


app = Starlette(
    routes=[
        Route("/", root, methods=["GET", "HEAD"]),
        Route("/api/version", version),
        Route("/api/tags", api_tags),
        Route("/api/show", api_show, methods=["POST"]),
        Route("/api/generate", api_generate, methods=["POST"]),
        Route("/api/chat", api_chat, methods=["POST"]),
        Route("/api/embed", api_embed, methods=["POST"]),
        Route("/api/embeddings", api_embeddings, methods=["POST"]),
        Route("/v1/models", v1_models),
        Route("/v1/chat/completions", v1_chat_completions, methods=["POST"]),
    ],
    exception_handlers={ApiError: api_error},
    lifespan=lifespan,
)


def main() -> None:
    import uvicorn

    host, port = parse_host(os.environ.get("OLLAMA_HOST"))
    # Generation is Python-bound per token (the GIL serialises threads): one process per core
    # serves concurrent clients in parallel. Each worker loads its own copy of the small model.
    workers = int(os.environ.get("WORKERS") or min(2, os.cpu_count() or 1))
    print(f"serving on http://{host}:{port} with {workers} worker(s)", flush=True)
    uvicorn.run("server:app", host=host, port=port, workers=workers, log_level="warning",
                timeout_graceful_shutdown=2)


if __name__ == "__main__":
    main()
