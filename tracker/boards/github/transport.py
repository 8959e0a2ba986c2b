"""Every request to GitHub goes through here: the one boundary where PyGithub/requests meet our errors.

* **PyGithub's requester, no retry of its own.** The client is built with ``retry=None``: PyGithub's
  default ``GithubRetry`` replays GET *and POST* after a 5xx or a lost connection, which duplicates
  an issue GitHub created but did not acknowledge. Here a read (GET, a GraphQL query) is retried a
  couple of times; a write that fails with an unknown outcome raises
  :class:`~tracker.errors.TransientBoardError` and the sync re-reads the board before going on.
* **Rate limits**, as GitHub documents them: a primary limit (``x-ratelimit-remaining: 0``) waits
  until ``x-ratelimit-reset``; a secondary limit waits ``Retry-After`` (else a minute, doubling).
  A limited request was not applied, so repeating it — a create included — is safe. Every wait is
  bounded: past ``max_wait`` (or ``max_total_wait`` in all) we stop with
  :class:`~tracker.errors.RateLimitedError` saying when to try again.
* **Conditional GETs**: ``get_pages`` sends ``If-None-Match`` with the ETag kept in the
  :class:`~tracker.boards.github.cache.SyncCache`; a 304 is free and reuses the stored body.
* **Errors** are translated once: 401/403 → :class:`~tracker.errors.BoardAuthError`, GraphQL
  ``FORBIDDEN``/``INSUFFICIENT_SCOPES`` → :class:`~tracker.errors.ProjectAccessError`, the rest →
  :class:`~tracker.errors.BoardError`. Messages never carry a token: every text that leaves this
  module passes :meth:`Transport.redact`, and errors are raised ``from None``.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from tracker.boards.github.cache import SyncCache
from tracker.errors import (
    BoardAuthError,
    BoardError,
    ConfigError,
    ProjectAccessError,
    RateLimitedError,
    TransientBoardError,
)

__all__ = ["GraphQLResult", "Response", "Transport"]

log = logging.getLogger("tracker.boards.github")

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
SECONDARY_DEFAULT_WAIT = 60.0


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    data: Any


@dataclass
class GraphQLResult:
    data: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def errors_at(self, *path: str) -> list[dict[str, Any]]:
        """Errors whose ``path`` starts with ``path`` (resolver errors carry one)."""
        return [e for e in self.errors if [str(p) for p in e.get("path") or []][: len(path)] == list(path)]


class _Limited(Exception):
    def __init__(self, wait: float, why: str) -> None:
        super().__init__(why)
        self.wait = wait
        self.why = why


class _Lost(Exception):
    """The outcome of a request is unknown (no answer, or a 5xx)."""


class Transport:
    """GitHub REST and GraphQL over PyGithub's requester, with our retry, limit and error policy."""

    def __init__(self, *, api_url: str, token: str, graphql_url: str | None = None,
                 graphql_token: str | None = None, cache: SyncCache | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time,
                 max_wait: float = 120.0, max_total_wait: float = 300.0, read_retries: int = 2,
                 timeout: float = 20.0, write_delay: float = 0.0) -> None:
        try:
            from github import Auth, Github
        except ImportError:  # pragma: no cover - depends on the install
            raise ConfigError("syncing to GitHub needs PyGithub: pip install 'llm-sprint[github]'") from None
        if not token:
            raise BoardAuthError("no GitHub token: set GITHUB_TOKEN (in Actions: `GITHUB_TOKEN: ${{ github.token }}`)")
        self.api_url = api_url.rstrip("/")
        self._secrets = [t for t in (token, graphql_token) if t]
        common: dict[str, Any] = {
            "base_url": self.api_url, "retry": None, "timeout": math.ceil(timeout), "user_agent": "llm-sprint",
            "seconds_between_requests": None, "seconds_between_writes": write_delay or None,
        }
        self._rest = Github(auth=Auth.Token(token), **common)
        self._gql = Github(auth=Auth.Token(graphql_token), **common) if graphql_token else self._rest
        self.graphql_url = graphql_url or self._gql.requester.graphql_url
        self.cache = cache or SyncCache(None, self.api_url)
        self.sleep = sleep
        self.clock = clock
        self.max_wait = max_wait
        self.max_total_wait = max_total_wait
        self.read_retries = read_retries
        self.waited = 0.0
        self.requests = 0
        self.not_modified = 0
        self.graphql_scopes: set[str] | None = None  # X-OAuth-Scopes of the GraphQL token (classic tokens only)
        self._blocked_until: dict[str, float] = {}

    def close(self) -> None:
        self._rest.close()
        if self._gql is not self._rest:
            self._gql.close()

    # ---- safety ------------------------------------------------------------------------------

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    def __repr__(self) -> str:
        return f"Transport(api_url={self.api_url!r})"

    # ---- REST --------------------------------------------------------------------------------

    def rest(self, verb: str, path: str, *, params: Mapping[str, Any] | None = None, body: Any = None,
             expect: Iterable[int] = (), headers: Mapping[str, str] | None = None, what: str = "") -> Response:
        """One REST call. 2xx (and statuses in ``expect``) are returned; anything else raises ours."""
        read = verb == "GET"
        what = what or f"{verb} {path}"
        response = self._with_policy("core", read, what, lambda: self._send_rest(verb, path, params, body, headers))
        if 200 <= response.status < 300 or response.status == 304 or response.status in set(expect):
            return response
        raise self._rest_error(response, what)

    def _send_rest(self, verb: str, path: str, params: Mapping[str, Any] | None, body: Any,
                   headers: Mapping[str, str] | None) -> Response:
        requester = self._rest.requester
        status, hdrs, output = self._raw(lambda: requester.requestJson(
            verb, path, dict(params) if params else None, dict(headers) if headers else None, body))
        return Response(status, hdrs, _decode(output))

    def get_pages(self, path: str, params: Mapping[str, Any], *, what: str = "") -> list[Any]:
        """Every page of a list, each fetched conditionally (ETag) and reused from the cache on 304."""
        out: list[Any] = []
        page = 1
        while True:
            query = {**params, "page": page}
            key = f"{path}?{urlencode(sorted((k, str(v)) for k, v in query.items()))}"
            cached = self.cache.page(key)
            headers = {"If-None-Match": cached.etag} if cached else None
            response = self.rest("GET", path, params=query, headers=headers, what=what or f"GET {path}")
            if response.status == 304 and cached is not None:
                self.not_modified += 1
                data, link = cached.data, cached.link
            else:
                data, link = response.data, response.headers.get("link", "")
                etag = response.headers.get("etag")
                if etag:
                    self.cache.store_page(key, etag, data, link)
            if not isinstance(data, list):
                raise BoardError(f"{what or path}: GitHub answered with something that is not a list")
            out.extend(data)
            if not _NEXT.search(link or "") or not data:
                return out
            page += 1

    def _rest_error(self, response: Response, what: str) -> BoardError:
        data = response.data if isinstance(response.data, dict) else {}
        message = str(data.get("message") or f"HTTP {response.status}")
        details = "; ".join(str(e.get("message") or e.get("code") or e) for e in data.get("errors") or []
                            if isinstance(e, dict))
        text = self.redact(f"{what}: GitHub answered {response.status} {message}" + (f" ({details})" if details
                                                                                        else ""))
        if response.status == 401:
            return BoardAuthError(text + " — the token is missing, expired or wrong; check GITHUB_TOKEN")
        if response.status == 403:
            return BoardAuthError(text + " — the token lacks a permission (issues: write for issues, labels and "
                                  "milestones; contents: write for tags and releases)")
        if response.status == 404:
            return BoardError(text + " — does the repository exist, and may this token see it?")
        return BoardError(text)

    # ---- GraphQL -----------------------------------------------------------------------------

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None, *, mutation: bool = False,
                what: str = "GraphQL", partial: bool = False) -> GraphQLResult:
        """One GraphQL document. Access errors raise ProjectAccessError; other errors are returned.

        ``partial``: a batched document (aliases) answers for each part on its own — an access error
        with a ``path`` concerns that part only and is returned with the rest, not raised.
        """
        payload = {"query": query, "variables": dict(variables or {})}
        response = self._with_policy("graphql", not mutation, what, lambda: self._send_graphql(payload))
        if response.status != 200:
            raise self._rest_error(response, what)
        body = response.data if isinstance(response.data, dict) else {}
        errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
        denied = [e for e in errors if e.get("type") in ("FORBIDDEN", "INSUFFICIENT_SCOPES")
                  and not (partial and e.get("path"))]
        if denied:
            raise ProjectAccessError(self.redact(f"{what}: {denied[0].get('message') or denied[0].get('type')}"))
        return GraphQLResult(body.get("data") or {}, errors, response.headers)

    def _send_graphql(self, payload: dict[str, Any]) -> Response:
        from github import GithubException

        requester = self._gql.requester

        def call() -> tuple[int, dict[str, Any], str]:
            # requestJsonAndCheck also reaches a GraphQL URL on another host (GITHUB_GRAPHQL_URL)
            try:
                headers, data = requester.requestJsonAndCheck("POST", self.graphql_url, input=payload)
            except GithubException as exc:
                return exc.status, dict(exc.headers or {}), json.dumps(exc.data) if exc.data is not None else ""
            return 200, headers, json.dumps(data) if data is not None else ""

        status, hdrs, output = self._raw(call)
        response = Response(status, hdrs, _decode(output))
        if "x-oauth-scopes" in hdrs:
            self.graphql_scopes = {s.strip() for s in hdrs["x-oauth-scopes"].split(",") if s.strip()}
        if status == 200 and isinstance(response.data, dict):
            limited = [e for e in response.data.get("errors") or []
                       if isinstance(e, dict) and e.get("type") == "RATE_LIMITED"]
            if limited:
                raise _Limited(self._reset_wait(hdrs, SECONDARY_DEFAULT_WAIT), "GraphQL rate limit exceeded")
        return response

    # ---- the policy --------------------------------------------------------------------------

    def _raw(self, call: Callable[[], tuple[int, dict[str, Any], str]]) -> tuple[int, dict[str, str], str]:
        import requests

        self.requests += 1
        try:
            status, headers, output = call()
        except requests.exceptions.RequestException as exc:
            raise _Lost(f"no answer ({type(exc).__name__})") from None
        hdrs = {str(k).lower(): str(v) for k, v in headers.items()}
        if status >= 500:
            raise _Lost(f"GitHub answered {status}")
        if status == 429 or (status == 403 and _is_rate_limited(hdrs, output)):
            secondary = "secondary" in output.lower() or "retry-after" in hdrs
            if "retry-after" in hdrs:
                wait = _float(hdrs["retry-after"], SECONDARY_DEFAULT_WAIT)
            else:
                wait = self._reset_wait(hdrs, SECONDARY_DEFAULT_WAIT)
            raise _Limited(wait, "secondary rate limit" if secondary else "rate limit exceeded")
        return status, hdrs, output

    def _reset_wait(self, hdrs: Mapping[str, str], default: float) -> float:
        if hdrs.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in hdrs:
            return max(0.0, _float(hdrs["x-ratelimit-reset"], 0.0) - self.clock()) + 1.0
        return default

    def _with_policy(self, resource: str, read: bool, what: str, send: Callable[[], Response]) -> Response:
        lost = 0
        limited = 0
        while True:
            self._wait_if_blocked(resource, what)
            try:
                response = send()
            except _Limited as exc:
                limited += 1
                # GitHub: if limited again, wait exponentially longer (a limited request was not applied)
                self._wait(exc.wait * (2 ** (limited - 1) if limited > 1 else 1), f"{what}: {exc.why}")
                continue
            except _Lost as exc:
                if read and lost < self.read_retries:
                    lost += 1
                    log.debug("%s: %s; reading again", what, exc)
                    self.sleep(0.2 * lost)
                    continue
                if read:
                    raise TransientBoardError(self.redact(
                        f"{what}: {exc}, {lost + 1} tries; is GitHub reachable (GITHUB_API_URL={self.api_url})?"
                    )) from None
                raise TransientBoardError(self.redact(f"{what}: {exc}; the board will be read again before "
                                                      "anything is repeated")) from None
            self._note_limits(resource, response.headers)
            log.debug("%s → %s", what, response.status)
            return response

    def _note_limits(self, resource: str, hdrs: Mapping[str, str]) -> None:
        """Remember an empty bucket, so the next request waits for the reset instead of being refused."""
        if hdrs.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in hdrs:
            res = hdrs.get("x-ratelimit-resource", resource)
            self._blocked_until[res] = _float(hdrs["x-ratelimit-reset"], 0.0) + 1.0

    def _wait_if_blocked(self, resource: str, what: str) -> None:
        until = self._blocked_until.pop(resource, 0.0)
        if until > self.clock():
            self._wait(until - self.clock(), f"{what}: the rate limit is used up until its reset")

    def _wait(self, seconds: float, why: str) -> None:
        seconds = max(0.0, seconds)
        if seconds > self.max_wait or self.waited + seconds > self.max_total_wait:
            at = time.strftime("%H:%M:%S UTC", time.gmtime(self.clock() + seconds))
            raise RateLimitedError(self.redact(
                f"{why}: GitHub asks us to wait {seconds:.0f} s (until about {at}), more than the "
                f"{self.max_wait:.0f} s we allow. Nothing is lost: run `sprint sync` again after that."))
        log.info("%s: waiting %.1f s as GitHub asks", why, seconds)
        self.waited += seconds
        self.sleep(seconds)


def _decode(output: str) -> Any:
    if not output:
        return None
    try:
        return json.loads(output)
    except ValueError:
        return {"message": output[:200]}


def _float(value: str, default: float) -> float:
    try:
        return float(value)
    except ValueError:
        return default


def _is_rate_limited(hdrs: Mapping[str, str], output: str) -> bool:
    text = output.lower()
    return ("rate limit" in text or "retry-after" in hdrs or hdrs.get("x-ratelimit-remaining") == "0")


def path_of(url: str) -> str:
    """The path (and query) of an absolute API URL."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
