"""Programmable failures: make the k-th next request, or the next requests matching a predicate, fail.

Modes (:class:`FaultMode`), and what the server does:

``drop``               read the request, do **not** apply it, close the connection with no response.
``drop_after_apply``   apply the request (the issue really is created), then close with no response.
``502_before_apply``   answer ``502 Bad Gateway``; nothing applied.
``502_after_apply``    apply the request, then answer ``502 Bad Gateway``.
``secondary_limit``    answer 403 with ``Retry-After`` and GitHub's secondary-rate-limit message;
                       nothing applied.
``primary_limit``      exhaust the caller's primary bucket until ``reset_in`` seconds from now and
                       answer as GitHub does when it is empty: REST 403 (or ``status=429``) with
                       ``x-ratelimit-remaining: 0``; GraphQL 200 with a ``RATE_LIMITED`` error.
                       Later requests inside that window are limited too, as on GitHub.

A fault fires once per matching request, ``times`` times (default once), then disarms.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class FaultMode(StrEnum):
    DROP = "drop"
    DROP_AFTER_APPLY = "drop_after_apply"
    BAD_GATEWAY_BEFORE_APPLY = "502_before_apply"
    BAD_GATEWAY_AFTER_APPLY = "502_after_apply"
    SECONDARY_LIMIT = "secondary_limit"
    PRIMARY_LIMIT = "primary_limit"

    @property
    def applies(self) -> bool:
        """Does the operation take effect before the failure is answered?"""
        return self in (FaultMode.DROP_AFTER_APPLY, FaultMode.BAD_GATEWAY_AFTER_APPLY)


@dataclass(frozen=True)
class RequestInfo:
    """What a fault predicate sees about a request.

    ``route`` is the matched template (``"POST /repos/{owner}/{repo}/issues"``, ``"POST /graphql"``),
    ``graphql_fields`` the document's root fields (``("mutation.addProjectV2ItemById",)``).
    """

    seq: int
    method: str
    path: str
    route: str
    body: Any
    graphql_fields: tuple[str, ...] = ()

    @property
    def is_write(self) -> bool:
        return self.method != "GET" and not (
            self.graphql_fields and all(f.startswith("query.") for f in self.graphql_fields)
        )


Predicate = Callable[[RequestInfo], bool]


@dataclass
class Fault:
    mode: FaultMode
    predicate: Predicate
    times: int = 1
    retry_after: int = 1
    reset_in: float = 1.0
    status: int | None = None


@dataclass(frozen=True)
class FiredFault:
    mode: FaultMode
    request: RequestInfo


@dataclass
class Faults:
    """The fault plan of one server. Arm faults from tests; the server consults :meth:`take`."""

    fired: list[FiredFault] = field(default_factory=list)
    _armed: list[Fault] = field(default_factory=list)
    _seq: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fail_request(
        self,
        k: int,
        mode: FaultMode | str,
        *,
        retry_after: int = 1,
        reset_in: float = 1.0,
        status: int | None = None,
    ) -> Fault:
        """Make the ``k``-th request from now fail (``k=1``: the very next request)."""
        if k < 1:
            raise ValueError("k counts from 1 (the next request)")
        with self._lock:
            target = self._seq + k
        return self.fail_when(
            lambda r: r.seq == target, mode, retry_after=retry_after, reset_in=reset_in, status=status
        )

    def fail_when(
        self,
        predicate: Predicate,
        mode: FaultMode | str,
        *,
        times: int = 1,
        retry_after: int = 1,
        reset_in: float = 1.0,
        status: int | None = None,
    ) -> Fault:
        """Make the next ``times`` requests for which ``predicate(info)`` is true fail."""
        fault = Fault(FaultMode(mode), predicate, times, retry_after, reset_in, status)
        with self._lock:
            self._armed.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    @property
    def pending(self) -> int:
        """Faults armed but not yet fired (a test can assert its fault was reached)."""
        with self._lock:
            return sum(f.times for f in self._armed)

    def next_seq(self) -> int:
        """Number the next incoming request (the server calls this once per request)."""
        with self._lock:
            self._seq += 1
            return self._seq

    def take(self, info: RequestInfo) -> Fault | None:
        """The armed fault matching ``info``, consumed; ``None`` when the request goes through."""
        with self._lock:
            for fault in self._armed:
                if fault.predicate(info):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._armed.remove(fault)
                    self.fired.append(FiredFault(fault.mode, info))
                    return fault
        return None
