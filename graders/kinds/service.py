"""Kind ``service``: the learner's HTTP server, exercised by the official client from inside the sandbox.

One grading run is one sandbox run with two processes that share the run's loopback::

    server  (learner)   the learner's command, e.g. ``python server.py``; told where to listen through
                        ``OLLAMA_HOST`` / ``HOST`` / ``PORT``
    client  (trusted)   ``graders.kinds.service_child`` — waits until the server answers HTTP, runs the
                        checks with the official ``ollama`` client (and httpx for ``/v1``), measures
                        latency under concurrency, then runs the learner's own tests against the server
                        through a recording proxy

The run ends when the client ends; the sandbox then stops the server (SIGTERM, a grace period,
SIGKILL) and kills everything it left behind, whether a check crashed, the server hung, ignored
SIGTERM or never became ready. The server's output (truncated) goes into the result's log.

Inside the run's own network namespace the server listens on the conventional ``127.0.0.1:11434``;
where the OS gives no namespace, on a free loopback port (``OLLAMA_HOST`` says which).

The generic part — :func:`run_with_servers`, :func:`absorb` — is reused by the ``mcp`` kind.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric, Status
from graders.faults import run_fault_status
from graders.kinds._servers import LOOPBACK, network_isolated, pick_ports, tail

if TYPE_CHECKING:
    from graders.sandbox import RunOutcome, Sandbox

__all__ = ["LearnerTest", "ServerProcess", "ServiceGrader", "ServiceParams", "absorb", "isolation_broken",
           "run_with_servers"]

LOG_LIMIT = 12_000


# --- generic: a run with learner servers and a trusted client --------------------------------


@dataclass
class ServerProcess:
    """A learner server of a run: its command (relative to the exercise folder) and environment."""

    command: Sequence[str]
    env: Mapping[str, str] = field(default_factory=dict)
    name: str = "server"
    address: str = ""  # where it should listen, for messages ("http://127.0.0.1:11434")


def sandbox_isolated(sandbox: Sandbox) -> bool:
    """Will runs of ``sandbox`` get their own network namespace (private loopback ports)?"""
    return sandbox.network == "loopback" and network_isolated()


def isolation_broken(run: RunOutcome, isolated: bool, m: Measurements) -> bool:
    """True (and the attempt faulted) when the run was planned for a private namespace but did not get one.

    The conventional ports would then be on this machine's loopback, where another server (a real
    Ollama on 11434, say) may answer in place of the learner's: nothing measured can be trusted.
    """
    if not isolated or run.network.startswith("isolated"):
        return False
    m.values.clear()
    m.notes.clear()
    m.fault(f"the sandbox could not give this run its own network ({run.network}); nothing was graded — "
            "grade again", status="error")
    return True


def run_with_servers(sandbox: Sandbox, work: Path, *, servers: Sequence[ServerProcess], client_entry: str,
                     client_args: Mapping[str, Any]) -> RunOutcome:
    """One sandbox run: the learner's servers (started first) and the trusted client (main)."""
    from graders.sandbox import ProcessSpec

    specs = [ProcessSpec(name=s.name, argv=list(s.command), env=dict(s.env), learner=True) for s in servers]
    specs.append(ProcessSpec(name="client", main=True, learner=False, harness=(client_entry, dict(client_args))))
    return sandbox.run(specs, workdir=work)


def missing_files(learner_dir: Path, command: Sequence[str]) -> list[str]:
    """Script arguments of ``command`` (``server.py``…) that are not in the learner's folder."""
    scripts = [a for a in command[1:] if a.endswith((".py", ".sh", ".js", ".mjs", ".ts"))]
    return [a for a in scripts if not (learner_dir / a).is_file()]


def server_log(run: RunOutcome, names: Sequence[str], extra: Sequence[tuple[str, str]] = (),
               limit: int = LOG_LIMIT) -> str:
    """The servers' output and any extra sections (e.g. the learner's tests), truncated."""
    parts: list[str] = []
    for name in names:
        proc = run.processes.get(name)
        if proc is None:
            continue
        for stream, text in (("stdout", proc.stdout), ("stderr", proc.stderr)):
            if text.strip():
                parts.append(f"--- {name} {stream} ---\n{tail(_relative(text, run.workdir).rstrip(), limit // 2)}")
    for title, text in extra:
        if text.strip():
            parts.append(f"--- {title} ---\n{tail(text.rstrip(), limit // 3)}")
    return tail("\n".join(parts), limit)


def _relative(text: str, workdir: Path) -> str:
    """Paths of the run's temporary copy shown relative to the exercise folder."""
    return text.replace(str(workdir) + os.sep, "").replace(str(workdir.resolve()) + os.sep, "")


def _last_lines(text: str, n: int = 3) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " / ".join(line.strip() for line in lines[-n:])


def not_ready_fault(run: RunOutcome, server: ServerProcess, reason: str, timeout: float,
                    hint: str) -> tuple[str, Status]:
    """Words and status for a server that never answered: it exited, or it stayed silent."""
    proc = run.processes.get(server.name)
    stderr = proc.stderr if proc else ""
    if reason == "exited":
        code = proc.returncode if proc else None
        how = f"exited (code {code})" if code is not None else "stopped"
        if proc and proc.signal is not None:
            how = f"was killed by signal {proc.signal}"
        output = _relative(stderr or (proc.stdout if proc else ""), run.workdir)
        message = f"your server {how} before it answered on {server.address}"
        raised = [line for line in output.splitlines() if line.startswith("NotImplementedError")]
        if raised:
            what = raised[-1].partition(":")[2].strip()
            return f"not implemented yet{': ' + what if what else ''} ({message})", "fail"
        last = _last_lines(output)
        return message + (f": {last}" if last else ""), "error"
    seconds = f"{timeout:g} s"
    return f"your server did not answer HTTP on {server.address} within {seconds}; {hint}", "fail"


def absorb(run: RunOutcome, m: Measurements, metrics: Sequence[Metric], *, servers: Sequence[ServerProcess],
           ready_timeout: float, hint: str, extra_logs: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """Turn a run's messages into measurements and faults; returns the client's result data.

    * every ``measure`` message becomes a value (with its note);
    * a fault the client reported (the server never became ready) faults every check not measured;
    * a sandbox-level fault (time, memory, forged output) faults the checks not measured yet —
      what was measured before it still counts.
    """
    data: dict[str, Any] = run.result or {}
    logs = [*extra_logs, *[(str(t), str(x)) for t, x in data.get("logs", [])]]
    m.log = server_log(run, [s.name for s in servers], logs)
    if run.internal_error:  # our own client failed to load or crashed: a bug in llm-sprint
        internal = run.learner_fault or {}
        raise RuntimeError(f"the grader's client failed: {internal.get('message')}\n{internal.get('detail', '')}")
    for msg in run.messages:
        if msg.get("type") == "measure":
            m.set(str(msg["name"]), msg.get("value"), str(msg.get("note") or ""))
    unmeasured = tuple(x.name for x in metrics if x.name not in m.values)
    fault = run.learner_fault
    if fault is not None and fault.get("detail") in ("exited", "timeout"):
        server = next((s for s in servers if s.name == fault.get("server")), servers[0])
        message, ready_status = not_ready_fault(run, server, str(fault["detail"]), ready_timeout, hint)
        m.fault(message, status=ready_status)
        return data
    if run.fault and unmeasured:
        client = run.processes.get("client")
        detail = ""
        if fault is None and client is not None and client.stderr.strip() and not run.timed_out:
            detail = "\n" + tail(client.stderr, 2000)
        status = run_fault_status(run)
        if len(unmeasured) == len(metrics):
            m.fault(run.fault + detail, status=status)
        else:
            m.fault(run.fault + detail, checks=unmeasured, status=status)
    return data


# --- the Ollama-compatible service ------------------------------------------------------------


class LearnerTest(BaseModel):
    """One of the learner's own test scripts: run when ``file`` exists in their folder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    command: list[str] = Field(min_length=1)


_DEFAULT_TESTS = (
    LearnerTest(file="test_server.sh", command=["bash", "test_server.sh"]),
    LearnerTest(file="test_server.py",
                command=["python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:llm_sprint",
                         "test_server.py"]),
)


class ServiceParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    protocol: Literal["ollama"] = Field(default="ollama", description="the API the server speaks")
    command: list[str] = Field(default_factory=lambda: ["python", "server.py"], min_length=1,
                               description="how to start the learner's server, run in their folder")
    port: int = Field(default=11434, ge=1, le=65535, description="the port inside the sandbox's namespace")
    ready_path: str = Field(default="/", pattern=r"^/", description="polled until the server answers HTTP")
    ready_timeout: float = Field(default=60.0, gt=0, le=600, description="seconds to wait for the server")
    request_timeout: float = Field(default=30.0, gt=0, le=300)
    concurrency: int = Field(default=4, ge=1, le=64, description="concurrent clients of the load test")
    requests_per_client: int = Field(default=8, ge=1, le=200)
    num_predict: int = Field(default=16, ge=1, le=512, description="tokens per generation in the checks")
    learner_tests: list[LearnerTest] = Field(default_factory=lambda: list(_DEFAULT_TESTS))
    tests_timeout: float = Field(default=120.0, gt=0, le=600, description="seconds for the learner's tests")
    min_test_requests: int = Field(default=3, ge=0, description="requests the learner's tests must send")


_HINT = ("it must listen on the address in OLLAMA_HOST (default 127.0.0.1:11434), as `ollama serve` does, and "
         "answer HTTP (any status) on {path}")


class ServiceGrader(Grader):
    kind: ClassVar[str] = "service"
    Params: ClassVar[type[BaseModel]] = ServiceParams
    timed: ClassVar[bool] = True  # thresholds on wall-clock speed
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("list_models", "bool", "GET /api/tags lists a model (the official ollama client's list())"),
        Metric("generate", "bool", "generate() returns text and done=true"),
        Metric("chat", "bool", "chat() returns an assistant message"),
        Metric("streaming", "bool", "stream=True gives several chunks ending with done=true (generate and chat)"),
        Metric("embed", "bool", "embed() of one string and of a list: one finite vector per input, one dimension"),
        Metric("prompt_dependent", "bool", "at temperature 0 the text depends on the prompt and only on it"),
        Metric("errors", "bool", "unknown model → 404 ResponseError; malformed JSON → 400 with an error"),
        Metric("openai_compat", "bool", "POST /v1/chat/completions answers in OpenAI's format, streaming too"),
        Metric("learner_tests", "bool", "your own tests pass against your running server"),
        Metric("latency_p50", "seconds", "median latency of a generation under concurrent clients",
               higher_is_better=False),
        Metric("latency_p95", "seconds", "95th-percentile latency under concurrent clients", higher_is_better=False),
        Metric("throughput", "number", "completed generations per second under concurrent clients",
               higher_is_better=True),
        Metric("server_start", "seconds", "time until the server first answered HTTP"),
    )

    def measure(self, ctx: GradeContext) -> Measurements:
        params = ctx.params
        assert isinstance(params, ServiceParams)
        m = Measurements()
        if missing := missing_files(ctx.learner_dir, params.command):
            m.fault(f"{missing[0]} is missing from exercises/{ctx.slug}/ (the server is started with "
                    f"`{' '.join(params.command)}`)", status="fail")
            return m
        isolated = sandbox_isolated(ctx.sandbox)
        (port,) = pick_ports([params.port], isolated=isolated)
        address = f"http://{LOOPBACK}:{port}"
        env = {"OLLAMA_HOST": f"{LOOPBACK}:{port}", "HOST": LOOPBACK, "PORT": str(port)}
        server = ServerProcess(params.command, env, address=address)
        limits = ctx.sandbox.limits
        args = {
            **params.model_dump(),
            "host": LOOPBACK,
            "port": port,
            "seed": ctx.seed,
            "budget_s": max(10.0, limits.wall_s - 10.0),
            "cpu_s": limits.cpu_limit(),
        }
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = run_with_servers(ctx.sandbox, work, servers=[server], client_entry="graders.kinds.service_child:run",
                                   client_args=args)
        if isolation_broken(run, isolated, m):
            return m
        absorb(run, m, self.metrics, servers=[server], ready_timeout=params.ready_timeout,
               hint=_HINT.format(path=params.ready_path))
        return m
