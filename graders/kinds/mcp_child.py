"""Trusted client of kind ``mcp``: the official ``mcp`` client against the learner's embedding server.

Runs in the sandbox (never importing the learner's code). Over **stdio** it starts the learner's
server itself (through the launcher in :mod:`graders.kinds._servers`, so the server gets the learner
limits); over **streamable HTTP** it talks to the server the sandbox started beside it. On each
transport: initialize, list tools, call the tool on fresh texts, on the hidden pairs, on bad input.
Verdicts are sent as ``measure`` messages; the parent holds them against the thresholds.
"""

from __future__ import annotations

import json
import math
import os
import random
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from graders.harness.channel import Channel
from graders.kinds._servers import limited_argv, percentile, tail, wait_ready

_WORDS = ["amber", "harbour", "lantern", "quiet", "river", "signal", "orchard", "winter", "copper", "meadow",
          "thunder", "velvet", "compass", "glacier", "whisper", "ember", "prairie", "lighthouse", "mosaic", "canyon"]


class ToolFailed(Exception):
    """The tool answered with isError (or a protocol error) where vectors were expected."""


@dataclass
class Reply:
    vectors: list[list[float]]
    declared_dimension: int | None
    declared_normalized: bool | None
    seconds: float


@dataclass
class Observed:
    """Everything seen on one transport; verdicts are computed from these at the end."""

    transport: str
    connected: bool = False
    problem: str = ""  # why the transport did not work
    schema_problem: str | None = None
    counts: list[str] = field(default_factory=list)  # problems with the number of vectors
    replies: list[Reply] = field(default_factory=list)
    repeat_diff: float | None = None
    first_vectors: list[list[float]] = field(default_factory=list)
    bad_input: list[str] = field(default_factory=list)  # problems with bad input handling
    latencies: list[float] = field(default_factory=list)
    auc: float | None = None
    auc_note: str = ""


def _texts(rng: random.Random, n: int, words: int = 6) -> list[str]:
    return [" ".join(rng.choice(_WORDS) for _ in range(words)) + f" {rng.randrange(10**6)}" for _ in range(n)]


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def parse_reply(result: Any, seconds: float) -> Reply:
    """Vectors from a CallToolResult: structured content first, else JSON in the first text block."""
    if result.is_error:
        said = " ".join(str(getattr(c, "text", "")) for c in result.content)[:200]
        raise ToolFailed(f"the tool answered with isError: {said!r}")
    data = result.structured_content
    if data is None:
        texts = [getattr(c, "text", None) for c in result.content]
        text: str | None = next((t for t in texts if isinstance(t, str) and t), None)
        if text is None:
            raise ToolFailed("the result has neither structuredContent nor a text block with JSON")
        try:
            data = json.loads(text)
        except ValueError:
            raise ToolFailed(f"the text block is not JSON: {text[:80]!r}") from None
    declared_dim: int | None = None
    declared_norm: bool | None = None
    if isinstance(data, dict) and isinstance(data.get("result"), (list, dict)) and "embeddings" not in data:
        data = data["result"]  # a structured list wrapped by the SDK
    if isinstance(data, dict):
        vectors = data.get("embeddings", data.get("vectors"))
        if _is_number(data.get("dimension")):
            declared_dim = int(data["dimension"])
        if isinstance(data.get("normalized"), bool):
            declared_norm = data["normalized"]
    else:
        vectors = data
    if not isinstance(vectors, list) or not all(isinstance(v, list) for v in vectors):
        raise ToolFailed('expected {"embeddings": [[...], ...]} (a list of vectors)')
    return Reply([list(v) for v in vectors], declared_dim, declared_norm, seconds)


def schema_problem(tool: Any, field_name: str) -> str | None:
    """None when the input schema declares ``field_name`` as a required array of strings."""
    schema = tool.input_schema or {}
    props = schema.get("properties") or {}
    prop = props.get(field_name)
    if not isinstance(prop, dict):
        return f"the input schema of {tool.name!r} declares no {field_name!r} property"
    candidates = [prop, *[p for p in prop.get("anyOf", []) if isinstance(p, dict)]]
    if not any(c.get("type") == "array" and (c.get("items") or {}).get("type") == "string" for c in candidates):
        return f"{field_name!r} must be declared as an array of strings"
    if field_name not in (schema.get("required") or []):
        return f"{field_name!r} must be required"
    return None


def cosine(a: list[float], b: list[float]) -> float:
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(x * x for x in b))
    if na == 0 or nb == 0:
        return 0.0
    return sum(x * y for x, y in zip(a, b, strict=False)) / (na * nb)


def auc(positives: list[float], negatives: list[float]) -> float:
    """Probability that a random paraphrase pair scores above a random unrelated pair (ties: ½)."""
    if not positives or not negatives:
        return math.nan
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def max_diff(a: list[list[float]], b: list[list[float]]) -> float:
    if len(a) != len(b) or any(len(x) != len(y) for x, y in zip(a, b, strict=False)):
        return math.inf
    return max((abs(x - y) for u, v in zip(a, b, strict=True) for x, y in zip(u, v, strict=True)), default=0.0)


class Suite:
    def __init__(self, args: dict[str, Any], channel: Channel) -> None:
        self.args = args
        self.channel = channel
        self.rng = random.Random(int(args["seed"]))
        self.tool = str(args["tool"])
        self.field = str(args["texts_arg"])
        self.call_timeout = float(args["call_timeout"])
        self.deadline = time.monotonic() + float(args["budget_s"])
        self.probe = _texts(self.rng, 3)
        self.logs: list[tuple[str, str]] = []

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    async def call(self, client: Any, texts: list[str]) -> Reply:
        import anyio

        t0 = time.perf_counter()
        with anyio.fail_after(self.call_timeout):
            result = await client.call_tool(self.tool, {self.field: texts})
        return parse_reply(result, time.perf_counter() - t0)

    async def exercise(self, client: Any, obs: Observed, *, primary: bool) -> None:
        """Everything asked of one connected transport."""
        from mcp.shared.exceptions import MCPError

        listing = await client.list_tools()
        tool = next((t for t in listing.tools if t.name == self.tool), None)
        if tool is None:
            names = ", ".join(t.name for t in listing.tools) or "none"
            obs.problem = f"no tool named {self.tool!r} (tools: {names})"
            return
        obs.schema_problem = schema_problem(tool, self.field)
        try:
            first = await self.call(client, self.probe)
        except (ToolFailed, MCPError, TimeoutError) as exc:
            obs.problem = f"calling {self.tool!r} failed: {_words(exc)}"
            return
        obs.connected = True
        obs.replies.append(first)
        obs.first_vectors = first.vectors
        if len(first.vectors) != 3:
            obs.counts.append(f"3 texts gave {len(first.vectors)} vectors")
        again = await self.call(client, self.probe)
        obs.replies.append(again)
        obs.repeat_diff = max_diff(first.vectors, again.vectors)
        single = await self.call(client, self.probe[:1])
        obs.replies.append(single)
        if len(single.vectors) != 1:
            obs.counts.append(f"1 text gave {len(single.vectors)} vectors")
        if primary:
            await self.semantic(client, obs)
        for _ in range(int(self.args["latency_calls"])):
            batch = _texts(self.rng, int(self.args["latency_batch"]))
            reply = await self.call(client, batch)
            obs.replies.append(reply)
            obs.latencies.append(reply.seconds)
            if len(reply.vectors) != len(batch):
                obs.counts.append(f"{len(batch)} texts gave {len(reply.vectors)} vectors")
        await self.bad_input(client, obs)

    async def semantic(self, client: Any, obs: Observed) -> None:
        positives = [tuple(p) for p in self.args["positives"]]
        negatives = [tuple(p) for p in self.args["negatives"]]
        texts = sorted({t for pair in positives + negatives for t in pair})
        batch = max(1, min(16, int(self.args["max_texts"])))
        vectors: dict[str, list[float]] = {}
        for i in range(0, len(texts), batch):
            chunk = texts[i:i + batch]
            reply = await self.call(client, chunk)
            obs.replies.append(reply)
            if len(reply.vectors) != len(chunk):
                obs.counts.append(f"{len(chunk)} texts gave {len(reply.vectors)} vectors")
                return
            vectors.update(zip(chunk, reply.vectors, strict=True))
        pos = [cosine(vectors[a], vectors[b]) for a, b in positives]
        neg = [cosine(vectors[a], vectors[b]) for a, b in negatives]
        obs.auc = auc(pos, neg)
        obs.auc_note = (f"{len(pos)} paraphrase pairs (mean cosine {sum(pos) / len(pos):.2f}) against "
                        f"{len(neg)} unrelated pairs (mean {sum(neg) / len(neg):.2f})")

    async def bad_input(self, client: Any, obs: Observed) -> None:
        import anyio
        from mcp.shared.exceptions import MCPError

        max_texts = int(self.args["max_texts"])
        max_chars = int(self.args["max_chars"])
        cases = [
            ("an empty list", []),
            (f"{max_texts + 1} texts (more than {max_texts})", _texts(self.rng, max_texts + 1, words=2)),
            (f"a text of {max_chars + 1000} characters (more than {max_chars})",
             [("lorem ipsum " * (max_chars // 6 + 200))[: max_chars + 1000]]),
        ]
        for what, texts in cases:
            try:
                with anyio.fail_after(self.call_timeout):
                    result = await client.call_tool(self.tool, {self.field: texts})
            except MCPError as exc:
                if "closed" in str(exc).lower():
                    obs.bad_input.append(f"{what} closed the connection — did the server crash? It must answer "
                                         "with a tool result that has isError")
                    return
                obs.bad_input.append(f"{what} gave a protocol error ({_words(exc)}), not a tool result with isError")
            except TimeoutError:
                obs.bad_input.append(f"{what} got no answer within {self.call_timeout:g} s")
            except Exception as exc:
                obs.bad_input.append(f"{what} broke the connection ({_words(exc)}) — did the server crash?")
                return
            else:
                if not result.is_error:
                    obs.bad_input.append(f"{what} was accepted; it must be refused with isError")
            try:
                await self.call(client, self.probe[:1])
            except Exception as exc:
                obs.bad_input.append(f"after {what} the server no longer answers ({_words(exc)})")
                return

    async def over(self, transport: str, target: Any, *, primary: bool) -> Observed:
        import anyio
        from mcp import Client

        obs = Observed(transport)
        try:
            with anyio.fail_after(max(5.0, self.remaining() - 5)):
                timeout = float(self.args["ready_timeout"])
                async with Client(target, mode="legacy", read_timeout_seconds=timeout) as client:
                    await self.exercise(client, obs, primary=primary)
        except Exception as exc:
            if not obs.problem:
                stage = "during the calls" if obs.connected else "while connecting"
                obs.problem = f"{stage}: {_words(exc)}"
        return obs

    async def main(self) -> None:
        import anyio
        from mcp.client.stdio import StdioServerParameters, stdio_client

        results: list[Observed] = []
        host, port, path = str(self.args["host"]), int(self.args["port"]), str(self.args["http_path"])
        ready = None
        if self.args.get("http_command"):
            # Wait for the HTTP server first (it loads its model meanwhile), so neither server's start-up
            # competes with the other's calls and latency is measured in a steady state.
            budget = min(float(self.args["ready_timeout"]), max(1.0, self.remaining() - 30))
            ready = await anyio.to_thread.run_sync(lambda: wait_ready(host, port, path, budget))
        errlog_path = os.path.join(tempfile.gettempdir(), "mcp-stdio-server.log")
        with open(errlog_path, "w", encoding="utf-8") as errlog:
            argv = limited_argv(self.args["command"], cpu_s=float(self.args["cpu_s"]))
            params = StdioServerParameters(command=argv[0], args=argv[1:], env=dict(os.environ), cwd=os.getcwd())
            stdio = await self.over("stdio", stdio_client(params, errlog=errlog), primary=True)
        with open(errlog_path, encoding="utf-8", errors="replace") as f:
            stdio_log = f.read()
        self.logs.append(("stdio server stderr", tail(stdio_log, 6000)))
        results.append(stdio)
        if ready is not None:
            http = Observed("http")
            if not ready.ready:
                http.problem = ("your HTTP server exited before it answered" if ready.reason == "exited" else
                                f"your HTTP server did not answer within {ready.seconds:.0f} s")
                http.problem += f" on http://{host}:{port}{path} (see its log)"
            else:
                http = await self.over("http", f"http://{host}:{port}{path}", primary=not stdio.connected)
            results.append(http)
        self.report(results, stdio_log)

    # -- verdicts --------------------------------------------------------------------------------

    def report(self, results: list[Observed], stdio_log: str) -> None:
        ch = self.channel
        live = [o for o in results if o.connected]
        if not live:
            problems = "; ".join(f"{o.transport}: {o.problem}" for o in results)
            raised = [line for line in stdio_log.splitlines() if line.startswith("NotImplementedError")]
            if raised:
                what = raised[-1].partition(":")[2].strip()
                message = f"not implemented yet{': ' + what if what else ''} (the server did not start)"
                ch.send("fault", message=message, status="fail", detail=problems)
            else:
                status = "error" if "Traceback (most recent call last)" in stdio_log else "fail"
                ch.send("fault", message=f"no transport worked — {problems}", status=status, detail=problems)
            self.channel.result(logs=self.logs)
            return
        for o in results:
            ch.measure(o.transport, o.connected, "" if o.connected else o.problem)
        schema = [f"{o.transport}: {o.schema_problem}" for o in live if o.schema_problem]
        ch.measure("schema", not schema, "; ".join(schema))
        counts = [f"{o.transport}: {c}" for o in live for c in o.counts]
        ch.measure("vector_count", not counts, "; ".join(counts[:3]))
        replies = [r for o in live for r in o.replies]
        vectors = [v for r in replies for v in r.vectors]
        finite = all(v and all(_is_number(x) and math.isfinite(x) for x in v) for v in vectors)
        ch.measure("finite", finite, "" if finite else "every vector must be a non-empty list of finite numbers")
        dims = sorted({len(v) for v in vectors})
        declared = sorted({r.declared_dimension for r in replies if r.declared_dimension is not None})
        min_dim = int(self.args["min_dimension"])
        want = self.args.get("dimension")
        dim_problems = []
        if len(dims) != 1:
            dim_problems.append(f"vectors of {len(dims)} different lengths ({', '.join(map(str, dims[:5]))}…)")
        elif dims[0] < min_dim:
            dim_problems.append(f"dimension {dims[0]} is below {min_dim}")
        elif declared and declared != dims:
            dim_problems.append(f"the result declares dimension {declared[0]} but vectors have {dims[0]}")
        elif want is not None and dims[0] != int(want):
            dim_problems.append(f"dimension {dims[0]}, this exercise asks for {want}")
        ch.measure("fixed_dimension", not dim_problems, "; ".join(dim_problems) or f"{dims[0]} everywhere")
        if len(dims) == 1:
            ch.measure("dimension", float(dims[0]))
        if any(r.declared_normalized for r in replies) and finite:
            worst = max(abs(math.sqrt(sum(x * x for x in v)) - 1.0) for v in vectors)
            ok = worst <= 1e-3
            ch.measure("normalised", ok, "unit length, as declared" if ok else
                       f"the result says normalized: true, but a vector's length is off by {worst:.3g}")
        else:
            ch.measure("normalised", True, "not declared normalized (cosine similarity is used)")
        det_problems = [f"{o.transport}: the same texts twice differ by {o.repeat_diff:.3g}" for o in live
                        if o.repeat_diff is None or o.repeat_diff > 1e-5]
        if len(live) == 2:
            across = max_diff(live[0].first_vectors, live[1].first_vectors)
            if across > 1e-4:
                det_problems.append(f"stdio and HTTP give different vectors for the same texts ({across:.3g})")
        ch.measure("deterministic", not det_problems, "; ".join(det_problems))
        bad = [f"{o.transport}: {b}" for o in live for b in o.bad_input]
        ch.measure("bad_input", not bad, "; ".join(bad[:3]))
        primary = next((o for o in live if o.auc is not None), None)
        if primary is not None:
            ch.measure("paraphrase_auc", primary.auc, primary.auc_note)
        else:
            ch.measure("paraphrase_auc", None, "not measured: the hidden pairs could not be embedded")
        latencies = [t for o in live for t in o.latencies]
        if latencies:
            batch = int(self.args["latency_batch"])
            ch.measure("call_latency", percentile(latencies, 50),
                       f"median of {len(latencies)} calls with {batch} texts each; "
                       f"p95 {percentile(latencies, 95) * 1000:.0f} ms")
        self.channel.result(logs=self.logs, transports=[o.transport for o in live])


def _words(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, TimeoutError):
        text = "no answer in time"
    if hasattr(exc, "exceptions"):  # an exception group from the transport's task group
        inner = [e for e in exc.exceptions if not isinstance(e, GeneratorExit)]
        if inner:
            return _words(inner[0])
    return f"{type(exc).__name__}: {text[:200]}" if not isinstance(exc, TimeoutError) else text


def run(args: dict[str, Any], channel: Channel) -> None:
    import anyio

    anyio.run(Suite(args, channel).main)
