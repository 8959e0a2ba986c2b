"""The trusted measurer's side of a measured run: the learner worker as a handle, time and memory from outside.

A kind whose numbers come from calling the learner's code starts a run with
:meth:`graders.sandbox.Sandbox.measure`. Its *measurer* — ``function(args, channel, worker)`` in a
``graders.kinds.<kind>_measure`` module — runs in a trusted process: it alone holds the result
channel and ``args`` (the seed, the hidden inputs, the expected values); the learner's code runs in
another process, the *worker* (:mod:`graders.worker`), which gets only what the measurer sends::

    def measure(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
        job = expect(args, MyJob)                          # the parent's TypedDict, validated
        x, truth = draw(job["seed"])                       # secrets stay here
        y = worker.call("solution:predict", x)             # the learner's function, in the worker
        seconds = worker.last_seconds                      # request sent → reply received, timed here
        channel.result(error=float(abs(y.to_torch() - truth).max()), seconds=seconds)

:class:`Worker` — ``call`` (the learner's function), ``adapter`` (trusted grader code that runs in
the worker, e.g. to keep the learner's model there and answer questions about it), ``load``,
``last_seconds``, ``memory()`` (:class:`PeakMemory`). Every problem on the link — the worker ended,
did not answer in time, sent an oversized, malformed or mistyped reply — and every exception of the
learner's code raises a :class:`~graders.faults.LearnerFault` with its status already decided by
the rule in :mod:`graders.faults`; the harness reports an uncaught one as the run's fault. Catch
:class:`~graders.faults.LearnerRaised` where one failing case is only a wrong answer.

**Services.** ``call``/``adapter`` take ``services={"name": handler}``: while that request is served,
code in the worker may ask them (``graders.worker.ask``; an adapter wraps it in callables for the
learner's code — a language model, a tool). Each ask is answered here, by ``handler(args)``, before
the request's reply arrives; a handler refuses one ask with :class:`ServiceRefused` (the learner's
code gets ``graders.worker.ServiceError`` with the message). What a service knows — a knowledge
base, a scripted model's plan — stays in this process; only its answers cross.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import sys
import threading
import time
import types
from collections.abc import Callable, Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    TypedDict,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

from graders import wire
from graders.faults import LearnerFault, LearnerRaised

if TYPE_CHECKING:
    from graders.harness.channel import Channel

__all__ = ["DEFAULT_MAX_REPLY_BYTES", "LearnerFault", "LearnerRaised", "Mapping_", "PeakMemory", "ProbeJob", "Resident",
           "Service", "ServiceRefused", "Worker", "expect", "probe"]

T = TypeVar("T")
DEFAULT_MAX_REPLY_BYTES = 64 * 1024 * 1024
#: A service the measurer offers the worker during one request: the ask's arguments → its answer.
Service = Callable[[list[Any]], Any]


class ServiceRefused(Exception):
    """Raised by a :data:`Service` to refuse one ask (its message goes to the learner's code, which
    gets a ``graders.worker.ServiceError``); the request goes on."""
_HELLO_TIMEOUT_S = 60.0


def expect(value: Any, type_: type[T], *, what: str = "the value") -> T:
    """``value`` checked against ``type_`` — a ``TypedDict`` (every required key, no other key),
    ``list[X]``, ``dict[str, X]``, ``X | None``, ``Literal[...]``, ``bool``/``int``/``float``/``str``,
    :class:`~graders.wire.Array`, :class:`~graders.wire.Opaque`, ``Any`` — strictly: no coercion,
    but an ``int`` is a ``float``. Raises ``ValueError`` naming the first difference;
    :meth:`Worker.call` and :meth:`Worker.adapter` turn that into a learner fault. (Standard library
    only: a measurer pays no validation library's start-up.)"""
    problem = _mismatch(value, type_, "")
    if problem is not None:
        raise ValueError(f"{what}: {problem}")
    return value  # type: ignore[no-any-return]


_hints: dict[Any, dict[str, Any]] = {}


def _mismatch(value: Any, tp: Any, path: str) -> str | None:
    """Why ``value`` is not a ``tp`` (prefixed with where: ``devices[0]``), or None."""
    where = f"{path}: " if path else ""
    if tp is Any:
        return None
    if tp is None or tp is type(None):
        return None if value is None else f"{where}expected None, got {_describe(value)}"
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        if any(_mismatch(value, option, path) is None for option in get_args(tp)):
            return None
        return f"{where}expected {_name(tp)}, got {_describe(value)}"
    if origin is Literal:
        if any(value == option and type(value) is type(option) for option in get_args(tp)):
            return None
        return f"{where}expected one of {list(get_args(tp))}, got {_describe(value)}"
    if origin is list:
        if not isinstance(value, list):
            return f"{where}expected a list, got {_describe(value)}"
        (item,) = get_args(tp) or (Any,)
        for i, v in enumerate(value):
            if (problem := _mismatch(v, item, f"{path}[{i}]")) is not None:
                return problem
        return None
    if origin is dict:
        if not isinstance(value, dict):
            return f"{where}expected an object, got {_describe(value)}"
        _, item = get_args(tp) or (str, Any)
        for k, v in value.items():
            if (problem := _mismatch(v, item, f"{path}.{k}" if path else str(k))) is not None:
                return problem
        return None
    if is_typeddict(tp):
        if not isinstance(value, dict):
            return f"{where}expected an object ({tp.__name__}), got {_describe(value)}"
        hints = _hints.get(tp)
        if hints is None:
            hints = _hints[tp] = get_type_hints(tp)
        missing = sorted(set(tp.__required_keys__) - set(value))
        if missing:
            return f"{where}missing {', '.join(missing)}"
        extra = sorted(set(value) - set(hints))
        if extra:
            return f"{where}unexpected {', '.join(str(k) for k in extra)}"
        for k, v in value.items():
            if (problem := _mismatch(v, hints[k], f"{path}.{k}" if path else k)) is not None:
                return problem
        return None
    if tp is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(tp, type):
        ok = isinstance(value, tp)
    else:  # pragma: no cover - a type this checker does not know is the kind author's bug
        raise TypeError(f"expect() cannot check {tp!r}")
    return None if ok else f"{where}expected {_name(tp)}, got {_describe(value)}"


def _name(tp: Any) -> str:
    return tp.__name__ if isinstance(tp, type) else str(tp).replace("typing.", "")


def _describe(value: Any) -> str:
    if isinstance(value, (wire.Array, wire.Opaque)):
        return repr(value)
    text = repr(value)
    return f"{type(value).__name__} {text}" if len(text) <= 60 else f"a {type(value).__name__}"


STOPPED = ("the grader's measuring process was stopped and resumed while it measured (SIGSTOP/SIGCONT from "
           "your run): nothing it measured can be trusted")


class Worker:
    """The measurer's handle on the learner worker of its run (made by the harness; see the module
    docstring). One request at a time; not thread-safe.

    Each request carries a fresh random id that its reply must echo, so a reply cannot be sent
    ahead of its request; anything waiting on the link before a request is sent is refused. The
    learner's processes can still send this process signals (same user): a stop is caught when it
    ends — the measurer cannot be continued without a ``SIGCONT``, which it catches — and every
    later request, and the run's result, become a fault (:attr:`stopped`).
    """

    def __init__(self, sock: socket.socket, *, timeout_s: float, info: Mapping[str, Any],
                 run_root: int | None = None) -> None:
        self._sock = sock
        self.timeout_s = timeout_s
        self.pid: int = int(info["pid"])
        #: The run's supervisor (the measurer's parent), when the harness made this handle: every
        #: other process below it is a learner process of the run (see :meth:`learner_pids`).
        self.run_root = run_root
        #: What holds in the worker (graders.privileges.isolation), reported before any learner code ran.
        self.isolation: dict[str, Any] = dict(info.get("isolation") or {})
        self.last_seconds: float = 0.0
        self._broken: LearnerFault | None = None
        self._stopped = False
        self._saved: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            self._saved[signal.SIGCONT] = signal.signal(signal.SIGCONT, self._on_continue)
            for sig in (signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU):
                self._saved[sig] = signal.signal(sig, signal.SIG_IGN)

    def _on_continue(self, signum: int, frame: object) -> None:
        self._stopped = True

    @property
    def stopped(self) -> bool:
        """True once this process was stopped and continued: the harness then reports a fault."""
        return self._stopped

    @classmethod
    def connect(cls, fd: int, *, timeout_s: float, run_root: int | None = None) -> Worker:
        """Take the link on ``fd`` and greet the worker (it imports no learner code before this).
        ``run_root``: the run's supervisor, so that processes the learner's code starts — even ones
        that leave the worker's tree — count in :meth:`memory` and :meth:`resident`."""
        sock = socket.socket(fileno=fd)
        os.set_inheritable(fd, False)
        deadline = time.monotonic() + min(timeout_s, _HELLO_TIMEOUT_S)
        try:
            wire.send(sock, {"op": "hello", "version": wire.PROTOCOL_VERSION})
            hello = wire.receive(sock, deadline=deadline, max_bytes=1 << 20)
        except (wire.WireError, OSError) as exc:
            raise LearnerFault(f"the grader's worker process did not start ({exc})", detail="worker-ended") from None
        if hello.get("op") != "hello" or hello.get("version") != wire.PROTOCOL_VERSION \
                or not isinstance(hello.get("pid"), int):
            raise LearnerFault(f"the grader's worker process answered {str(hello)[:120]!r} to its greeting")
        return cls(sock, timeout_s=timeout_s, info=hello, run_root=run_root)

    # --- requests -----------------------------------------------------------------------------

    def load(self, fn: str, *, timeout_s: float | None = None) -> None:
        """Import the learner's module and find ``fn`` ("module:function") — so import time stays
        out of the first timed call. A missing module or function is a ``fail`` fault."""
        self._request("load", fn, (), {}, adapter=False, timeout_s=timeout_s, max_reply_bytes=1 << 20)

    def call(self, fn: str, *args: Any, returns: Any = None, timeout_s: float | None = None,
             max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES, services: Mapping[str, Service] | None = None,
             **kwargs: Any) -> Any:
        """Call the learner's ``fn`` ("module:function") in the worker with ``args``/``kwargs``
        (JSON values, :class:`~graders.wire.Array`, tensors, ndarrays) and return what it returned
        (arrays as :class:`~graders.wire.Array`, unsendable objects as :class:`~graders.wire.Opaque`).
        ``returns`` (a type :func:`expect` understands) makes any other answer a ``fail`` fault.
        :attr:`last_seconds` is the call's time as seen from here; ``services`` are answered while it
        runs (see the module docstring)."""
        value = self._request("call", fn, args, kwargs, adapter=False, timeout_s=timeout_s,
                              max_reply_bytes=max_reply_bytes, services=services)
        if returns is not None:
            name = fn.partition(":")[2]
            try:
                expect(value, returns, what=f"{name}() returned the wrong kind of value")
            except ValueError as exc:
                raise LearnerFault(str(exc), status="fail") from None
        return value

    def adapter(self, fn: str, *args: Any, returns: Any, timeout_s: float | None = None,
                max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES, services: Mapping[str, Service] | None = None,
                **kwargs: Any) -> Any:
        """Call the trusted adapter ``fn`` ("graders.kinds.x_adapter:function") in the worker. Its
        reply must match ``returns``: the adapter is ours, so anything else means the learner's code
        tampered with it — an ``error`` fault. The adapter's own ``LearnerFault`` arrives as raised.
        ``services`` as for :meth:`call`."""
        value = self._request("call", fn, args, kwargs, adapter=True, timeout_s=timeout_s,
                              max_reply_bytes=max_reply_bytes, services=services)
        try:
            return expect(value, returns, what=f"the grader's adapter {fn} replied out of shape")
        except ValueError as exc:
            raise LearnerFault(f"{exc} — something in your code's process changed the grader's code there",
                               status="error") from None

    def rss_bytes(self) -> int:
        """The worker's resident memory right now, read from outside (``VmRSS``; psutil without /proc)."""
        try:
            if os.path.exists(f"/proc/{self.pid}/status"):
                return _status_kib(self.pid, "VmRSS")["VmRSS"]
            import psutil

            return int(psutil.Process(self.pid).memory_info().rss)
        except (OSError, KeyError, ImportError) as exc:
            raise LearnerFault("the process running your code ended while the grader measured it",
                               detail="worker-ended") from exc

    def memory(self, *, interval_s: float = 0.001) -> PeakMemory:
        """``with worker.memory() as peak: worker.call(...)`` — the peak memory of the worker and of
        every other learner process of the run during the block, measured from outside (see
        :class:`PeakMemory`)."""
        return PeakMemory(self.pid, proc_writable=bool(self.isolation.get("proc_writable", True)),
                          interval_s=interval_s, others=self.other_learner_pids)

    def other_learner_pids(self) -> list[int]:
        """Every learner process of the run but the worker: its descendants, and — with
        :attr:`run_root` — whatever else runs below the supervisor (a process that double-forked
        or called ``setsid()`` is re-parented there) except this measurer and what it started."""
        import psutil

        found: set[int] = set()
        with contextlib.suppress(psutil.Error):
            found |= {p.pid for p in psutil.Process(self.pid).children(recursive=True)}
        if self.run_root is not None:
            try:
                below = psutil.Process(self.run_root).children(recursive=True)
            except psutil.Error:
                below = []
            ours = {os.getpid()}
            with contextlib.suppress(psutil.Error):
                ours |= {p.pid for p in psutil.Process().children(recursive=True)}
            found |= {p.pid for p in below} - ours
        found.discard(self.pid)
        return sorted(found)

    def learner_pids(self) -> list[int]:
        """The worker and :meth:`other_learner_pids`."""
        return [self.pid, *self.other_learner_pids()]

    def resident(self, *, keep: frozenset[Mapping_] = frozenset()) -> Resident:
        """What the run's learner processes hold in memory right now, read from outside
        (``/proc/<pid>/smaps``; see :class:`Resident`). ``keep``: file mappings (from an earlier
        reading's :attr:`Resident.mappings`) whose clean pages are the grader's and not counted."""
        try:
            return Resident.read(self.learner_pids(), keep=keep)
        except (OSError, ValueError) as exc:
            raise LearnerFault("the process running your code ended while the grader measured it",
                               detail="worker-ended") from exc

    def close(self) -> None:
        """End the worker (it exits at once) and restore the signal handlers this handle replaced."""
        with contextlib.suppress(OSError):
            wire.send(self._sock, {"op": "exit"})
        self._sock.close()
        for sig, handler in self._saved.items():
            signal.signal(sig, handler)
        self._saved.clear()

    def _request(self, op: str, fn: str, args: tuple[Any, ...], kwargs: dict[str, Any], *, adapter: bool,
                 timeout_s: float | None, max_reply_bytes: int,
                 services: Mapping[str, Service] | None = None) -> Any:
        if self._stopped:
            raise LearnerFault(STOPPED)
        if self._broken is not None:
            raise self._broken
        rid = secrets.token_hex(8)
        frame = wire.encode({"op": op, "id": rid, "fn": fn, "args": list(args), "kwargs": kwargs,
                             "adapter": adapter})
        what = fn if adapter else f"{fn.partition(':')[2]}()"
        limit = self.timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + limit
        t0 = time.perf_counter()
        try:
            if self._unsolicited():
                raise wire.Malformed("data arrived that no request asked for")
            self._sock.settimeout(limit)
            self._sock.sendall(frame)
            reply = wire.receive(self._sock, deadline=deadline, max_bytes=max_reply_bytes)
            while reply.get("op") == "ask":  # the worker asks a service before it replies
                if reply.get("id") != rid or not services:
                    self._broken = LearnerFault(f"while {what} ran, something in your code's process asked the "
                                                "grader for a service it does not offer there")
                    raise self._broken
                answer = self._serve(services, reply)
                self._sock.settimeout(max(deadline - time.monotonic(), 0.001))
                self._sock.sendall(wire.encode(answer))
                reply = wire.receive(self._sock, deadline=deadline, max_bytes=max_reply_bytes)
        except (wire.WireError, OSError) as exc:
            self._broken = self._link_fault(exc, what, limit, max_reply_bytes)
            raise self._broken from None
        self.last_seconds = time.perf_counter() - t0
        if self._stopped:
            raise LearnerFault(STOPPED)
        if reply.get("id") != rid:
            self._broken = LearnerFault(f"the reply to {what} was not the one asked for: something in your code's "
                                        "process wrote to the grader's link — results must come from the grader")
            raise self._broken
        if "value" in reply:
            return reply["value"]
        if isinstance(reply.get("raised"), dict):
            raised = reply["raised"]
            raise LearnerRaised(str(raised.get("message", "your code raised an exception")),
                                status="fail" if raised.get("status") == "fail" else "error",
                                detail=str(raised.get("detail", "")), type_name=str(raised.get("type", "?")),
                                not_implemented=raised.get("not_implemented") is True,
                                wrong_answer=raised.get("wrong_answer") is True)
        if isinstance(reply.get("fault"), dict):
            fault = reply["fault"]
            raise LearnerFault(str(fault.get("message", "your code failed")),
                               status="fail" if fault.get("status") == "fail" else "error",
                               detail=str(fault.get("detail", "")))
        self._broken = LearnerFault(f"the reply to {what} held no answer: something in your code's process wrote "
                                    "to the grader's link — results must come from the grader")
        raise self._broken

    @staticmethod
    def _serve(services: Mapping[str, Service], ask: dict[str, Any]) -> dict[str, Any]:
        """The answer to one ask: the service's value, or why it was refused. A handler's other
        exceptions are the grader's bugs and propagate."""
        name, args = ask.get("service"), ask.get("args")
        handler = services.get(name) if isinstance(name, str) else None
        if handler is None:
            return {"op": "answer", "refused": f"the grader offers no service {str(name)[:40]!r} here "
                                              f"(only {', '.join(sorted(services))})"}
        if not isinstance(args, list):
            return {"op": "answer", "refused": "a service request's arguments must be a list"}
        try:
            return {"op": "answer", "value": handler(args)}
        except ServiceRefused as exc:
            return {"op": "answer", "refused": str(exc)}

    def _unsolicited(self) -> bool:
        self._sock.setblocking(False)
        try:
            return bool(self._sock.recv(1, socket.MSG_PEEK))  # b"" (the worker ended) is not "unsolicited"
        except (BlockingIOError, InterruptedError):
            return False
        finally:
            self._sock.setblocking(True)

    @staticmethod
    def _link_fault(exc: BaseException, what: str, limit: float, max_bytes: int) -> LearnerFault:
        if isinstance(exc, wire.Timeout):
            return LearnerFault(f"{what} did not answer within {limit:g} s")
        if isinstance(exc, wire.TooLarge):
            return LearnerFault(f"{what} answered with {exc}: more than the grader reads "
                                f"({max_bytes / 1e6:.0f} MB) — return less")
        if isinstance(exc, wire.Malformed):
            return LearnerFault(f"the reply to {what} is not a reply of the grader's worker ({exc}): something in "
                                "your code's process wrote to the grader's link — results must come from the grader")
        return LearnerFault(f"the process running your code ended while the grader waited for {what}",
                            detail="worker-ended")


# --------------------------------------------------------------------------------------------
# Memory, from outside
# --------------------------------------------------------------------------------------------


def _status_kib(pid: int, *fields: str) -> dict[str, int]:
    out: dict[str, int] = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in fields:
                out[key] = int(value.split()[0]) * 1024
    return out


class PeakMemory:
    """The worker's peak resident memory during a window, read by the measurer from outside.

    On Linux the measurer resets the worker's kernel high-water mark as the window opens (writing
    ``5`` to ``/proc/<worker>/clear_refs``) and reads ``VmHWM`` when it closes: exact, no spike
    missed. The worker could reset that mark itself (``/proc/self/clear_refs``) after a peak —
    where the supervisor gave it a read-only ``/proc`` it cannot (``method`` says which); elsewhere
    a thread samples ``VmHWM`` every ``interval_s`` and a mark that *drops* is tampering: leaving the
    ``with`` block raises a ``LearnerFault``. (A reset that follows a peak shorter than one sample is
    missed there: at 1 ms, the memory a process can touch in 1 ms — some MB.) Processes the worker
    started are added by sampling their RSS (every 20 samples). Without ``/proc`` (macOS) the
    worker tree's RSS is sampled (psutil) — approximate.

    ``baseline_bytes`` (RSS as the window opened), ``peak_bytes``, ``extra_bytes`` (peak − baseline,
    ≥ 0), ``method``, ``samples``.
    """

    def __init__(self, pid: int, *, proc_writable: bool = True, interval_s: float = 0.001,
                 others: Callable[[], list[int]] | None = None) -> None:
        self.pid = pid
        self._others = others
        self._other_marks: dict[int, int] = {}  # pid → the highest mark seen
        self._other_reset: set[int] = set()  # pids whose own high-water mark covers the window
        self.interval_s = interval_s
        self.proc_writable = proc_writable
        self.method = ""
        self.baseline_bytes = 0
        self.peak_bytes = 0
        self.samples = 0
        self._hwm_seen = 0
        self._tampered: str | None = None
        self._use_hwm = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._procfs = sys.platform.startswith("linux") and os.path.exists(f"/proc/{pid}/status")
        self._before: set[int] = set()

    @property
    def extra_bytes(self) -> int:
        return max(0, self.peak_bytes - self.baseline_bytes)

    def __enter__(self) -> PeakMemory:
        try:
            self._open()
        except (OSError, KeyError) as exc:  # the worker is gone (or going)
            raise LearnerFault("the process running your code ended while the grader measured it",
                               detail="worker-ended") from exc
        self._thread = threading.Thread(target=self._sample, name="peak-memory", daemon=True)
        self._thread.start()
        return self

    def _open(self) -> None:
        if self._procfs:
            try:
                with open(f"/proc/{self.pid}/clear_refs", "w") as f:
                    f.write("5")
                reset = True
            except OSError:
                reset = False
            now = _status_kib(self.pid, "VmRSS", "VmHWM")
            self.baseline_bytes = now["VmRSS"]
            self._hwm_seen = now["VmHWM"] if reset else now["VmRSS"]
            guarded = "the worker's /proc is read-only" if not self.proc_writable else \
                f"checked for resets every {self.interval_s * 1e3:g} ms"
            self.method = (f"VmHWM reset from outside ({guarded})" if reset else
                           f"RSS sampled every {self.interval_s * 1e3:g} ms from outside (clear_refs refused)")
            self._use_hwm = reset
            self._open_others()
        else:
            import psutil

            self.baseline_bytes = self._tree_rss(psutil)
            self._hwm_seen = self.baseline_bytes
            self.method = f"RSS of the worker's processes sampled every {self.interval_s * 1e3:g} ms (no /proc)"
            self._use_hwm = False

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with contextlib.suppress(OSError, KeyError):
            self._observe(final=True)
        self.peak_bytes = self._hwm_seen + sum(self._other_marks.values())
        if self._tampered and exc_type is None:
            raise LearnerFault(self._tampered)

    def _tree_rss(self, psutil: Any) -> int:
        try:
            proc = psutil.Process(self.pid)
            return int(sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]))
        except psutil.Error:
            return 0

    def _other_pids(self) -> list[int]:
        if self._others is not None:
            return self._others()
        import psutil

        try:
            return [p.pid for p in psutil.Process(self.pid).children(recursive=True)]
        except psutil.Error:
            return []

    def _open_others(self) -> None:
        """Reset the high-water mark of every other learner process alive as the window opens."""
        self._before = set(self._other_pids())
        for pid in self._before:
            try:
                with open(f"/proc/{pid}/clear_refs", "w") as f:
                    f.write("5")
                self._other_reset.add(pid)
            except OSError:
                continue

    def _observe_others(self) -> None:
        for pid in self._other_pids():
            try:
                now = _status_kib(pid, "VmRSS", "VmHWM")
            except OSError:
                continue  # gone: its last mark stands
            if "VmHWM" not in now or "VmRSS" not in now:
                continue  # a zombie (its memory is gone; its last mark stands) — not the end of sampling
            hwm = pid in self._other_reset or pid not in self._before  # its own mark covers the window
            mark = now["VmHWM"] if hwm else now["VmRSS"]
            self._other_marks[pid] = max(self._other_marks.get(pid, 0), mark)

    def _observe(self, *, final: bool = False) -> None:
        self.samples += 1
        if not self._procfs:
            import psutil

            self._hwm_seen = max(self._hwm_seen, self._tree_rss(psutil))
            return
        now = _status_kib(self.pid, "VmRSS", "VmHWM")
        mark = now["VmHWM"] if self._use_hwm else now["VmRSS"]
        # The kernel's RSS counters are approximate per CPU: allow a small dip before calling it a reset.
        if self._use_hwm and mark < self._hwm_seen - max(4 << 20, self._hwm_seen // 50):
            self._tampered = (f"your code reset its process's memory high-water mark (/proc/self/clear_refs) while "
                              f"the grader measured it ({self._hwm_seen / 1e6:.0f} MB → {mark / 1e6:.0f} MB)")
        self._hwm_seen = max(self._hwm_seen, mark)
        if final or self.samples % 5 == 0:
            self._observe_others()

    def _sample(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self._observe()
            except (OSError, KeyError):
                return  # the worker ended: the last mark stands


#: A file mapping of a process: (pid, start address, offset in the file, path).
Mapping_ = tuple[int, int, int, str]
_elf: dict[str, bool] = {}


def _is_elf(path: str) -> bool:
    """True for an ELF image (a shared library or executable): its clean mapped pages are code."""
    if path not in _elf:
        try:
            with open(path, "rb") as f:
                _elf[path] = f.read(4) == b"\x7fELF"
        except OSError:
            _elf[path] = False
    return _elf[path]


class Resident:
    """What a set of processes holds in memory, read from outside (``/proc/<pid>/smaps``).

    Every resident page counts — anonymous memory, shared memory, pages of any file the process
    mapped, and pages it copied on write — except the *clean* pages of ELF images (shared libraries:
    code the process runs, which grows with the code paths it takes, not with what it stores) and of
    the file mappings named in ``keep`` (the grader's own, recorded before any learner code ran: e.g.
    model tensors it mapped from a file). ``bytes`` is the total; ``mappings`` every file mapping seen,
    so a later reading can ``keep`` some of them (:meth:`mappings_of`). Without ``/proc`` (macOS) it
    is the processes' RSS (psutil), shared libraries included — ``method`` says which.
    """

    def __init__(self, total: int, mappings: frozenset[Mapping_], pids: tuple[int, ...], method: str) -> None:
        self.bytes = total
        self.mappings = mappings
        self.pids = pids
        self.method = method

    def mappings_of(self, path: str) -> frozenset[Mapping_]:
        """The file mappings of ``path`` in this reading."""
        return frozenset(m for m in self.mappings if m[3] == path)

    @classmethod
    def read(cls, pids: list[int], *, keep: frozenset[Mapping_] = frozenset()) -> Resident:
        """Read ``pids`` now. The first must be readable (``OSError`` otherwise); the others may have
        ended since they were listed."""
        if not (sys.platform.startswith("linux") and os.path.exists(f"/proc/{pids[0]}/smaps")):
            import psutil

            total = 0
            for i, pid in enumerate(pids):
                try:
                    total += int(psutil.Process(pid).memory_info().rss)
                except psutil.Error:
                    if i == 0:
                        raise OSError(f"process {pid} is gone") from None
            return cls(total, frozenset(), tuple(pids), "RSS of the learner's processes (no /proc: libraries count)")
        total = 0
        mappings: set[Mapping_] = set()
        for i, pid in enumerate(pids):
            try:
                got, seen = _smaps_bytes(pid, keep)
            except OSError:
                if i == 0:
                    raise
                continue
            total += got
            mappings |= seen
        return cls(total, frozenset(mappings), tuple(pids),
                   "resident pages of the learner's processes from /proc/<pid>/smaps (library code and the "
                   "grader's own file mappings left out)")


def _smaps_bytes(pid: int, keep: frozenset[Mapping_]) -> tuple[int, set[Mapping_]]:
    total = 0
    seen: set[Mapping_] = set()
    current: Mapping_ | None = None
    rss = anonymous = 0

    def close() -> int:
        if current is None:
            return 0
        if current[3].startswith("/") and (current in keep or _is_elf(current[3])):
            return anonymous  # only the pages it copied on write (dirtied) are its own
        return rss

    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head, _, rest = line.partition(" ")
            if head.endswith(":"):
                if head == "Rss:":
                    rss = int(rest.split()[0]) * 1024
                elif head == "Anonymous:":
                    anonymous = int(rest.split()[0]) * 1024
                continue
            total += close()
            fields = line.split(None, 5)  # start-end perms offset dev inode [path]
            path = fields[5].strip() if len(fields) > 5 else ""
            current = (pid, int(fields[0].partition("-")[0], 16), int(fields[2], 16), path)
            if path.startswith("/"):
                seen.add(current)
            rss = anonymous = 0
    total += close()
    return total, seen


class ProbeJob(TypedDict):
    fn: str  # the learner's "module:function"
    args: list[Any]
    memory: bool  # also watch the worker's peak memory during the call


def probe(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    """The smallest measurer: one call of the learner's ``fn``; reports what it returned (as data),
    the time it took as seen from here, and with ``memory`` the worker's extra peak memory. For
    diagnostics, the sandbox's tests and bench/grading_overhead.py (``Sandbox.measure(
    "graders.measurer:probe", ProbeJob(...), …)``)."""
    job = expect(args, ProbeJob, what="the probe's job")
    worker.load(job["fn"])
    peak: PeakMemory | None = None
    if job["memory"]:
        with worker.memory() as peak:
            value = worker.call(job["fn"], *job["args"])
    else:
        value = worker.call(job["fn"], *job["args"])
    channel.result(value=value if not isinstance(value, (wire.Array, wire.Opaque)) else repr(value),
                   seconds=worker.last_seconds, isolation=worker.isolation,
                   extra_bytes=peak.extra_bytes if peak else None, memory_method=peak.method if peak else None)
