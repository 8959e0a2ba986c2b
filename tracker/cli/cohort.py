"""``sprint cohort`` (a mentor's view of many learners) and ``sprint digest`` (a learner's weekly review)."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from tracker.cli.common import JsonOption, WorkspaceOption, command_app
from tracker.cli.output import console, err_console, print_json
from tracker.errors import UsageError
from tracker.session import open_session

cli = command_app()

CohortArgument = Annotated[Path, typer.Argument(help="The cohort file (default: cohort.yaml here).",
                                                dir_okay=False)]


@cli.command("cohort")
def cohort_command(
    path: CohortArgument = Path("cohort.yaml"),
    json_: JsonOption = False,
    csv_: Annotated[bool, typer.Option("--csv", help="Print the learners × sprints table as CSV.")] = False,
    digest: Annotated[bool, typer.Option("--digest", help="Print the weekly review of the whole cohort "
                                                          "(markdown).")] = False,
    week: Annotated[int | None, typer.Option("--week", min=1, help="With --digest: the cohort's week N "
                                                                   "(needs `start:` in the cohort file).")] = None,
    fresh: Annotated[bool, typer.Option("--fresh", help="Read every repository in full, ignoring the cache.")] = False,
    offline: Annotated[bool, typer.Option("--offline", help="Show the last look from the cache; read nothing.")]
    = False,
) -> None:
    """Follow a cohort: every learner's progress.json, sprint issues and releases, read in batched GraphQL.

    Shows learners × sprints, who is behind the 12-week plan and by how much, each metric's distribution
    (median, middle half, outliers), what changed since the last look, and one line per repository that
    could not be read. Token: GITHUB_TOKEN (read access to the learners' repositories).
    """
    from tracker.cohort.look import cohort_digest, look
    from tracker.cohort.text import render_report
    from tracker.digest import render_cohort_digest
    from tracker.progress import current_date

    if sum((json_, csv_, digest and not json_)) > 1:
        raise UsageError("choose one of --json, --csv and --digest")
    if week is not None and not digest:
        raise UsageError("--week goes with --digest")
    today = current_date()
    interactive = sys.stderr.isatty() and not (json_ or csv_)

    def progress(text: str) -> None:
        if interactive:
            err_console().print(f"  {text}…", markup=False, highlight=False)

    lk = look(path, today=today, fresh=fresh, offline=offline, progress=progress)
    try:
        if digest:
            data = cohort_digest(lk, week=week)
            if json_:
                print_json({"cohort": data.title, "week": dataclasses.asdict(data.week) if data.week else None,
                            "since": data.since, "learners": [_digest_json(d) for d in data.learners],
                            "next_targets": data.next_targets, "common_next": data.common_next,
                            "not_read": data.unread})
            else:
                sys.stdout.write(render_cohort_digest(data))
            return
        if json_:
            print_json(lk.to_json())
            return
        if csv_:
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerows(lk.view.csv_rows())
            sys.stdout.write(buf.getvalue())
            return
        since = lk.since
        footer = "shown from the cache (--offline): nothing was read"
        if lk.read is not None:
            footer = (f"read: {lk.read.mode}{' (resumed)' if lk.read.resumed else ''}, {lk.read.requests} "
                      f"request(s), {lk.read.read_in_full} repositor{'y' if lk.read.read_in_full == 1 else 'ies'} "
                      "read in full")
        console().print(render_report(lk.view, changes=lk.changes, since=since, problems=lk.problems,
                                      footer=footer).rstrip("\n"), markup=False, highlight=False, soft_wrap=True)
    finally:
        lk.close()


def _digest_json(d: Any) -> dict[str, Any]:
    data = dataclasses.asdict(d)
    data["week"] = {"number": d.week.number, "start": d.week.start.isoformat(), "end": d.week.end.isoformat()}
    return data


@cli.command("digest")
def digest_command(
    workspace: WorkspaceOption = None,
    week: Annotated[int | None, typer.Option("--week", min=1, help="Week N of your plan (default: this week).")]
    = None,
    post: Annotated[bool, typer.Option("--post", help="Post it on the pinned \"Weekly review\" issue of the "
                                                      "GitHub repository (one comment per week, edited on "
                                                      "re-runs).")] = False,
    json_: JsonOption = False,
) -> None:
    """Your week: what passed, what regressed, what is behind the 12-week plan, what comes next, metric deltas."""
    from tracker.digest import render_learner_digest
    from tracker.progress import current_date
    from tracker.review.history import week_digest

    session = open_session(workspace)
    today = current_date()
    current = session.roadmap.week_of(today)
    if current < 1:
        raise UsageError(f"the roadmap starts on {session.roadmap.start_date}: there is no week to review yet")
    if week is not None and week > current:
        raise UsageError(f"--week {week} has not begun: this is week {current}")
    digest = week_digest(session.ws, session.roadmap, session.conn, today=today, week=week)
    text = render_learner_digest(digest, session.roadmap.title)
    outcome = None
    if post:
        outcome = _post(session, digest.week.number, text)
    if json_:
        data = _digest_json(digest)
        if outcome is not None:
            data["posted"] = outcome.to_json()
        print_json(data)
        return
    if outcome is None:
        sys.stdout.write(text)
        return
    out = console()
    where = f"#{outcome.issue} {outcome.url}".strip()
    out.print(f"weekly review of week {outcome.week}: comment {outcome.comment} on {where}"
              + (" (issue created)" if outcome.created_issue else ""), markup=False)
    for warning in outcome.warnings:
        err_console().print(f"warning: {warning}", markup=False, highlight=False)


def _post(session: Any, week: int, text: str) -> Any:
    from tracker.boards.github.transport import Transport
    from tracker.review.post import post_review
    from tracker.sync.github import github_target

    target = github_target(session.config)
    if target is None:
        raise UsageError("--post needs a GitHub repository: set [github] repo in sprint.toml, or GITHUB_REPOSITORY")
    transport = Transport(api_url=target.api_url, token=os.environ.get("GITHUB_TOKEN", ""),
                          graphql_url=target.graphql_url)
    try:
        return post_review(transport, target.repo, week, text)
    finally:
        transport.close()
