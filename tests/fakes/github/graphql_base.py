"""The building blocks of the fake's GraphQL views.

A :class:`View` is a dict from field name to value; a callable value is called with the
field's arguments (``items=paged(lambda: project.items, self.item)``), so nothing is computed
unless the document asks for it. A field the document asks for but the view does not define
raises :class:`FieldNotModelled` — the fake says so instead of quietly answering ``null``.

Resolvers raise :class:`GitHubError` for answers GitHub gives as GraphQL errors
(``NOT_FOUND``, ``FORBIDDEN``, ``UNPROCESSABLE`` …); the executor keeps the partial data.
Connections (:func:`connection`, :func:`paged`) follow Relay with GitHub's opaque
``cursor:v2:N`` cursors; an unreadable cursor is ``INVALID_CURSOR_ARGUMENTS``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from .auth import Token
from .limits import Bucket
from .routing import Urls
from .state import Account, FakeState, iso

T = TypeVar("T")


class View(dict[str, Any]):
    """A GraphQL object; ``__typename`` names its concrete type for unions and interfaces."""


class GitHubError(Exception):
    """A GraphQL error the way GitHub reports it: ``{"type": ..., "message": ...}``."""

    def __init__(self, type_: str, message: str) -> None:
        super().__init__(message)
        self.type = type_
        self.message = message


class FieldNotModelled(Exception):
    """The document asked for a schema-valid field the fake does not model (yet)."""


@dataclass
class GraphQLContext:
    state: FakeState
    token: Token
    actor: Account
    urls: Urls
    bucket: Bucket
    cost: int
    node_count: int


def encode_cursor(index: int) -> str:
    return base64.b64encode(f"cursor:v2:{index}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.b64decode(cursor, validate=True).decode()
        prefix, _, number = text.rpartition(":")
        if prefix != "cursor:v2":
            raise ValueError(cursor)
        return int(number)
    except ValueError:
        raise GitHubError("INVALID_CURSOR_ARGUMENTS", f"`{cursor}` does not appear to be a valid cursor.") from None


def connection(
    items: Sequence[T],
    render: Callable[[T], View],
    first: int | None = None,
    last: int | None = None,
    after: str | None = None,
    before: str | None = None,
) -> View:
    """A Relay connection over ``items`` (``edges``, ``nodes``, ``pageInfo``, ``totalCount``)."""
    start, end = 0, len(items)
    if after is not None:
        start = max(start, decode_cursor(after) + 1)
    if before is not None:
        end = min(end, decode_cursor(before))
    if first is not None:
        end = min(end, start + first)
    if last is not None:
        start = max(start, end - last)
    window = range(start, max(start, end))
    nodes = [render(items[i]) for i in window]
    return View(
        edges=[View(cursor=encode_cursor(i), node=n) for i, n in zip(window, nodes, strict=True)],
        nodes=nodes,
        totalCount=len(items),
        pageInfo=View(
            hasNextPage=window.stop < len(items),
            hasPreviousPage=window.start > 0,
            startCursor=encode_cursor(window.start) if nodes else None,
            endCursor=encode_cursor(window.stop - 1) if nodes else None,
        ),
    )


def paged(items: Callable[[], Sequence[T]], render: Callable[[T], View]) -> Callable[..., View]:
    """A connection field: ``items`` is read when the document asks for the field."""

    def resolve(
        first: int | None = None,
        last: int | None = None,
        after: str | None = None,
        before: str | None = None,
        **_: Any,
    ) -> View:
        return connection(items(), render, first, last, after, before)

    return resolve


def iso_epoch(epoch: int) -> str:
    return iso(datetime.fromtimestamp(epoch, UTC)) or ""
