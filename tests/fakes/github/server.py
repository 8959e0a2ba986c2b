"""The fake GitHub as a real HTTP server on 127.0.0.1, and the handle tests hold.

:class:`FakeGitHub` owns a :class:`ThreadingHTTPServer` on an ephemeral loopback port, the state,
limits, counters, faults and problem lists. ``start()``/``stop()`` (or ``with``) bound its
life; ``stop()`` closes every open connection and joins every thread it started, so a test
ends with no thread left behind.

Layouts: ``"dotcom"`` serves REST at ``/`` and GraphQL at ``/graphql`` (api.github.com);
``"ghes"`` serves REST at ``/api/v3`` and GraphQL at ``/api/graphql`` (GitHub Enterprise
Server). PyGithub derives the GraphQL URL from ``base_url`` the same way in both.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from .auth import ACTIONS_PERMISSIONS, DEFAULT_SCOPES, Token, TokenKind
from .dispatch import Dispatcher, Outcome, Problems
from .faults import Faults
from .limits import Counters, Limits
from .routing import Urls
from .snapshot import duplicates, snapshot
from .state import Account, AccountType, FakeState, Repository

if TYPE_CHECKING:
    from github import Github

Layout = Literal["dotcom", "ghes"]

DEFAULT_LOGIN = "octo-learner"
DEFAULT_REPO = "roadmap"


class _Handler(BaseHTTPRequestHandler):
    """Reads one request, asks the dispatcher, writes the outcome (or drops the connection)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls between header and body writes
    wbufsize = -1  # headers and body leave in one write; handle_one_request flushes
    timeout = 30  # idle keep-alive connections give up eventually; stop() closes them at once
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        outcome = self.server.dispatcher.dispatch(self.command, self.path, self.headers, body)
        if outcome.drop:
            self.close_connection = True
            return
        self._write(outcome)

    def _write(self, outcome: Outcome) -> None:
        self.send_response(outcome.status)
        for key, value in outcome.headers.items():
            self.send_header(key, value)
        data = outcome.body or b""
        if outcome.status != 304:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read counters instead
        pass


class _Server(ThreadingHTTPServer):
    """Tracks open connections so ``stop()`` can close them and join their threads."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, addr = super().get_request()
        with self._open_lock:
            self._open.add(conn)
        return conn, addr

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._open_lock:
            conns = list(self._open)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class FakeGitHub:
    """A fake GitHub (REST + GraphQL) for tests. See ``README.md`` for the whole tour.

    After :meth:`start`: :attr:`url` is the REST base URL to give PyGithub's ``base_url`` or
    ``GITHUB_API_URL``, :attr:`graphql_url` the GraphQL endpoint (``GITHUB_GRAPHQL_URL``) and
    :attr:`token` a classic token of :attr:`login` with scopes ``repo, project, read:org, workflow``.
    A user ``octo-learner`` with a public repository ``octo-learner/roadmap`` exists from the start.
    """

    def __init__(self, *, layout: Layout = "dotcom", seed: bool = True) -> None:
        self.layout = layout
        self.state = FakeState()
        self.limits = Limits()
        self.counters = Counters()
        self.faults = Faults()
        self.problems = Problems()
        self.tokens: dict[str, Token] = {}
        self._token_numbers = itertools.count(1)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._clients: list[Github] = []
        self.rest_prefix = "/api/v3" if layout == "ghes" else ""
        self.graphql_path = "/api/graphql" if layout == "ghes" else "/graphql"
        self.login = DEFAULT_LOGIN
        self.token = ""
        if seed:
            self.seed_user(DEFAULT_LOGIN)
            self.token = self.add_token(DEFAULT_LOGIN)
            self.seed_repo(f"{DEFAULT_LOGIN}/{DEFAULT_REPO}")

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        if self._server is not None:
            return self
        dispatcher = Dispatcher(
            state=self.state,
            limits=self.limits,
            counters=self.counters,
            faults=self.faults,
            problems=self.problems,
            tokens=self.tokens,
            urls=Urls(api="", web=""),
            rest_prefix=self.rest_prefix,
            graphql_path=self.graphql_path,
        )
        self._server = _Server(dispatcher)
        dispatcher.urls = Urls(api=self.url, web=self.origin)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-github", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close clients made by :meth:`github`, every connection and every server thread."""
        for client in self._clients:
            client.close()
        self._clients.clear()
        if self._server is None:
            return
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()  # joins the per-connection threads
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ---- addresses ---------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake GitHub is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        """REST base URL (``GITHUB_API_URL``), no trailing slash."""
        return self.origin + self.rest_prefix

    @property
    def graphql_url(self) -> str:
        """GraphQL endpoint (``GITHUB_GRAPHQL_URL``)."""
        return self.origin + self.graphql_path

    def env(self) -> dict[str, str]:
        """``GITHUB_API_URL``, ``GITHUB_GRAPHQL_URL`` and ``GITHUB_TOKEN`` pointing at the fake."""
        return {"GITHUB_API_URL": self.url, "GITHUB_GRAPHQL_URL": self.graphql_url, "GITHUB_TOKEN": self.token}

    # ---- seeding -----------------------------------------------------------------------------

    def seed_user(self, login: str, *, name: str | None = None) -> Account:
        with self.state.lock:
            return self.state.add_account(login, "User", name)

    def seed_org(self, login: str, *, members: Iterable[str] = ()) -> Account:
        with self.state.lock:
            org = self.state.add_account(login, "Organization")
            org.members.update(members)
            return org

    def seed_repo(
        self, full_name: str, *, private: bool = False, default_branch: str = "main", owner_type: AccountType = "User"
    ) -> Repository:
        """A repository with one commit on ``default_branch`` (its owner is created if needed)."""
        owner_login, name = full_name.split("/", 1)
        with self.state.lock:
            owner = self.state.account(owner_login) or self.state.add_account(owner_login, owner_type)
            return self.state.add_repo(owner, name, private=private, default_branch=default_branch)

    def seed_file(self, full_name: str, path: str, text: str | None, *, message: str = "") -> str:
        """Commit ``text`` at ``path`` on the repository's default branch (``None`` deletes); the new commit's sha."""
        owner, name = full_name.split("/", 1)
        with self.state.lock:
            repo = self.state.repo(owner, name)
            if repo is None:
                raise LookupError(f"no repository {full_name}")
            return self.state.set_file(repo, path, text, message).sha

    def add_token(self, login: str, *, scopes: Iterable[str] = DEFAULT_SCOPES, kind: TokenKind = "classic") -> str:
        """Register a token for ``login`` (created as a user, or a bot for installations)."""
        with self.state.lock:
            if self.state.account(login) is None:
                self.state.add_account(login, "Bot" if kind == "installation" else "User")
        prefix = "ghs" if kind == "installation" else "ghp"
        value = f"{prefix}_fake{next(self._token_numbers):04d}"
        self.tokens[value] = Token(value, login, frozenset(scopes), kind)
        return value

    def actions_token(self) -> str:
        """A token like Actions' ``GITHUB_TOKEN`` (issues and contents write, no user projects)."""
        return self.add_token("github-actions[bot]", scopes=ACTIONS_PERMISSIONS, kind="installation")

    # ---- reading back ------------------------------------------------------------------------

    @property
    def repo(self) -> Repository:
        """The default repository ``octo-learner/roadmap``."""
        found = self.state.repo(DEFAULT_LOGIN, DEFAULT_REPO)
        if found is None:
            raise LookupError("the default repository was not seeded")
        return found

    @property
    def contract_violations(self) -> list[str]:
        """Responses of the *fake* that break the contract (the fixture fails the test on any)."""
        return self.problems.contract_violations

    @property
    def client_violations(self) -> list[str]:
        """Requests of the *client* that broke the contract (answered 422)."""
        return self.problems.client_violations

    @property
    def unsupported(self) -> list[str]:
        """Routes or GraphQL fields the fake does not model, and fake crashes."""
        return self.problems.unsupported

    def take_client_violations(self) -> list[str]:
        """Return and clear the client violations (for tests that provoke them on purpose)."""
        taken = list(self.problems.client_violations)
        self.problems.client_violations.clear()
        return taken

    def assert_clean(self) -> None:
        """Fail if the fake misbehaved, the client broke the contract, or something was unmodelled."""
        lines = [f"fake response broke the contract: {v}" for v in self.contract_violations]
        lines += [f"client request broke the contract: {v}" for v in self.client_violations]
        lines += [f"not modelled by the fake: {v}" for v in self.unsupported]
        if lines:
            raise AssertionError("fake GitHub problems:\n  " + "\n  ".join(lines))

    def snapshot(self, *, with_numbers: bool = False) -> dict[str, Any]:
        """Plain, run-independent data of the whole state (see :mod:`snapshot`)."""
        return snapshot(self.state, with_numbers=with_numbers)

    def duplicates(self) -> dict[str, int]:
        """Issues sharing a sprint marker (or title) and project items sharing content."""
        return duplicates(self.state)

    # ---- clients -----------------------------------------------------------------------------

    def github(self, token: str | None = None, **kwargs: Any) -> Github:
        """A real PyGithub client for the fake, closed by :meth:`stop`.

        PyGithub's defaults stay (including its retry policy) except the client-side throttle
        (0.25 s between requests, 1 s between writes), which only slows tests down.
        """
        from github import Auth, Github

        kwargs.setdefault("seconds_between_requests", None)
        kwargs.setdefault("seconds_between_writes", None)
        client = Github(auth=Auth.Token(token or self.token), base_url=self.url, **kwargs)
        self._clients.append(client)
        return client
