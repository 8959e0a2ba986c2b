"""``sprint release``: a finished quarter becomes a tag, a release with real numbers, and a README post.

When every sprint of a quarter is Done:

* an **annotated tag** ``v0.N`` on the graded commit (the commit recorded with the quarter's latest
  passing results) — through GitHub's API (``git/tags`` + ``git/refs``) when a repository is
  configured; else ``git tag -a`` in the workspace if it is a git repository; else the release is
  recorded on the local board only, and the report says so;
* a **GitHub release** whose notes (``templates/release_notes.md.j2``) hold the dates, the sprints
  with links to their closed issues, and a table of the measured metrics;
* the README's **progress section** between ``<!-- llm-sprint:progress:start -->`` and ``…:end -->``
  (``templates/progress_section.md.j2``) with a progress chart drawn as SVG (``tracker.svg``).

Whether or not a quarter is finished, ``progress.json`` (``tracker.progress_record``) is refreshed
beside the README: the machine-readable record a mentor's ``sprint cohort`` reads.

Everything is checked for existence first, so a second run changes nothing. Creating requests are
never repeated blindly: after an unknown outcome the tag and release are looked up again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sqlite3
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graders.contract import GradeResult
from tracker.board_model import Release
from tracker.boards.local import LocalBoard
from tracker.errors import SyncError, TransientBoardError
from tracker.ledger import Ledger
from tracker.progress import roadmap_state
from tracker.progress_record import FILE_NAME as RECORD_FILE
from tracker.progress_record import build_record, write_record
from tracker.roadmap.models import Quarter, Roadmap
from tracker.scaffold import PROGRESS_END, PROGRESS_START
from tracker.status import QuarterState, RoadmapState
from tracker.svg import ChartRow, progress_chart
from tracker.sync.desired import WEEKS_PER_QUARTER, quarter_due
from tracker.templates import render
from tracker.workspace import Workspace

if TYPE_CHECKING:
    from tracker.boards.github.board import GitHubBoard
    from tracker.sync.github import GitHubTarget

__all__ = ["CHART_FILE", "QuarterRelease", "ReleaseOutcome", "ReleaseReport", "release", "update_readme"]

CHART_FILE = "progress.svg"
ATTEMPTS = 4


@dataclass
class QuarterRelease:
    """A finished quarter and what its release is made of (pure data)."""

    quarter: Quarter
    index: int
    state: QuarterState
    results: list[GradeResult]
    sha: str | None  # the graded commit, when the results recorded one
    done_on: dt.date | None

    @property
    def tag(self) -> str:
        return self.quarter.release

    @property
    def name(self) -> str:
        return f"{self.tag} — {self.quarter.id} {self.quarter.title}"

    def notes(self, roadmap: Roadmap, issues: Mapping[str, tuple[int, str]], sha: str | None) -> str:
        started = roadmap.start_date + dt.timedelta(weeks=WEEKS_PER_QUARTER * self.index)
        sprints = []
        for s in self.state.sprints:
            number, url = issues.get(s.id, (0, ""))
            done, total = s.progress
            sprints.append({"id": s.id, "title": s.title, "number": number, "url": url, "done": done, "total": total})
        return render("release_notes.md.j2", quarter=self.quarter, started=started,
                      due=quarter_due(roadmap, self.index), done_on=self.done_on, sha=sha, sprints=sprints,
                      results=self.results)

    def highlights(self) -> list[str]:
        out = []
        for r in self.results:
            c = next((c for c in r.checks if c.threshold and c.status == "pass"), None)
            if c is not None:
                out.append(f"`{r.slug}` {c.name} {c.display or c.measured}")
        return out[:4]


@dataclass
class ReleaseOutcome:
    quarter: str
    tag: str
    where: str  # "github", "git", "local board"
    tag_state: str  # "created", "exists", "planned", "not tagged"
    release_state: str  # "created", "exists", "planned", "recorded"
    sha: str | None = None
    message: str = ""


@dataclass
class ReleaseReport:
    dry_run: bool
    releases: list[ReleaseOutcome] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    readme: str = "unchanged"
    progress: str = "unchanged"  # progress.json: "updated", "unchanged", "would be updated"
    chart: str | None = None
    notes: list[str] = field(default_factory=list)
    requests: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "releases": [dataclasses.asdict(o) for o in self.releases],
                "pending": self.pending, "readme": self.readme, "progress": self.progress, "chart": self.chart,
                "notes": self.notes, "requests": self.requests}


# ---- what to release (pure) --------------------------------------------------------------------


def finished_quarters(roadmap: Roadmap, state: RoadmapState) -> list[QuarterRelease]:
    out = []
    for index, (quarter, qstate) in enumerate(zip(roadmap.quarters, state.quarters, strict=True)):
        if not qstate.done:
            continue
        results = [e.last for s in qstate.sprints for e in s.exercises if e.last is not None and e.passed]
        stamped = [r for r in results if r.started_at is not None]
        latest = max(stamped, key=lambda r: r.started_at or dt.datetime.min) if stamped else None
        commits = [r for r in sorted(stamped, key=lambda r: r.started_at or dt.datetime.min, reverse=True) if r.commit]
        sha = commits[0].commit.removesuffix("+dirty") if commits and commits[0].commit else None
        done_on = latest.started_at.date() if latest is not None and latest.started_at is not None else None
        out.append(QuarterRelease(quarter, index, qstate, results, sha, done_on))
    return out


def progress_rows(state: RoadmapState, released: set[str]) -> list[ChartRow]:
    rows = []
    for q in [*state.quarters, *state.tracks]:
        if not q.sprints:
            continue
        cols = [s.column for s in q.sprints]
        label = f"{q.id} — {q.title}" if not q.id.startswith("track") else f"Track {q.id.split()[-1]} — {q.title}"
        if len(label) > 34:
            label = label[:33] + "…"
        rows.append(ChartRow(label, cols.count("Done"), cols.count("In Progress"), cols.count("To Learn"),
                             f"{q.release} ✓" if q.release in released else ""))
    return rows


def progress_section(state: RoadmapState, finished: list[QuarterRelease], links: Mapping[str, str]) -> str:
    released = {f.tag: f for f in finished}
    quarters = []
    for q in state.quarters:
        f = released.get(q.release)
        done = sum(s.column == "Done" for s in q.sprints)
        quarters.append({"id": q.id, "title": q.title, "done": done, "total": len(q.sprints), "tag": q.release,
                         "released": f is not None, "link": links.get(q.release, ""),
                         "done_on": f.done_on if f else None, "highlights": f.highlights() if f else []})
    sprints = state.sprints()
    return render("progress_section.md.j2", start=PROGRESS_START, end=PROGRESS_END, title=state.title,
                  done=sum(s.column == "Done" for s in sprints), total=len(sprints), chart=CHART_FILE,
                  quarters=quarters).strip("\n")


def update_readme(text: str, section: str) -> str | None:
    """``text`` with the progress section replaced, or None when the markers are missing."""
    start, end = text.find(PROGRESS_START), text.find(PROGRESS_END)
    if start < 0 or end < start:
        return None
    return text[:start] + section + text[end + len(PROGRESS_END):]


# ---- effects ----------------------------------------------------------------------------------


def _git(root: Path, *args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30,
                          env={**os.environ, **(env or {})})


def _is_git_repo(root: Path) -> bool:
    try:
        p = _git(root, "rev-parse", "--show-toplevel")
    except (OSError, subprocess.SubprocessError):
        return False
    return p.returncode == 0 and Path(p.stdout.strip()).resolve() == root.resolve()


def _release_git(root: Path, fq: QuarterRelease, notes: str, dry_run: bool) -> ReleaseOutcome:
    exists = _git(root, "rev-parse", "-q", "--verify", f"refs/tags/{fq.tag}").returncode == 0
    if exists:
        return ReleaseOutcome(fq.quarter.id, fq.tag, "git", "exists", "recorded", fq.sha)
    sha = fq.sha if fq.sha and _git(root, "cat-file", "-e", f"{fq.sha}^{{commit}}").returncode == 0 else None
    if sha is None:
        head = _git(root, "rev-parse", "-q", "--verify", "HEAD^{commit}")
        sha = head.stdout.strip() if head.returncode == 0 else None
    if sha is None:
        return ReleaseOutcome(fq.quarter.id, fq.tag, "git", "not tagged", "recorded", None,
                              "the git repository has no commit yet: recorded on the local board only")
    if dry_run:
        return ReleaseOutcome(fq.quarter.id, fq.tag, "git", "planned", "planned", sha)
    ident: dict[str, str] = {}
    if not _git(root, "config", "user.email").stdout.strip():
        ident = {"GIT_COMMITTER_NAME": "llm-sprint", "GIT_COMMITTER_EMAIL": "llm-sprint@localhost"}
    made = _git(root, "tag", "-a", fq.tag, "-m", f"{fq.name}\n\n{notes}", sha, env=ident)
    if made.returncode != 0:
        raise SyncError(f"git tag {fq.tag} failed: {made.stderr.strip()[:300]}")
    return ReleaseOutcome(fq.quarter.id, fq.tag, "git", "created", "recorded", sha)


def _resolve_sha(board: GitHubBoard, fq: QuarterRelease, env: Mapping[str, str]) -> tuple[str, str]:
    """The commit to tag on GitHub: the graded one if GitHub knows it, else GITHUB_SHA, else the default branch."""
    if fq.sha and board.commit_exists(fq.sha):
        return fq.sha, ""
    actions_sha = env.get("GITHUB_SHA", "")
    if actions_sha and board.commit_exists(actions_sha):
        return actions_sha, "the graded commit is not on GitHub: tagged GITHUB_SHA"
    return board.default_branch_head(), ("the graded commit is not on GitHub (push it first to tag it): tagged the "
                                         "default branch's head" if fq.sha else "no graded commit recorded: tagged "
                                         "the default branch's head")


def _release_github(board: GitHubBoard, roadmap: Roadmap, fq: QuarterRelease, env: Mapping[str, str],
                    dry_run: bool, issues: Callable[[], Mapping[str, tuple[int, str]]]) -> tuple[ReleaseOutcome, str]:
    for _ in range(ATTEMPTS):
        try:
            tag_exists, release_exists = board.release_exists(fq.tag)
            if tag_exists and release_exists:
                return ReleaseOutcome(fq.quarter.id, fq.tag, "github", "exists", "exists", fq.sha), ""
            if dry_run:
                return ReleaseOutcome(fq.quarter.id, fq.tag, "github", "exists" if tag_exists else "planned",
                                      "planned", fq.sha), ""
            sha, why = (board.commit_of(fq.tag) or "", "") if tag_exists else _resolve_sha(board, fq, env)
            notes = fq.notes(roadmap, issues(), sha or None)
            created_tag, created_release = board.ensure_release_report(Release(tag=fq.tag, name=fq.name, notes=notes,
                                                                               sha=sha or None))
            return ReleaseOutcome(fq.quarter.id, fq.tag, "github", "created" if created_tag else "exists",
                                  "created" if created_release else "exists", sha or None, why), notes
        except TransientBoardError:
            continue  # look the tag and the release up again before creating anything
    raise SyncError(f"release {fq.tag}: GitHub did not answer reliably after {ATTEMPTS} attempts; run "
                    "`sprint release` again (what was created is kept, nothing is duplicated)")


def release(ws: Workspace, roadmap: Roadmap, conn: sqlite3.Connection, *, target: GitHubTarget | None = None,
            env: Mapping[str, str] | None = None, dry_run: bool = False, today: dt.date | None = None,
            sleep: Callable[[float], None] = time.sleep, cache_path: Path | None = None) -> ReleaseReport:
    """Release every finished quarter (idempotent) and refresh the README's progress section."""
    env = os.environ if env is None else env
    state = roadmap_state(ws, roadmap, conn, today=today)
    finished = finished_quarters(roadmap, state)
    report = ReleaseReport(dry_run=dry_run)
    report.pending = [f"{q.id}: {sum(s.column == 'Done' for s in q.sprints)}/{len(q.sprints)} sprints done"
                      for q in state.quarters if not q.done]
    record = build_record(roadmap, state, ever_passed=Ledger(conn).ever_passed(roadmap.profile))
    report.progress = write_record(ws.root / RECORD_FILE, record, dry_run=dry_run)
    if not finished:
        report.readme = "unchanged (no quarter is finished yet)"
        return report
    local = LocalBoard(conn, source="release")
    recorded = local.snapshot().releases
    board: GitHubBoard | None = None
    links: dict[str, str] = {}
    try:
        if target is not None:
            from tracker.sync.github import open_github_board

            plain = dataclasses.replace(target, project=None, create_project=None)
            board = open_github_board(plain, token=env.get("GITHUB_TOKEN", ""), sleep=sleep,
                                      cache_path=cache_path or ws.state_dir / "github-cache.json")
            server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
            links = {f.tag: f"{server}/{target.repo}/releases/tag/{f.tag}" for f in finished}
            gh = board
            cached: dict[str, tuple[int, str]] = {}

            def issues() -> Mapping[str, tuple[int, str]]:
                if not cached:
                    snap = gh.snapshot()
                    cached.update({sid: (int(it.key), it.url or "") for sid, it in snap.items.items()})
                return cached

            for fq in finished:
                outcome, notes = _release_github(gh, roadmap, fq, env, dry_run, issues)
                report.releases.append(outcome)
                if not dry_run and fq.tag not in recorded:
                    local.ensure_release(Release(tag=fq.tag, name=fq.name, notes=notes or fq.notes(roadmap, {}, fq.sha),
                                                 sha=outcome.sha))
        else:
            git = _is_git_repo(ws.root)
            for fq in finished:
                notes = fq.notes(roadmap, {}, fq.sha)
                if git:
                    outcome = _release_git(ws.root, fq, notes, dry_run)
                else:
                    outcome = ReleaseOutcome(
                        fq.quarter.id, fq.tag, "local board", "not tagged",
                        "exists" if fq.tag in recorded else ("planned" if dry_run else "recorded"), fq.sha,
                        f"{ws.root} is not a git repository: {fq.tag} is recorded on the local board only "
                        "(no git tag); run `git init` and commit, or configure [github] repo, to tag it")
                report.releases.append(outcome)
                if not dry_run and fq.tag not in recorded:
                    local.ensure_release(Release(tag=fq.tag, name=fq.name, notes=notes, sha=outcome.sha))
    finally:
        if board is not None:
            report.requests = board.t.requests
            board.t.close()
    report.notes = [o.message for o in report.releases if o.message]
    _refresh_readme(ws, state, finished, links, report)
    return report


def _refresh_readme(ws: Workspace, state: RoadmapState, finished: list[QuarterRelease], links: Mapping[str, str],
                    report: ReleaseReport) -> None:
    readme = ws.root / "README.md"
    chart_path = ws.root / CHART_FILE
    text = readme.read_text(encoding="utf-8") if readme.is_file() else None
    new = update_readme(text, progress_section(state, finished, links)) if text is not None else None
    if new is None:
        report.readme = "not updated: README.md has no progress markers " \
                        f"({PROGRESS_START} … {PROGRESS_END})"
        return
    chart = progress_chart(progress_rows(state, {f.tag for f in finished}), title=state.title)
    chart_old = chart_path.read_text(encoding="utf-8") if chart_path.is_file() else None
    report.chart = CHART_FILE
    changed = new != text or chart != chart_old
    if report.dry_run:
        report.readme = "would be updated" if changed else "unchanged"
        return
    if chart != chart_old:
        chart_path.write_text(chart, encoding="utf-8")
    if new != text:
        readme.write_text(new, encoding="utf-8")
    report.readme = "updated" if changed else "unchanged"
