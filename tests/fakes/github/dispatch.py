"""One HTTP request in, one :class:`Outcome` out: the fake's request pipeline, free of sockets.

Order of checks, as GitHub applies them:

1. numbering (for faults) and routing — REST under ``rest_prefix``, GraphQL at ``graphql_path``;
   an unknown route is 404 *and* recorded in ``unsupported`` (the fake may lack it);
2. authentication — no ``Authorization`` → 401 ``Requires authentication``, unknown token → 401
   ``Bad credentials``; ``X-GitHub-Api-Version`` must be supported (else 400);
3. faults armed in :class:`Faults` that fire *before* applying (``drop``, ``502_before_apply``,
   ``secondary_limit``, ``primary_limit``);
4. limits — an empty primary bucket is 403 ``API rate limit exceeded`` (REST) or a
   ``RATE_LIMITED`` error (GraphQL); the optional content-creation limit is 403 + ``Retry-After``;
5. permissions (:mod:`auth`), then the **contract**: a request breaking the OpenAPI subset is
   422 and recorded in ``client_violations``; GraphQL documents are validated against the schema;
6. the handler runs under the state lock; its response is checked against the contract and a
   mismatch recorded in ``contract_violations`` (the fixture fails the test on those);
7. ``GET`` answers carry an ``ETag``; ``If-None-Match`` with the current one is 304 with no body
   and is not charged; everything else charges the primary bucket (1 per REST request, the
   document's cost for GraphQL; ``/rate_limit`` is free);
8. faults that fire *after* applying (``502_after_apply``, ``drop_after_apply``) replace the answer.

Every answer carries ``x-ratelimit-{limit,remaining,used,reset,resource}``.
"""

from __future__ import annotations

import hashlib
import json
import traceback
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from . import graphql_api
from .auth import NOT_ACCESSIBLE, Token, parse_authorization
from .contract import DEFAULT_API_VERSION, SUPPORTED_API_VERSIONS, contract_for
from .faults import Fault, FaultMode, Faults, RequestInfo
from .graphql_base import GraphQLContext
from .limits import Bucket, Counters, Limits
from .rest import ROUTES
from .routing import ApiError, Call, Context, Reply, Route, Urls, match
from .state import FakeState

SECONDARY_MESSAGE = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
SECONDARY_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
PRIMARY_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-rate-limit"


class Headers(Protocol):
    """Case-insensitive request headers (``http.client.HTTPMessage`` is one)."""

    def get(self, name: str, /) -> str | None: ...


@dataclass
class Outcome:
    """What the socket layer writes: status, headers and body — or nothing at all (``drop``)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    drop: bool = False


@dataclass
class Problems:
    """Lists the fixture inspects: the fake's own faults, the client's, and the fake's gaps."""

    contract_violations: list[str] = field(default_factory=list)
    client_violations: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)


def _json(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _etag(data: bytes, version: str) -> str:
    return 'W/"' + hashlib.sha256(data + version.encode()).hexdigest() + '"'


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    return any(tag.strip() == "*" or tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


@dataclass
class Dispatcher:
    state: FakeState
    limits: Limits
    counters: Counters
    faults: Faults
    problems: Problems
    tokens: dict[str, Token]
    urls: Urls
    rest_prefix: str
    graphql_path: str

    def dispatch(self, method: str, target: str, headers: Headers, raw_body: bytes) -> Outcome:
        seq = self.faults.next_seq()
        parts = urlsplit(target)
        path, query = parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))
        is_graphql = method == "POST" and path == self.graphql_path
        found = None
        if not is_graphql and (path == self.rest_prefix or path.startswith(self.rest_prefix + "/")):
            found = match(ROUTES, method, path[len(self.rest_prefix) :] or "/")
        route_key = "POST /graphql" if is_graphql else (found[0].key if found else f"{method} (unknown route)")
        try:
            outcome, points = self._dispatch(seq, method, path, query, headers, raw_body, is_graphql, found, route_key)
        except Exception:  # a bug in the fake: say so loudly, answer like GitHub's 500
            self.problems.unsupported.append(f"fake crashed on {method} {path}:\n{traceback.format_exc()}")
            outcome, points = Outcome(500, {"Content-Type": "application/json"}, _json({"message": "Server Error"})), 1
        if not outcome.drop:
            outcome.headers["X-GitHub-Request-Id"] = f"FAKE:{seq:08X}"
        # GitHub's secondary points: 1 for a read or a query, 5 for a write or a mutation
        self.counters.record_request(route_key, outcome.status, write=points == 5, secondary_points=points)
        return outcome

    # ---- the pipeline ------------------------------------------------------------------------

    def _dispatch(
        self,
        seq: int,
        method: str,
        path: str,
        query: dict[str, str],
        headers: Headers,
        raw_body: bytes,
        is_graphql: bool,
        found: tuple[Route, dict[str, str]] | None,
        route_key: str,
    ) -> tuple[Outcome, int]:
        points = 1 if method == "GET" else 5
        auth_header = headers.get("Authorization")
        token = self.tokens.get(parse_authorization(auth_header) or "")
        if token is None:
            message = "Requires authentication" if not auth_header else "Bad credentials"
            return self._error(ApiError(401, message), None, "core", DEFAULT_API_VERSION), points
        version = headers.get("X-GitHub-Api-Version") or DEFAULT_API_VERSION
        resource = "graphql" if is_graphql else "core"
        if version not in SUPPORTED_API_VERSIONS:
            error = ApiError(400, f"API version {version!r} is not supported.")
            return self._error(error, token, resource, DEFAULT_API_VERSION), points
        if not is_graphql and found is None:
            self.problems.unsupported.append(f"{method} {path}: no such route in the fake")
            return self._error(ApiError(404, "Not Found"), token, resource, version), points
        try:
            body = json.loads(raw_body) if raw_body.strip() else None
        except ValueError:
            return self._error(ApiError(400, "Problems parsing JSON"), token, resource, version), points
        with self.state.lock:
            if is_graphql:
                outcome, points = self._graphql(seq, path, body, token, version)
                return outcome, points
            assert found is not None
            route, params = found
            info = RequestInfo(seq, method, path, route_key, body)
            return self._rest(info, route, params, query, headers, body, raw_body, token, version), points

    def _rest(
        self,
        info: RequestInfo,
        route: Route,
        params: dict[str, str],
        query: dict[str, str],
        headers: Headers,
        body: Any,
        raw_body: bytes,
        token: Token,
        version: str,
    ) -> Outcome:
        fault = self.faults.take(info)
        if fault is not None and not fault.mode.applies:
            return self._fault_before(fault, token, "core", version, graphql=False)
        bucket = self.limits.bucket(token.login, "core")
        free = route.operation_id == "rate-limit/get"
        if bucket.remaining <= 0 and not free:
            return self._primary_limited(token, "core", version, status=403)
        if route.creates and not self.limits.note_creation():
            return self._secondary_limited(token, "core", version, self.limits.secondary_retry_after)
        actor = self.state.account(token.login)
        assert actor is not None
        repo = self.state.repo(params["owner"], params["repo"]) if "owner" in params else None
        area = route.write_area
        if area is not None and repo is not None and not token.can_write_repo(area, private=repo.private):
            # GitHub hides a repository from a classic token without the scope (404)
            error = ApiError(403, NOT_ACCESSIBLE) if token.kind == "installation" else ApiError(404, "Not Found")
            return self._error(error, token, "core", version)
        contract = contract_for(version)
        if route.operation_id is not None:
            problems = contract.check_request(route.operation_id, params, query, body, has_body=bool(raw_body.strip()))
            if problems:
                self.problems.client_violations.append(f"{info.route} ({route.operation_id}): " + "; ".join(problems))
                message = "Invalid request.\n\n" + "\n".join(problems)
                return self._error(ApiError(422, message), token, "core", version)
        ctx = Context(self.state, self.urls, token, actor, version, self.limits)
        call = Call(ctx, params, query, body, info.method, info.path[len(self.rest_prefix) :])
        try:
            reply = route.handler(call)
        except ApiError as error:
            reply = Reply(error.status, error.body())
        if route.operation_id is not None:
            for problem in contract.check_response(route.operation_id, reply.status, reply.body):
                self.problems.contract_violations.append(f"{info.route} ({route.operation_id}): {problem}")
        data = _json(reply.body) if reply.body is not None else b""
        out_headers = dict(reply.headers)
        status = reply.status
        if info.method == "GET" and 200 <= status < 300:
            out_headers["ETag"] = etag = _etag(data, version)
            out_headers["Cache-Control"] = "private, max-age=60, s-maxage=60"
            if _etag_matches(headers.get("If-None-Match"), etag):
                status, data = 304, b""
        if status != 304 and not free:
            bucket.used += 1
        outcome = Outcome(status, out_headers, data if status != 304 else None)
        self._finish(outcome, token, "core", version)
        return self._fault_after(fault, outcome)

    def _graphql(self, seq: int, path: str, payload: Any, token: Token, version: str) -> tuple[Outcome, int]:
        prepared = graphql_api.prepare(payload)
        if isinstance(prepared, dict):
            self.counters.record_graphql(0, [])
            return self._ok(prepared, token, version), 1
        analysis = prepared.analysis
        points = 5 if analysis.is_mutation else 1
        info = RequestInfo(seq, "POST", path, "POST /graphql", payload, tuple(analysis.root_fields))
        fault = self.faults.take(info)
        if fault is not None and not fault.mode.applies:
            return self._fault_before(fault, token, "graphql", version, graphql=True), points
        errors = graphql_api.scope_errors(prepared, token)
        if errors:
            self.counters.record_graphql(0, analysis.root_fields)
            return self._ok({"errors": errors}, token, version), points
        bucket = self.limits.bucket(token.login, "graphql")
        if bucket.remaining < analysis.cost:
            return self._primary_limited(token, "graphql", version, status=200), points
        if analysis.is_mutation and not self.limits.note_creation():
            return self._secondary_limited(token, "graphql", version, self.limits.secondary_retry_after), points
        bucket.used += analysis.cost
        self.counters.record_graphql(analysis.cost, analysis.root_fields)
        actor = self.state.account(token.login)
        assert actor is not None
        ctx = GraphQLContext(self.state, token, actor, self.urls, bucket, analysis.cost, analysis.node_count)
        executed = graphql_api.execute(prepared, ctx)
        for kind, message in executed.problems:
            target = self.problems.contract_violations if kind == "contract" else self.problems.unsupported
            target.append(message)
        return self._fault_after(fault, self._ok(executed.body, token, version)), points

    # ---- answers -----------------------------------------------------------------------------

    def _ok(self, body: dict[str, Any], token: Token, version: str) -> Outcome:
        outcome = Outcome(200, {}, _json(body))
        self._finish(outcome, token, "graphql", version)
        return outcome

    def _error(self, error: ApiError, token: Token | None, resource: str, version: str) -> Outcome:
        outcome = Outcome(error.status, {}, _json(error.body()))
        self._finish(outcome, token, resource, version)
        return outcome

    def _finish(self, outcome: Outcome, token: Token | None, resource: str, version: str) -> None:
        """Add the headers every GitHub answer carries."""
        h = outcome.headers
        h.setdefault("Content-Type", "application/json; charset=utf-8")
        h["X-GitHub-Media-Type"] = "github.v3; format=json"
        h["X-GitHub-Api-Version-Selected"] = version
        bucket = self.limits.bucket(token.login if token else "", resource)
        self._rate_headers(h, bucket, resource)
        if token is not None and token.kind == "classic":
            h["X-OAuth-Scopes"] = ", ".join(sorted(token.scopes))

    @staticmethod
    def _rate_headers(h: dict[str, str], bucket: Bucket, resource: str) -> None:
        h["x-ratelimit-limit"] = str(bucket.limit)
        h["x-ratelimit-remaining"] = str(bucket.remaining)
        h["x-ratelimit-used"] = str(bucket.used)
        h["x-ratelimit-reset"] = str(bucket.reset_epoch)
        h["x-ratelimit-resource"] = resource

    def _primary_limited(self, token: Token, resource: str, version: str, *, status: int) -> Outcome:
        actor = self.state.account(token.login)
        message = f"API rate limit exceeded for user ID {actor.id if actor else 0}."
        if resource == "graphql" and status == 200:
            outcome = Outcome(200, {}, _json({"errors": [{"type": "RATE_LIMITED", "message": message}]}))
        else:
            outcome = Outcome(status, {}, _json({"message": message, "documentation_url": PRIMARY_DOCS}))
        self._finish(outcome, token, resource, version)
        return outcome

    def _secondary_limited(self, token: Token, resource: str, version: str, retry_after: int) -> Outcome:
        body = {"message": SECONDARY_MESSAGE, "documentation_url": SECONDARY_DOCS}
        outcome = Outcome(403, {"Retry-After": str(retry_after)}, _json(body))
        self._finish(outcome, token, resource, version)
        return outcome

    def _fault_before(self, fault: Fault, token: Token, resource: str, version: str, *, graphql: bool) -> Outcome:
        self.counters.record_fault()
        if fault.mode is FaultMode.DROP:
            return Outcome(drop=True)
        if fault.mode is FaultMode.BAD_GATEWAY_BEFORE_APPLY:
            return self._bad_gateway(token, resource, version)
        if fault.mode is FaultMode.SECONDARY_LIMIT:
            return self._secondary_limited(token, resource, version, fault.retry_after)
        self.limits.set(token.login, resource, remaining=0, reset_in=fault.reset_in)
        status = fault.status or (200 if graphql else 403)
        return self._primary_limited(token, resource, version, status=status)

    def _fault_after(self, fault: Fault | None, applied: Outcome) -> Outcome:
        if fault is None:
            return applied
        self.counters.record_fault()
        if fault.mode is FaultMode.DROP_AFTER_APPLY:
            return Outcome(drop=True)
        outcome = Outcome(502, {"Content-Type": "application/json; charset=utf-8"}, _json({"message": "Server Error"}))
        for key, value in applied.headers.items():
            if key.lower().startswith("x-"):
                outcome.headers[key] = value
        return outcome

    def _bad_gateway(self, token: Token, resource: str, version: str) -> Outcome:
        outcome = Outcome(502, {}, _json({"message": "Server Error"}))
        self._finish(outcome, token, resource, version)
        return outcome
