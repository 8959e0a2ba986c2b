"""Trusted client of kind ``service`` (protocol ``ollama``): runs in the sandbox beside the learner's server.

It never imports the learner's code (the harness leaves their folder off ``sys.path``); it talks
to their server over the run's loopback with the official ``ollama`` client (and httpx for the
OpenAI-compatible ``/v1`` endpoint), and reports one ``measure`` message per check as soon as it
is known, so a run cut short still keeps what was measured.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from graders.harness.channel import Channel
from graders.kinds._servers import LearnerRun, RecordingProxy, percentile, run_learner, server_alive, wait_ready

_SUBJECTS = ["the lighthouse keeper", "a tired astronaut", "my grandmother", "the river", "a small robot",
             "the old library", "a street musician", "the mountain village", "a curious fox", "the night train"]
_VERBS = ["remembers", "describes", "dreams about", "walks towards", "listens to", "writes about", "paints",
          "forgets", "explains", "waits for"]
_OBJECTS = ["the winter sea", "seven silver keys", "a forgotten song", "the price of bread", "quantum tunnelling",
            "an empty chessboard", "the first snow", "a broken umbrella", "the summer market", "distant thunder"]


def _prompts(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        text = f"Tell a short story: {rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}."
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def describe(exc: BaseException) -> str:
    """A learner-facing sentence for an exception raised while talking to their server."""
    import httpx
    import ollama
    import pydantic

    if isinstance(exc, ollama.ResponseError):
        return f"the server answered HTTP {exc.status_code}: {str(exc.error)[:200]}"
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return "no answer in time (the request timed out)"
    if isinstance(exc, (ConnectionError, httpx.ConnectError, httpx.RemoteProtocolError)):
        return f"the connection failed ({type(exc).__name__}: {str(exc)[:160]})"
    if isinstance(exc, pydantic.ValidationError):
        errors = exc.errors()
        if not errors:
            return "the response does not match the Ollama API"
        where = ".".join(str(p) for p in errors[0]["loc"]) or "the body"
        return f"the response does not match the Ollama API: {where}: {errors[0]['msg']}"
    if isinstance(exc, json.JSONDecodeError):
        return f"the response is not valid JSON ({exc.msg} at line {exc.lineno})"
    return f"{type(exc).__name__}: {str(exc)[:240]}"


def _finite_vector(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and len(v) > 0 and all(
        isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in v)


class OllamaSuite:
    def __init__(self, args: dict[str, Any], channel: Channel) -> None:
        import ollama

        self.args = args
        self.channel = channel
        self.host = str(args["host"])
        self.port = int(args["port"])
        self.base = f"http://{self.host}:{self.port}"
        self.deadline = time.monotonic() + float(args["budget_s"])
        self.timeout = float(args["request_timeout"])
        self.num_predict = int(args["num_predict"])
        self.rng = random.Random(int(args["seed"]))
        self.client = ollama.Client(host=self.base, timeout=self.timeout)
        self.model = "llm-sprint-model"
        self.logs: list[tuple[str, str]] = []

    # -- plumbing ---------------------------------------------------------------------------

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def opts(self, **extra: Any) -> dict[str, Any]:
        return {"num_predict": self.num_predict, "temperature": 0, "seed": 7, **extra}

    def check(self, name: str, fn: Callable[[], tuple[bool, str]]) -> bool:
        if self.remaining() < 3:
            self.channel.measure(name, False, "not checked: the time budget ran out (is your server very slow?)")
            return False
        try:
            ok, note = fn()
        except Exception as exc:
            ok, note = False, describe(exc)
        if not ok and not server_alive():
            note += " — your server is no longer running (see its log)"
        self.channel.measure(name, ok, note)
        return ok

    # -- checks -------------------------------------------------------------------------------

    def list_models(self) -> tuple[bool, str]:
        listing = self.client.list()
        names = [m.model for m in listing.models if m.model]
        if not names:
            return False, "GET /api/tags lists no model (each entry needs a `model` field, as Ollama's do)"
        self.model = names[0]
        return True, f"serving {self.model!r}"

    def _generate_text(self, prompt: str) -> str:
        r = self.client.generate(model=self.model, prompt=prompt, stream=False, options=self.opts())
        if r.done is not True:
            raise ValueError("a non-streamed /api/generate answer must have done=true")
        return r.response or ""

    def generate(self) -> tuple[bool, str]:
        (prompt,) = _prompts(self.rng, 1)
        r = self.client.generate(model=self.model, prompt=prompt, stream=False, options=self.opts())
        if not (r.response or "").strip():
            return False, "`response` is empty"
        if r.done is not True:
            return False, "`done` must be true in a non-streamed answer"
        return True, f"{len(r.response or '')} characters"

    def chat(self) -> tuple[bool, str]:
        (prompt,) = _prompts(self.rng, 1)
        messages = [{"role": "system", "content": "You are a concise assistant."}, {"role": "user", "content": prompt}]
        r = self.client.chat(model=self.model, messages=messages, stream=False, options=self.opts())
        if r.message.role != "assistant":
            return False, f"message.role is {r.message.role!r}, expected 'assistant'"
        if not (r.message.content or "").strip():
            return False, "message.content is empty"
        if r.done is not True:
            return False, "`done` must be true in a non-streamed answer"
        return True, ""

    @staticmethod
    def _stream_problem(done_flags: list[bool | None], text: str, what: str) -> str:
        if len(done_flags) < 2:
            return f"{what} with stream=true sent {len(done_flags)} chunk(s); a stream sends one JSON line per piece"
        if done_flags[-1] is not True:
            return f"the last chunk of {what} must have done=true"
        if any(flag for flag in done_flags[:-1]):
            return f"only the last chunk of {what} may have done=true"
        if not text.strip():
            return f"the chunks of {what} carry no text"
        return ""

    def streaming(self) -> tuple[bool, str]:
        # A model may stop at once (its first token is end-of-sequence): then a lone `done` chunk is
        # right, and says nothing about streaming — such a prompt is skipped for the next one.
        prompts = _prompts(self.rng, 4)
        for prompt in prompts:
            parts = list(self.client.generate(model=self.model, prompt=prompt, stream=True, options=self.opts()))
            text = "".join(p.response or "" for p in parts)
            if not (len(parts) == 1 and parts[0].done and not text):
                break
        problem = self._stream_problem([p.done for p in parts], text, "/api/generate")
        if problem:
            return False, problem
        n_generate = len(parts)
        for prompt in prompts:
            messages = [{"role": "user", "content": prompt}]
            chunks = list(self.client.chat(model=self.model, messages=messages, stream=True, options=self.opts()))
            text = "".join(c.message.content or "" for c in chunks)
            if not (len(chunks) == 1 and chunks[0].done and not text):
                break
        problem = self._stream_problem([c.done for c in chunks], text, "/api/chat")
        if problem:
            return False, problem
        return True, f"{n_generate} and {len(chunks)} chunks"

    def embed(self) -> tuple[bool, str]:
        texts = _prompts(self.rng, 3)
        one = self.client.embed(model=self.model, input=texts[0])
        many = self.client.embed(model=self.model, input=texts)
        if len(one.embeddings) != 1:
            return False, f"embed(input=<one string>) returned {len(one.embeddings)} vectors, expected 1"
        if len(many.embeddings) != 3:
            return False, f"embed(input=<3 strings>) returned {len(many.embeddings)} vectors, expected 3"
        vectors = [list(one.embeddings[0]), *[list(v) for v in many.embeddings]]
        if not all(_finite_vector(v) for v in vectors):
            return False, "every embedding must be a non-empty list of finite numbers"
        dims = {len(v) for v in vectors}
        if len(dims) != 1:
            return False, f"embeddings have different lengths: {sorted(dims)}"
        if vectors[1] == vectors[2] == vectors[3]:
            return False, "three different texts got the same embedding"
        return True, f"dimension {dims.pop()}"

    def prompt_dependent(self) -> tuple[bool, str]:
        prompts = _prompts(self.rng, 3)
        texts = [self._generate_text(p) for p in prompts]
        again = self._generate_text(prompts[0])
        if len(set(texts)) == 1:
            return False, f"three different prompts got the same text ({texts[0][:60]!r})"
        if again != texts[0]:
            return False, "the same prompt at temperature 0 (and a fixed seed) gave different texts"
        if any(t.strip() == p.strip() for t, p in zip(texts, prompts, strict=True)):
            return False, "the text is the prompt repeated back"
        return True, ""

    def errors(self) -> tuple[bool, str]:
        import httpx
        import ollama

        unknown = f"no-such-model-{self.rng.randrange(10**6)}"
        calls: list[tuple[str, Callable[[], Any]]] = [
            ("generate", lambda: self.client.generate(model=unknown, prompt="hi", stream=False)),
            ("chat", lambda: self.client.chat(model=unknown, messages=[{"role": "user", "content": "hi"}])),
            ("embed", lambda: self.client.embed(model=unknown, input="hi")),
        ]
        problems: list[str] = []
        for what, call in calls:
            try:
                call()
                problems.append(f"{what} with an unknown model succeeded (expected 404)")
            except ollama.ResponseError as exc:
                if exc.status_code != 404:
                    problems.append(f"{what} with an unknown model gave {exc.status_code}, expected 404")
        for path in ("/api/generate", "/api/chat"):
            r = httpx.post(self.base + path, content=b'{"model": "' + self.model.encode() + b'", "prompt": ',
                           headers={"Content-Type": "application/json"}, timeout=self.timeout)
            if r.status_code != 400:
                problems.append(f"malformed JSON to {path} gave {r.status_code}, expected 400")
                continue
            try:
                body = r.json()
                ok = isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"]
            except ValueError:
                ok = False
            if not ok:
                problems.append(f'the 400 from {path} should carry a JSON body {{"error": "..."}}')
        return (not problems), "; ".join(problems[:3])

    def openai_compat(self) -> tuple[bool, str]:
        import httpx

        (prompt,) = _prompts(self.rng, 1)
        url = self.base + "/v1/chat/completions"
        body = {"model": self.model, "messages": [{"role": "user", "content": prompt}],
                "max_tokens": self.num_predict, "temperature": 0}
        r = httpx.post(url, json=body, timeout=self.timeout)
        if r.status_code != 200:
            return False, f"POST /v1/chat/completions gave HTTP {r.status_code}"
        j = r.json()
        if j.get("object") != "chat.completion":
            return False, f"`object` is {j.get('object')!r}, expected 'chat.completion'"
        try:
            message = j["choices"][0]["message"]
        except (KeyError, IndexError, TypeError):
            return False, "no choices[0].message in the answer"
        if message.get("role") != "assistant" or not str(message.get("content") or "").strip():
            return False, "choices[0].message must be an assistant message with content"
        chunks: list[dict[str, Any]] = []
        saw_done = False
        with httpx.stream("POST", url, json={**body, "stream": True}, timeout=self.timeout) as s:
            if s.status_code != 200:
                return False, f"streaming /v1/chat/completions gave HTTP {s.status_code}"
            for line in s.iter_lines():
                if not line.startswith("data:"):
                    continue
                payload = line[5:].strip()
                if payload == "[DONE]":
                    saw_done = True
                    break
                chunks.append(json.loads(payload))
        if len(chunks) < 2 or not saw_done:
            return False, (f"a streamed completion must send several `data: {{...}}` events and end with "
                           f"`data: [DONE]` (got {len(chunks)} event(s){'' if saw_done else ', no [DONE]'})")
        if any(c.get("object") != "chat.completion.chunk" for c in chunks):
            return False, "streamed events must have object 'chat.completion.chunk'"
        text = "".join(str((c.get("choices") or [{}])[0].get("delta", {}).get("content") or "") for c in chunks)
        if not text.strip():
            return False, "the streamed deltas carry no content"
        missing = httpx.post(url, json={**body, "model": "no-such-model"}, timeout=self.timeout)
        if missing.status_code != 404:
            return False, f"an unknown model on /v1/chat/completions gave {missing.status_code}, expected 404"
        return True, ""

    # -- load ---------------------------------------------------------------------------------

    def load_test(self) -> None:
        import ollama

        concurrency = int(self.args["concurrency"])
        per_client = int(self.args["requests_per_client"])
        cap = max(5.0, min(90.0, self.remaining() - 5))
        prompts = _prompts(self.rng, 12)
        with contextlib.suppress(Exception):  # warm-up
            self._generate_text(prompts[0])
        latencies: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()
        barrier = threading.Barrier(concurrency + 1)
        stop_at = [0.0]

        def worker(index: int) -> None:
            client = ollama.Client(host=self.base, timeout=self.timeout)
            barrier.wait()
            for i in range(per_client):
                if time.monotonic() > stop_at[0]:
                    break
                t0 = time.perf_counter()
                try:
                    r = client.generate(model=self.model, prompt=prompts[(index + i) % len(prompts)], stream=False,
                                        options=self.opts())
                    if not (r.response or "").strip():
                        raise ValueError("empty response")
                except Exception as exc:
                    with lock:
                        failures.append(describe(exc))
                    continue
                with lock:
                    latencies.append(time.perf_counter() - t0)

        threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
        for t in threads:
            t.start()
        stop_at[0] = time.monotonic() + cap
        barrier.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join(timeout=cap + self.timeout + 5)
        elapsed = time.perf_counter() - t0
        total = concurrency * per_client
        note = f"{len(latencies)} of {total} generations by {concurrency} concurrent clients in {elapsed:.2f} s"
        if failures:
            note += f"; {len(failures)} failed (first: {failures[0]})"
        if len(latencies) + len(failures) < total:
            note += f"; {total - len(latencies) - len(failures)} not sent within {cap:.0f} s"
        if latencies:
            self.channel.measure("latency_p50", percentile(latencies, 50), note)
            self.channel.measure("latency_p95", percentile(latencies, 95), note)
        else:
            self.channel.measure("latency_p50", None, note)
            self.channel.measure("latency_p95", None, note)
        self.channel.measure("throughput", len(latencies) / elapsed if elapsed > 0 else 0.0, note)

    # -- the learner's own tests ----------------------------------------------------------------

    def learner_tests(self) -> tuple[bool, str]:
        workdir = os.getcwd()
        tests = [t for t in self.args["learner_tests"] if os.path.isfile(os.path.join(workdir, t["file"]))]
        if not tests:
            names = " and/or ".join(t["file"] for t in self.args["learner_tests"])
            return False, f"no tests found: write {names}"
        results: list[tuple[str, LearnerRun | None]] = []
        with RecordingProxy(upstream_port=self.port, timeout=self.timeout).running() as proxy:
            env = {**os.environ, "OLLAMA_HOST": f"http://{self.host}:{proxy.port}", "OLLAMA_MODEL": self.model}
            for test in tests:
                budget = min(float(self.args["tests_timeout"]), self.remaining() - 2)
                if budget < 3:
                    results.append((test["file"], None))
                    continue
                run = run_learner(test["command"], cwd=workdir, env=env, timeout=budget,
                                  cpu_s=float(self.args["cpu_s"]))
                self.logs.append((f"{test['file']} (exit {run.returncode})", run.output))
                results.append((test["file"], run))
            requests = list(proxy.requests)
        failed = []
        for name, outcome in results:
            if outcome is None:
                failed.append(f"{name} was not run: the time budget ran out")
            elif outcome.missing:
                failed.append(f"{name}: cannot run {outcome.missing!r} here")
            elif outcome.timed_out:
                failed.append(f"{name} did not finish within {outcome.seconds:.0f} s")
            elif outcome.returncode != 0:
                failed.append(f"{name} failed (exit code {outcome.returncode}; its output is in the log)")
        endpoints = {path for _, path, _ in requests}
        sent = f"they sent {len(requests)} request(s) to {len(endpoints)} endpoint(s) of your server"
        if failed:
            return False, "; ".join(failed)
        need = int(self.args["min_test_requests"])
        if len(requests) < need or (need and len(endpoints) < 2):
            return False, (f"your tests pass but {sent}; they must exercise the running server (at least {need} "
                           "requests to 2 endpoints) at the address in $OLLAMA_HOST")
        return True, f"{', '.join(name for name, _ in results)} passed; {sent}"

    # -- all ----------------------------------------------------------------------------------

    def run(self) -> None:
        ready = wait_ready(self.host, self.port, str(self.args["ready_path"]),
                           min(float(self.args["ready_timeout"]), self.remaining()))
        if not ready.ready:
            self.channel.send("fault", message="the server did not become ready", status="fail",
                              detail=ready.reason, server="server")
            return
        self.channel.measure("server_start", ready.seconds)
        self.check("list_models", self.list_models)
        self.check("generate", self.generate)
        self.check("chat", self.chat)
        self.check("streaming", self.streaming)
        self.check("embed", self.embed)
        self.check("prompt_dependent", self.prompt_dependent)
        self.check("errors", self.errors)
        self.check("openai_compat", self.openai_compat)
        if self.remaining() > 8:
            self.load_test()
        else:
            for name in ("latency_p50", "latency_p95", "throughput"):
                self.channel.measure(name, None, "not measured: the time budget ran out")
        self.check("learner_tests", self.learner_tests)
        self.channel.result(model=self.model, logs=self.logs)


def run(args: dict[str, Any], channel: Channel) -> None:
    OllamaSuite(args, channel).run()
