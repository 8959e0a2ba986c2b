"""The learner worker: ``python -I -m graders.worker FD`` — the process that runs the learner's code.

Started by the supervisor as a *learner* process of a :meth:`graders.sandbox.Sandbox.measure` run
(the run's limits, no capabilities, ``/proc`` read-only where permitted), with one end of a socket
pair as ``FD``; the other end belongs to the trusted measurer. It holds nothing secret: no result
channel, no key, no seed, no expected values — only what the measurer sends it.

It answers requests (graders.wire frames) one at a time, until the measurer closes the link:

``hello``  → the protocol version, this process's id and what isolation holds (graders.privileges).
           Sent by the measurer first; no learner code is imported before it arrives, so the
           measurer is already non-dumpable and holding its secrets out of reach when it does.
``load``   ``{"fn": "module:function"}`` → import the learner's module and find the function.
``call``   ``{"fn": …, "args": […], "kwargs": {…}, "adapter": bool}`` → call it, reply with what it
           returned. With ``adapter``, ``fn`` is a trusted *adapter* in ``graders.…`` (grader code
           that runs here — e.g. keeps the learner's model and answers questions about it); without,
           it is the learner's function. Arrays arrive as what they were sent as (torch, numpy).

Every reply echoes the request's ``id`` and holds exactly one of ``value``, ``raised`` (the learner's
code raised: type, message, learner-only traceback, status by graders.faults' rule) or ``fault``
(a :class:`graders.faults.LearnerFault`, e.g. a missing function). Nothing here decides a number: the
learner's code can patch this module as it likes, and all it gains is a wrong reply.

While a ``call`` is served, code in this process may **ask the measurer's services** (:func:`ask`):
``{"op": "ask", "id": <the request's id>, "service": name, "args": […]}`` goes out and the measurer's
``{"op": "answer", "value": …}`` or ``{"op": "answer", "refused": message}`` comes back, before the
call's reply. A measurer offers services for one request (``Worker.call(..., services=…)``); an
adapter hands the learner's code callables built on :func:`ask` — a language model or a tool whose
truth stays in the measurer. Asking outside a call, or for a service not offered, is refused.

Standard library only at start.
"""

from __future__ import annotations

import importlib
import os
import socket
import sys
import threading
from collections.abc import Callable
from typing import Any

from graders import wire
from graders.faults import LearnerFault, fault_of_exception
from graders.harness.learner import learner_function
from graders.privileges import isolation

__all__ = ["ServiceError", "ask", "collect_garbage", "main"]


class ServiceError(RuntimeError):
    """Raised in this process by :func:`ask` when the measurer refuses a service request; the
    message says why (a budget spent, an argument of the wrong kind, no such service)."""


# The link and the id of the request being served, while one is (set by serve()).
_link: dict[str, Any] = {"sock": None, "id": None}
_ask_lock = threading.Lock()


def ask(service: str, *args: Any) -> Any:
    """Ask the measurer's ``service`` with ``args`` (JSON values, arrays) and return its answer.

    Only while a ``call`` request is being served, and only for the services the measurer offered
    for it; otherwise, or when the measurer refuses, :class:`ServiceError`. One question at a time
    (threads queue). A broken link raises ``ServiceError`` too; the measurer then sees a fault."""
    with _ask_lock:
        sock, rid = _link["sock"], _link["id"]
        if sock is None or rid is None:
            raise ServiceError(f"the grader's {service!r} can only be used while the grader is calling your code")
        try:
            wire.send(sock, {"op": "ask", "id": rid, "service": service, "args": list(args)})
            answer = wire.receive(sock)
        except (wire.WireError, OSError) as exc:
            raise ServiceError(f"the grader's {service!r} did not answer ({exc})") from None
        if answer.get("op") != "answer":
            raise ServiceError(f"the grader's {service!r} sent {str(answer)[:80]!r}, not an answer")
        if "refused" in answer:
            raise ServiceError(str(answer["refused"]))
        return answer.get("value")


def collect_garbage() -> int:
    """An adapter every kind may call (``worker.adapter("graders.worker:collect_garbage",
    returns=int)``) before opening a memory window, so garbage of earlier calls is not counted."""
    import gc

    return gc.collect()


def _materialise(value: Any) -> Any:
    """Arrays of a request as the learner's function expects them (tensor, ndarray)."""
    if isinstance(value, wire.Array):
        return value.native()
    if isinstance(value, list):
        return [_materialise(v) for v in value]
    if isinstance(value, dict):
        return {k: _materialise(v) for k, v in value.items()}
    return value


def _resolve(fn: str, adapter: bool) -> Callable[..., Any]:
    if not adapter:
        return learner_function(fn)
    module_name, _, name = fn.partition(":")
    if not module_name.startswith("graders."):
        raise ValueError(f"an adapter lives in the grader's package (graders.…), not {module_name!r}")
    target = getattr(importlib.import_module(module_name), name)
    if not callable(target):
        raise TypeError(f"adapter {fn} is not callable")
    return target  # type: ignore[no-any-return]


def _fault(exc: LearnerFault) -> dict[str, Any]:
    return {"message": exc.message, "status": exc.status, "detail": exc.detail}


def handle(request: dict[str, Any], workdir: str) -> dict[str, Any]:
    """The reply to one ``load`` or ``call`` request (the learner's exceptions become data)."""
    reply: dict[str, Any] = {"id": request.get("id")}
    op = request.get("op")
    try:
        fn = _resolve(str(request.get("fn", "")), bool(request.get("adapter")))
        if op == "load":
            reply["value"] = None
        elif op == "call":
            args = _materialise(request.get("args") or [])
            kwargs = _materialise(request.get("kwargs") or {})
            reply["value"] = fn(*args, **kwargs)
        else:
            raise ValueError(f"unknown request {op!r}")
    except LearnerFault as exc:
        reply["fault"] = _fault(exc)
    except BaseException as exc:  # the learner's code raised (or exited): that is data, not our end
        raised = fault_of_exception(exc, workdir)
        reply["raised"] = {"type": raised.type_name, "message": raised.message, "status": raised.status,
                           "detail": raised.detail, "not_implemented": raised.not_implemented,
                           "wrong_answer": raised.wrong_answer}
    return reply


def serve(sock: socket.socket, workdir: str) -> None:
    hello = wire.receive(sock)
    if hello.get("op") != "hello":
        raise SystemExit(f"graders.worker: expected hello, got {str(hello)[:80]}")
    wire.send(sock, {"op": "hello", "version": wire.PROTOCOL_VERSION, "pid": os.getpid(),
                     "isolation": isolation()})
    # Only now, with the measurer ready and its secrets out of reach, may learner code be imported.
    sys.path.insert(0, workdir)
    while True:
        try:
            request = wire.receive(sock)
        except wire.Closed:
            return
        if request.get("op") == "exit":
            return
        _link["sock"], _link["id"] = sock, request.get("id")
        try:
            reply = handle(request, workdir)
        finally:
            _link["sock"] = _link["id"] = None
        try:
            parts = wire.encode_parts(reply)
        except Exception as exc:  # e.g. a dict subclass of the learner's whose items() raises
            message = f"what your code returned could not be sent to the grader ({type(exc).__name__}: {exc})"
            parts = wire.encode_parts({"id": reply["id"], "raised": {
                "type": type(exc).__name__, "status": "error", "detail": "", "not_implemented": False,
                "wrong_answer": True, "message": message}})
        del reply  # the reply's arrays are no longer needed once encoded (a memory window may be open)
        try:
            with _ask_lock:  # not in the middle of a service request of one of the learner's threads
                wire.send_parts(sock, parts)
        except OSError:
            return
        del parts


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: python -I -m graders.worker FD", file=sys.stderr)
        return 2
    fd = int(argv[1])
    os.set_inheritable(fd, False)  # the learner's own subprocesses must not get the link
    sock = socket.socket(fileno=fd)
    serve(sock, os.path.realpath(os.getcwd()))
    sys.stdout.flush()
    sys.stderr.flush()
    return 0


if __name__ == "__main__":
    # One module, whatever the name: adapters import graders.worker (ask) and must find this link.
    sys.modules.setdefault("graders.worker", sys.modules["__main__"])
    # os._exit: no interpreter teardown, so atexit hooks or threads of the learner's code do not
    # run after the measurer has its answers.
    os._exit(main(sys.argv))
