"""One look at a cohort: open the file and its roadmap, read GitHub (or the cache), build the views.

The thin shell around the pure core — what ``sprint cohort`` and the dashboard's cohort screen call:

* :func:`open_cohort` — ``cohort.yaml`` and the roadmap it names, both validated (exit 2, nothing read);
* :func:`look` — read the repositories (:class:`~tracker.cohort.reader.CohortReader`; ``offline``: the
  last look from the cache instead), then the :class:`~tracker.cohort.model.CohortView`, and the
  changes since the previous look (:func:`~tracker.cohort.diff.changes`, the previous look rebuilt as
  of its own date);
* :func:`cohort_digest` — every learner's week against the last look before it (pure core:
  :mod:`tracker.digest`).

Endpoints and token come from the environment first (``GITHUB_API_URL``, ``GITHUB_GRAPHQL_URL``,
``GITHUB_TOKEN``), as everywhere in llm-sprint, then from the cohort file's ``github:``.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.cohort.config import CohortFile, load_cohort
from tracker.cohort.diff import Change, changes
from tracker.cohort.model import CohortView, LearnerView, Memo, build_view, learner_state
from tracker.cohort.queries import RepoSnapshot
from tracker.cohort.reader import CohortReader, ReadReport
from tracker.cohort.store import Look, Store
from tracker.digest import CohortDigest, LearnerDigest, cohort_next, learner_digest, week_window
from tracker.errors import RecordFormatError, UsageError
from tracker.progress_record import parse_record
from tracker.roadmap.loader import load_roadmap
from tracker.roadmap.models import Roadmap

__all__ = ["CohortLook", "cohort_digest", "cohort_key", "describe", "look", "open_cohort"]

DEFAULT_API = "https://api.github.com"
DB_FILE = "cohort.db"


@dataclass
class CohortLook:
    cohort: CohortFile
    roadmap: Roadmap
    view: CohortView
    look: Look
    previous: Look | None
    changes: list[Change]
    store: Store
    key: str
    read: ReadReport | None = None  # None: shown from the cache (offline)
    problems: list[str] = field(default_factory=list)  # about sources (an organization, a topic)

    def to_json(self) -> dict[str, Any]:
        data = self.view.to_json()
        data["changes"] = [c.to_json() for c in self.changes]
        data["problems"] = self.problems
        data["look"] = {
            "day": self.look.day.isoformat(),
            "at": self.look.finished_at.isoformat() if self.look.finished_at else None,
            "previous": self.previous.finished_at.isoformat() if self.previous and self.previous.finished_at
            else None,
            "previous_day": self.previous.day.isoformat() if self.previous else None,
            "mode": self.read.mode if self.read else "cache",
            "requests": self.read.requests if self.read else 0,
            "read_in_full": self.read.read_in_full if self.read else 0,
            "resumed": self.read.resumed if self.read else False,
            "repositories": len(self.view.learners) + len({line.repo for line in self.view.lines
                                                           if self.view.learner(line.repo) is None}),
        }
        return data

    @property
    def since(self) -> str:
        """The previous look, for people ("" when there is none)."""
        return describe(self.previous) if self.previous is not None else ""

    def close(self) -> None:
        self.store.close()


def describe(lk: Look) -> str:
    """``2026-11-22 09:12 UTC``, or ``2026-11-22 (read 2026-12-05 09:12 UTC)`` when the look was as of another day."""
    if lk.finished_at is None:
        return str(lk.day)
    at = lk.finished_at.strftime("%Y-%m-%d %H:%M UTC")
    return at if lk.finished_at.date() == lk.day else f"{lk.day} (read {at})"


def open_cohort(path: Path | str) -> tuple[CohortFile, Roadmap]:
    """The cohort file and its roadmap, validated (CohortFileError / RoadmapError: exit 2)."""
    cohort = load_cohort(path)
    return cohort, load_roadmap(cohort.roadmap_path)


def endpoints(cohort: CohortFile, env: Mapping[str, str]) -> tuple[str, str | None]:
    api = (env.get("GITHUB_API_URL") or cohort.github.api_url or DEFAULT_API).rstrip("/")
    return api, env.get("GITHUB_GRAPHQL_URL") or cohort.github.graphql_url


def cohort_key(cohort: CohortFile, api_url: str) -> str:
    """Which looks in the cache belong to this cohort: the server and the file's name."""
    return f"{api_url} {cohort.path.name}"


def _view(cohort: CohortFile, roadmap: Roadmap, snapshots: list[RepoSnapshot], today: dt.date,
          memo: Memo | None = None) -> CohortView:
    return build_view(roadmap, snapshots, title=cohort.title, today=today, start=cohort.start, names=cohort.names(),
                      order=[lr.repo for lr in cohort.learners], memo=memo)


def look(path: Path | str, *, today: dt.date, env: Mapping[str, str] | None = None, fresh: bool = False,
         offline: bool = False, sleep: Callable[[float], None] = time.sleep, max_wait: float = 120.0,
         progress: Callable[[str], None] | None = None) -> CohortLook:
    """Read the cohort (or, ``offline``, show its last look) and build the view. The caller closes it."""
    env = os.environ if env is None else env
    cohort, roadmap = open_cohort(path)
    api, graphql = endpoints(cohort, env)
    key = cohort_key(cohort, api)
    db = cohort.state_dir / DB_FILE
    transport: Any = None
    if not offline:  # a missing token is refused here, before anything is written
        from tracker.boards.github.transport import Transport

        transport = Transport(api_url=api, token=env.get("GITHUB_TOKEN", ""), graphql_url=graphql, sleep=sleep,
                              max_wait=max_wait, max_total_wait=max(max_wait, 300.0))
    elif not db.is_file():
        raise UsageError(f"{cohort.path}: no earlier look is cached ({db}); run `sprint cohort {cohort.path}` "
                         "once with a token first")
    store = Store(db)
    try:
        report: ReadReport | None = None
        blobs: dict[str, RepoSnapshot] = {}
        problems: list[str] = []
        if transport is None:
            current = store.last_finished(key)
            if current is None:
                raise UsageError(f"{cohort.path}: no earlier look is cached ({db}); run `sprint cohort "
                                 f"{cohort.path}` once with a token first")
            previous = store.last_finished(key, excluding=current.id)
        else:
            report = CohortReader(transport, store, cohort, key=key, day=today, fresh=fresh,
                                  progress=progress).read()
            current, previous, problems = report.look, report.previous, report.problems
        snapshots = store.snapshots(current.id, blobs)
        memo: Memo = {}
        view = _view(cohort, roadmap, snapshots, today, memo)
        before = None
        if previous is not None:
            before = _view(cohort, roadmap, store.snapshots(previous.id, blobs), previous.day, memo)
        return CohortLook(cohort=cohort, roadmap=roadmap, view=view, look=current, previous=previous,
                          changes=changes(before, view), store=store, key=key, read=report, problems=problems)
    except BaseException:
        store.close()
        raise
    finally:
        if transport is not None:
            transport.close()


# ---- the mentor's digest ------------------------------------------------------------------------------


def _baseline(lk: CohortLook, learner: LearnerView, day: dt.date,
              cache: dict[int, dict[str, RepoSnapshot]]) -> tuple[Look | None, Any]:
    """The last look as of a day before ``day`` and the learner's state in it (None: not there, unreadable)."""
    base = lk.store.last_finished(lk.key, before=day, excluding=lk.look.id)
    if base is None:
        return None, None
    snaps = cache.setdefault(base.id, {s.key: s for s in lk.store.snapshots(base.id)})
    snap = snaps.get(learner.repo.lower())
    if snap is None or snap.status != "ok" or snap.progress_text is None:
        return base, None
    try:
        record = parse_record(snap.progress_text)
    except RecordFormatError:
        return base, None
    return base, learner_state(lk.roadmap, record, base.day, learner.start)


def cohort_digest(lk: CohortLook, *, week: int | None = None) -> CohortDigest:
    """Each learner's week (the cohort's week ``week``, default the current one, when the file sets a start;
    else each learner's own current week) against the last look before that week began."""
    view = lk.view
    if week is not None and lk.cohort.start is None:
        raise UsageError("--week needs the cohort's `start:` in the cohort file (learners' own weeks differ)")
    cache: dict[int, dict[str, RepoSnapshot]] = {}
    digests: list[LearnerDigest] = []
    bases: set[str] = set()
    cohort_week = None
    if lk.cohort.start is not None:
        number = week if week is not None else max(1, view.week or 1)
        cohort_week = week_window(lk.cohort.start, number)
    for lv in view.learners:
        window = cohort_week or week_window(lv.start, max(1, lv.week))
        base, before = _baseline(lk, lv, window.start, cache)
        if base is not None and before is not None:
            bases.add(describe(base))
        digests.append(learner_digest(lk.roadmap, lv.state, window, before=before, who=lv.label))
    targets, common = cohort_next(lk.roadmap, digests)
    since = ""
    if len(bases) == 1:
        since = next(iter(bases))
    elif bases:
        since = "the last look before each learner's week"
    unread = [f"{line.repo}: {line.message}" for line in view.lines if line.kind != "private"]
    return CohortDigest(title=lk.cohort.title, week=cohort_week, today=view.today, learners=digests, unread=unread,
                        next_targets=targets, common_next=common, since=since)
