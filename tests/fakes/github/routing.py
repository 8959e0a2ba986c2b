"""The vocabulary shared by the REST handlers and the server: routes, calls, replies, errors.

A :class:`Route` binds ``METHOD /template/{param}`` to a handler and, when the operation is in
the contract subset, to its ``operation_id`` — those requests and responses are validated;
routes with ``operation_id=None`` are *unvalidated: not in the contract subset* and follow
GitHub's documented shapes by hand. A template parameter written ``{name+}`` spans several
path segments (``git/ref/{ref+}`` matches ``git/ref/tags/v0.1``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote, urlencode

from .auth import Token
from .limits import Limits
from .state import Account, FakeState, Repository

DOCS = "https://docs.github.com/rest"


@dataclass(frozen=True)
class Urls:
    """Where the fake lives: ``api`` is the REST base (no trailing slash), ``web`` the html host."""

    api: str
    web: str


@dataclass
class Context:
    """Per-request facts a handler may use (the state lock is held while it runs)."""

    state: FakeState
    urls: Urls
    token: Token
    actor: Account
    api_version: str
    limits: Limits


class ApiError(Exception):
    """A GitHub-shaped error answer: ``{"message", "documentation_url", "status", "errors"?}``."""

    def __init__(
        self, status: int, message: str, *, errors: list[dict[str, Any]] | None = None, docs: str = DOCS
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.docs = docs

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "documentation_url": self.docs, "status": str(self.status)}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def validation_failed(resource: str, field_name: str, code: str, **extra: Any) -> ApiError:
    error = {"resource": resource, "field": field_name, "code": code, **extra}
    return ApiError(422, "Validation Failed", errors=[error])


@dataclass
class Call:
    """One REST request as a handler sees it."""

    ctx: Context
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    method: str = "GET"
    path: str = ""

    def repo(self) -> Repository:
        """The repository of the path; 404 when absent or private and hidden from this token (GitHub's way)."""
        repo = self.ctx.state.repo(self.params["owner"], self.params["repo"])
        token = self.ctx.token
        if repo is None or not repo.readable_by(token.login, token.scopes, token.kind):
            raise not_found()
        return repo

    def int_param(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise not_found() from None


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Reply]
WriteArea = Literal["issues", "contents"]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    operation_id: str | None = None
    #: repository area a write needs permission for; ``None`` for reads
    write_area: WriteArea | None = None
    #: counts as content creation for the secondary limit
    creates: bool = False
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pattern = re.sub(
            r"\{(\w+)(\+?)\}",
            lambda m: f"(?P<{m.group(1)}>{'.+' if m.group(2) else '[^/]+'})",
            self.template,
        )
        object.__setattr__(self, "regex", re.compile(f"^{pattern}$"))

    @property
    def key(self) -> str:
        """``"GET /repos/{owner}/{repo}"`` — the name counters and fault predicates use."""
        return f"{self.method} {self.template.replace('+}', '}')}"


def match(routes: Sequence[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The first route (routes are ordered most specific first) matching ``method`` and ``path``."""
    for route in routes:
        if route.method != method:
            continue
        m = route.regex.match(path)
        if m:
            return route, {k: unquote(v) for k, v in m.groupdict().items()}
    return None


def paginate(call: Call, items: Sequence[Any]) -> Reply:
    """One page of ``items`` per ``per_page``/``page`` (default 30, max 100) with a ``Link`` header.

    Links are absolute and keep the other query parameters, as GitHub's do; they carry
    ``rel="next"``/``"last"`` while pages remain and ``rel="prev"``/``"first"`` after the first.
    """
    try:
        per_page = min(100, max(1, int(call.query.get("per_page", "30"))))
        page = max(1, int(call.query.get("page", "1")))
    except ValueError:
        per_page, page = 30, 1
    last = max(1, -(-len(items) // per_page))

    def link(number: int, rel: str) -> str:
        query = {**call.query, "page": str(number)}
        return f'<{call.ctx.urls.api}{call.path}?{urlencode(query)}>; rel="{rel}"'

    links = []
    if page > 1:
        links.append(link(page - 1, "prev"))
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    if page > 1:
        links.append(link(1, "first"))
    headers = {"Link": ", ".join(links)} if links else {}
    return Reply(200, list(items[(page - 1) * per_page : page * per_page]), headers)
