"""Primary and secondary rate limits, and the counters tests and benchmarks read.

Primary limits are per login and per resource (``core`` for REST, ``graphql`` for GraphQL
points), 5,000 per hour by default, like GitHub. What is *not* charged, as on GitHub:
``GET /rate_limit`` and any ``304 Not Modified`` answer to a conditional request.

Secondary limits are off by default. Set :attr:`Limits.content_creation_per_minute` (GitHub
documents 80) to make the fake answer 403 + ``Retry-After`` to creating requests past the
budget; :class:`Counters` also records GitHub's secondary *points* (1 per GET or query, 5 per
write or mutation) so a benchmark can report them.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field


@dataclass
class Bucket:
    """One primary-limit window: ``limit`` points, reset at ``reset_at`` (epoch seconds)."""

    limit: int
    used: int = 0
    reset_at: float = 0.0

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def reset_epoch(self) -> int:
        return math.ceil(self.reset_at)


class Limits:
    """Per-login primary buckets plus the optional secondary content-creation limit."""

    def __init__(self, *, limit: int = 5000, window: float = 3600.0) -> None:
        self.default_limit = limit
        self.window = window
        self.content_creation_per_minute: int | None = None
        self.secondary_retry_after = 60
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self._creations: deque[float] = deque()

    def bucket(self, login: str, resource: str) -> Bucket:
        """The live bucket for ``login``/``resource``; a passed reset starts a fresh window."""
        now = time.time()
        key = (login.lower(), resource)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = Bucket(limit=self.default_limit, reset_at=now + self.window)
        elif now >= bucket.reset_at:
            bucket.used = 0
            bucket.reset_at = now + self.window
        return bucket

    def set(self, login: str, resource: str, *, remaining: int, reset_in: float | None = None) -> Bucket:
        """Force a bucket's state, e.g. ``remaining=0, reset_in=1.0`` to exhaust it for a second."""
        bucket = self.bucket(login, resource)
        bucket.used = bucket.limit - remaining
        if reset_in is not None:
            bucket.reset_at = time.time() + reset_in
        return bucket

    def note_creation(self) -> bool:
        """Record a content-creating request; False if it exceeds the secondary limit."""
        if self.content_creation_per_minute is None:
            return True
        now = time.time()
        while self._creations and now - self._creations[0] > 60:
            self._creations.popleft()
        if len(self._creations) >= self.content_creation_per_minute:
            return False
        self._creations.append(now)
        return True


@dataclass
class Counters:
    """What the server saw. Read them in tests; :meth:`reset` between phases of a benchmark.

    ``by_route`` keys look like ``"PATCH /repos/{owner}/{repo}/issues/{issue_number}"`` and
    ``"POST /graphql"``; ``graphql_fields`` keys like ``"mutation.addProjectV2ItemById"``.
    """

    requests: int = 0
    by_route: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    not_modified: int = 0
    writes: int = 0
    graphql_documents: int = 0
    graphql_cost: int = 0
    graphql_costs: list[int] = field(default_factory=list)
    graphql_fields: Counter[str] = field(default_factory=Counter)
    secondary_points: int = 0
    faults_fired: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record_request(self, route: str, status: int, *, write: bool, secondary_points: int) -> None:
        with self._lock:
            self.requests += 1
            self.by_route[route] += 1
            self.by_status[status] += 1
            self.not_modified += status == 304
            self.writes += write
            self.secondary_points += secondary_points

    def record_graphql(self, cost: int, fields: list[str]) -> None:
        with self._lock:
            self.graphql_documents += 1
            self.graphql_cost += cost
            self.graphql_costs.append(cost)
            self.graphql_fields.update(fields)

    def record_fault(self) -> None:
        with self._lock:
            self.faults_fired += 1

    def reset(self) -> None:
        with self._lock:
            self.requests = self.not_modified = self.writes = 0
            self.graphql_documents = self.graphql_cost = self.secondary_points = self.faults_fired = 0
            self.by_route.clear()
            self.by_status.clear()
            self.graphql_costs.clear()
            self.graphql_fields.clear()

    def as_dict(self) -> dict[str, object]:
        """Plain data, e.g. for a benchmark's ``key=value`` line."""
        with self._lock:
            return {
                "requests": self.requests,
                "by_route": dict(self.by_route),
                "by_status": dict(self.by_status),
                "not_modified": self.not_modified,
                "writes": self.writes,
                "graphql_documents": self.graphql_documents,
                "graphql_cost": self.graphql_cost,
                "graphql_fields": dict(self.graphql_fields),
                "secondary_points": self.secondary_points,
                "faults_fired": self.faults_fired,
            }
