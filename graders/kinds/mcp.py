"""Kind ``mcp``: the learner's MCP server exposes an embedding tool; the official ``mcp`` client grades it.

One sandbox run holds the learner's server started for **streamable HTTP** (``server``, on
``127.0.0.1:8000`` inside the run's network namespace, a free loopback port elsewhere; ``PORT`` and
``HOST`` say which) and the trusted client (``graders.kinds.mcp_child``), which also starts the
learner's server a second time over **stdio**. On both transports the client initialises, lists
the tools, checks the tool's input schema, and calls it: the number of vectors, one fixed
dimension, finite values, unit length where the result declares it, the same vectors for the same
texts (on both transports), bad input refused with ``isError`` without killing the server, the
latency of a call, and — on hidden sentence pairs drawn from the run's seed — whether paraphrases
land closer than unrelated pairs (ROC AUC).

The hidden pairs live in the exercise's ``.meta/<pairs>.py`` (``draw(seed, positives, negatives)``).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.kinds._meta import load_meta_module
from graders.kinds._servers import LOOPBACK, pick_ports
from graders.kinds.service import (
    ServerProcess,
    absorb,
    isolation_broken,
    missing_files,
    run_with_servers,
    sandbox_isolated,
)

__all__ = ["McpGrader", "McpParams"]


class McpParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    command: list[str] = Field(default_factory=lambda: ["python", "server.py"], min_length=1,
                               description="starts the server on stdio, run in the learner's folder")
    http_command: list[str] | None = Field(default_factory=lambda: ["python", "server.py", "--http"],
                                           description="starts it for streamable HTTP on $HOST:$PORT (None: skip)")
    http_path: str = Field(default="/mcp", pattern=r"^/")
    port: int = Field(default=8000, ge=1, le=65535, description="the HTTP port inside the sandbox's namespace")
    tool: str = Field(default="embed", min_length=1)
    texts_arg: str = Field(default="texts", min_length=1, description="the tool's argument holding the texts")
    max_texts: int = Field(default=64, ge=1, description="more texts than this in one call must be refused")
    max_chars: int = Field(default=8192, ge=16, description="a longer text must be refused")
    min_dimension: int = Field(default=16, ge=1)
    dimension: int | None = Field(default=None, ge=1, description="require exactly this dimension")
    pairs: str = Field(default="pairs", description="the .meta/ module with the hidden sentence pairs")
    positives: int = Field(default=24, ge=2)
    negatives: int = Field(default=24, ge=2)
    latency_calls: int = Field(default=5, ge=1, le=100)
    latency_batch: int = Field(default=8, ge=1)
    ready_timeout: float = Field(default=90.0, gt=0, le=600)
    call_timeout: float = Field(default=30.0, gt=0, le=300)


class McpGrader(Grader):
    kind: ClassVar[str] = "mcp"
    Params: ClassVar[type[BaseModel]] = McpParams
    timed: ClassVar[bool] = True  # thresholds on wall-clock speed
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("stdio", "bool", "initialize, list tools and call the tool over stdio"),
        Metric("http", "bool", "initialize, list tools and call the tool over streamable HTTP"),
        Metric("schema", "bool", "the tool's input schema declares the texts as a required array of strings"),
        Metric("vector_count", "bool", "one vector per text, in every call"),
        Metric("fixed_dimension", "bool", "one dimension for every vector (the declared one, if declared)"),
        Metric("finite", "bool", "every value is a finite number"),
        Metric("normalised", "bool", "vectors have unit length when the result declares normalized: true"),
        Metric("deterministic", "bool", "the same texts get the same vectors, again and over both transports"),
        Metric("bad_input", "bool", "empty or oversized input is refused with isError, and the server lives on"),
        Metric("paraphrase_auc", "number", "ROC AUC of cosine similarity: hidden paraphrases vs unrelated pairs",
               higher_is_better=True),
        Metric("call_latency", "seconds", "median latency of a tool call", higher_is_better=False),
        Metric("dimension", "number", "the embedding dimension"),
    )

    @classmethod
    def meta_files(cls, params: BaseModel) -> tuple[str, ...]:
        assert isinstance(params, McpParams)
        return (f"{params.pairs}.py",)

    def measure(self, ctx: GradeContext) -> Measurements:
        params = ctx.params
        assert isinstance(params, McpParams)
        m = Measurements()
        for command in (params.command, params.http_command or []):
            if missing := missing_files(ctx.learner_dir, command):
                m.fault(f"{missing[0]} is missing from exercises/{ctx.slug}/ (the server is started with "
                        f"`{' '.join(command)}`)", status="fail")
                return m
        (pairs_module,) = self.meta_files(params)  # what it declares is what it reads
        meta = load_meta_module(ctx.meta_dir / pairs_module)
        positives, negatives = meta.draw(ctx.seed, params.positives, params.negatives)
        isolated = sandbox_isolated(ctx.sandbox)
        (port,) = pick_ports([params.port], isolated=isolated)
        servers = []
        if params.http_command:
            env = {"HOST": LOOPBACK, "PORT": str(port), "MCP_PORT": str(port), "MCP_PATH": params.http_path}
            servers.append(ServerProcess(params.http_command, env,
                                         address=f"http://{LOOPBACK}:{port}{params.http_path}"))
        limits = ctx.sandbox.limits
        args = {
            **params.model_dump(),
            "host": LOOPBACK,
            "port": port,
            "seed": ctx.seed,
            "positives": [list(p) for p in positives],
            "negatives": [list(p) for p in negatives],
            "budget_s": max(10.0, limits.wall_s - 10.0),
            "cpu_s": limits.cpu_limit(),
        }
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = run_with_servers(ctx.sandbox, work, servers=servers, client_entry="graders.kinds.mcp_child:run",
                                   client_args=args)
        if isolation_broken(run, isolated, m):
            return m
        absorb(run, m, self.metrics, servers=servers, ready_timeout=params.ready_timeout,
               hint="it must listen on $HOST:$PORT")
        if m.faults and (fault := run.learner_fault) and fault.get("detail"):
            m.log = f"{m.log}\n--- what the client saw ---\n{fault['detail']}".strip()
        return m
