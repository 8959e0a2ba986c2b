"""Effects: read a cohort's repositories from GitHub, through the one GitHub boundary (``Transport``).

A **cold** read (no earlier look in the cache) asks for the full ``Learner`` view of 50 repositories
per GraphQL document: listed repositories as aliases, an organization's or a topic's as pages of a
connection — so a cohort of 1,000 is read in 20 requests. A **warm** read asks first for the
``Stamp`` view of 100 repositories per document and reads in full only those whose stamp changed
since the last look (50 per document): a cohort where nothing changed costs 10 requests per 1,000.
Everything goes through GraphQL; no REST call is needed (so no ETag is either).

Every page read is saved in the cache (:class:`~tracker.cohort.store.Store`) before the next request.
Within a run, :class:`~tracker.boards.github.transport.Transport` retries a read that got no answer
or a 5xx, and waits out rate limits (``Retry-After``, ``x-ratelimit-reset``) — repeating only the
request that failed. If it gives up, the read stops with a message, and the next ``sprint cohort``
(within a few hours) resumes the same look: it asks only for what it does not have yet.

Per-repository problems (missing, private and hidden from the token, forbidden) are answers, not
errors: they become snapshots with a status and a message.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from tracker.boards.github.transport import GraphQLResult, Transport
from tracker.cohort.config import CohortFile
from tracker.cohort.queries import (
    FULL_BATCH,
    STAMP_BATCH,
    RepoSnapshot,
    View,
    batch_document,
    batch_variables,
    listing_document,
    parse_batch,
    parse_listing,
)
from tracker.cohort.store import Look, Store
from tracker.errors import BoardError, SprintError

__all__ = ["CohortReader", "ReadReport"]

log = logging.getLogger("tracker.cohort")
SEARCH_LIMIT = 1000

ListingKind = Literal["organization", "search"]


@dataclass
class ReadReport:
    """What a read produced: the look (its repositories are in the store) and how much it cost."""

    look: Look
    previous: Look | None
    mode: str
    resumed: bool = False
    requests: int = 0  # HTTP requests this run sent (retries included)
    read_in_full: int = 0  # repositories read in full this run
    problems: list[str] = field(default_factory=list)  # about sources (an organization, a topic), not repositories


class CohortReader:
    """Reads ``cohort`` into a new look of ``store``. One instance, one read."""

    def __init__(self, transport: Transport, store: Store, cohort: CohortFile, *, key: str, day: dt.date,
                 fresh: bool = False, progress: Callable[[str], None] | None = None) -> None:
        self.t = transport
        self.store = store
        self.cohort = cohort
        self.key = key
        self.day = day
        self.fresh = fresh
        self.progress = progress or (lambda _text: None)
        self._excluded = {e.lower() for e in cohort.exclude}
        self._done: dict[str, str] = {}  # repo → stamp, of this look
        self._previous: dict[str, tuple[str, str]] = {}  # repo → (stamp, blob) of the last look
        self._full = 0
        self._base = 0

    # ---- the read ----------------------------------------------------------------------------------

    def read(self) -> ReadReport:
        previous = self.store.last_finished(self.key)  # what changed is told against it, --fresh or not
        look = None if self.fresh else self.store.resumable(self.key)
        resumed = look is not None
        if look is None:
            look = self.store.begin(self.key, "warm" if previous and not self.fresh else "cold",
                                    {"todo": [], "sources": {}, "problems": []}, self.day)
        else:
            previous = self.store.last_finished(self.key, excluding=look.id)
        if look.mode == "warm" and previous is not None:
            self._previous = self.store.stamps(previous.id)
        self._done = {repo: stamp for repo, (stamp, _) in self.store.stamps(look.id).items()}
        self._base = look.requests  # requests of the earlier, stopped run of this look
        view: View = "full" if look.mode == "cold" else "stamp"
        try:
            self._listed(look, view)
            if self.cohort.organization and not self.cohort.topic:
                self._listing(look, "organization", {"login": self.cohort.organization}, view)
            if self.cohort.search_query:
                self._listing(look, "search", {"q": self.cohort.search_query}, view)
            self._read_todo(look)
        except SprintError as exc:
            self.store.save_plan(look, self._base + self.t.requests)
            said = str(exc).replace("run `sprint sync` again", "run `sprint cohort` again")  # the transport's words
            message = (f"{said} — {len(self._done)} repositories are read and kept; run `sprint cohort` again to "
                       "continue from there (nothing read is asked for again)")
            try:
                error = type(exc)(message)
            except TypeError:
                error = BoardError(message)
            raise error from None
        self.store.finish(look, self._base + self.t.requests)
        return ReadReport(look=look, previous=previous, mode=look.mode,
                          resumed=resumed, requests=self.t.requests, read_in_full=self._full,
                          problems=list(look.plan.get("problems", [])))

    # ---- sources -----------------------------------------------------------------------------------

    def _listed(self, look: Look, view: View) -> None:
        todo = {n.lower() for n in look.plan.get("todo", [])}
        names = [lr.repo for lr in self.cohort.learners if lr.repo.lower() not in self._done
                 and lr.repo.lower() not in todo]
        size = FULL_BATCH if view == "full" else STAMP_BATCH
        for start in range(0, len(names), size):
            batch = names[start:start + size]
            self.progress(f"reading {start + 1}–{start + len(batch)} of {len(names)} listed repositories")
            result = self._query(batch_document(len(batch), view), batch_variables(batch),
                                 f"reading repositories {start + 1}–{start + len(batch)} of the cohort")
            self._take(look, parse_batch(batch, result.data, result.errors, view), view)

    def _listing(self, look: Look, kind: ListingKind, variables: dict[str, Any], view: View) -> None:
        sources: dict[str, Any] = look.plan.setdefault("sources", {})
        state = sources.setdefault(kind, {"cursor": None, "done": False})
        what = (f"organization {self.cohort.organization}" if kind == "organization"
                else f"repositories with topic {self.cohort.topic}")
        while not state["done"]:
            self.progress(f"reading the {what}" + (" (next page)" if state["cursor"] else ""))
            result = self._query(listing_document(kind, view), {**variables, "after": state["cursor"]},
                                 f"listing the {what}", allow_empty=True)
            page = parse_listing(kind, result.data, result.errors, view)
            if page.problem is not None:
                look.plan.setdefault("problems", []).append(f"{what}: {page.problem}")
                state["done"] = True
                break
            if kind == "search" and page.total > SEARCH_LIMIT and state["cursor"] is None:
                look.plan.setdefault("problems", []).append(
                    f"{what}: {page.total} repositories match, GitHub's search returns the first {SEARCH_LIMIT}: "
                    "list the others under `repositories:` or use `organization:` alone")
            if kind == "search" and page.total == 0 and state["cursor"] is None:
                look.plan.setdefault("problems", []).append(f"{what}: no repository found (is the topic set on "
                                                            "the learners' repositories, and may this token see "
                                                            "them?)")
            queued = {n.lower() for n in look.plan.get("todo", [])}
            fresh = [s for s in page.snapshots if s.key not in self._excluded and s.key not in self._done
                     and s.key not in queued]
            state["cursor"] = page.next_cursor
            state["done"] = page.next_cursor is None
            self._take(look, fresh, view)

    def _read_todo(self, look: Look) -> None:
        names = [n for n in look.plan.get("todo", []) if n.lower() not in self._done]
        for start in range(0, len(names), FULL_BATCH):
            batch = names[start:start + FULL_BATCH]
            self.progress(f"reading {start + 1}–{start + len(batch)} of {len(names)} changed repositories")
            result = self._query(batch_document(len(batch), "full"), batch_variables(batch),
                                 f"reading {len(batch)} changed repositories")
            self._take(look, parse_batch(batch, result.data, result.errors, "full"), "full")

    # ---- helpers -----------------------------------------------------------------------------------

    def _query(self, document: str, variables: dict[str, Any], what: str, *,
               allow_empty: bool = False) -> GraphQLResult:
        result = self.t.graphql(document, variables, what=what, partial=True)
        if not result.data and result.errors and not allow_empty:
            located = [e for e in result.errors if e.get("path")]
            if not located:  # the document itself was refused (an old GitHub Enterprise, say)
                first = result.errors[0]
                raise BoardError(self.t.redact(f"{what}: GitHub refused the query: "
                                               f"{first.get('message') or first.get('type')}"))
        return result

    def _take(self, look: Look, snaps: list[RepoSnapshot], view: View) -> None:
        """Keep what this page settled (read in full, failed, or unchanged since the last look); queue the
        rest for a full read. Saved before the next request."""
        new: list[RepoSnapshot] = []
        reused: list[RepoSnapshot] = []
        reuse: dict[str, str] = {}
        todo: list[str] = look.plan.setdefault("todo", [])
        for snap in snaps:
            if snap.key in self._done:
                continue
            if view == "full" or snap.status != "ok":
                new.append(snap)
                self._full += view == "full" and snap.status == "ok"
            elif snap.key in self._previous and self._previous[snap.key][0] == snap.stamp:
                reused.append(snap)
                reuse[snap.key] = self._previous[snap.key][1]
            else:
                if snap.repo not in todo:
                    todo.append(snap.repo)
                continue
            self._done[snap.key] = snap.stamp
        if new:
            self.store.put(look, new)
        if reused:
            self.store.put(look, reused, reuse=reuse)
        self.store.save_plan(look, self._base + self.t.requests)
