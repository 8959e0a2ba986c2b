"""``sprint grade`` and ``sprint watch``: measure exercises, record attempts, move the local board."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from graders.contract import GradeResult
from graders.thresholds import format_value
from tracker.cli.common import JsonOption, WorkspaceOption, command_app
from tracker.cli.output import console, print_json
from tracker.errors import UsageError
from tracker.grading import grade_and_record
from tracker.ledger import Attempt, Ledger
from tracker.progress import is_available
from tracker.session import Session, open_session
from tracker.workspace import content_hash

cli = command_app()

ProfileOption = Annotated[
    Literal["cpu", "gpu", "auto"] | None,
    typer.Option("--profile", "-p", help="cpu, gpu, or auto (gpu when CUDA is present). Default: sprint.toml."),
]
STATUS_STYLE = {"pass": "bold green", "fail": "bold red", "error": "bold magenta", "pending": "bold yellow"}


def select(session: Session, slugs: list[str], changed: bool) -> list[str]:
    """The exercises to grade: those named (all available ones by default), minus unchanged ones
    when ``changed`` — an exercise changed when its files' hash differs from its last attempt."""
    roadmap = session.roadmap
    if slugs:
        for slug in slugs:
            if roadmap.exercise(slug) is None:
                known = ", ".join(e.slug for e in roadmap.exercises)
                raise UsageError(f"no exercise {slug!r} in the roadmap; exercises: {known}")
        chosen = list(dict.fromkeys(slugs))
    else:
        chosen = [e.slug for e in roadmap.exercises
                  if is_available(e.slug) and session.ws.exercise_dir(e.slug).is_dir()]
    if changed:
        last = Ledger(session.conn).hashes()
        chosen = [s for s in chosen if last.get(s) != content_hash(session.ws.exercise_dir(s))]
    return chosen


def delta(result: GradeResult, previous: Attempt | None) -> dict[str, str]:
    """Per check: the change of the measured value since the previous attempt, in the check's unit."""
    out: dict[str, str] = {}
    if previous is None:
        return out
    for check in result.checks:
        before = previous.result.check(check.name)
        if before is None or not isinstance(check.measured, float) or not isinstance(before.measured, float):
            continue
        diff = check.measured - before.measured
        if diff == 0:
            out[check.name] = "="
            continue
        threshold = _threshold(result.slug, check.threshold)
        shown = threshold.format(abs(diff)) if threshold else format_value(abs(diff))
        out[check.name] = ("+" if diff > 0 else "−") + shown
    return out


def _threshold(slug: str, text: str | None) -> Any:
    from graders.errors import ThresholdSyntaxError
    from graders.thresholds import parse_threshold

    if not text:
        return None
    try:
        return parse_threshold(text)
    except ThresholdSyntaxError:
        return None


def print_result(result: GradeResult, deltas: dict[str, str], hint: str = "") -> None:
    from rich.table import Table

    out = console()
    style = STATUS_STYLE[result.status]
    out.print(f"[{style}]{result.status.upper()}[/] [bold]{result.slug}[/]  "
              f"[dim]{result.duration_s:.1f} s · profile {result.profile} · seed {result.seed}[/]")
    if result.checks:
        table = Table(box=None, padding=(0, 2), show_edge=False)
        for col in ("check", "measured", "threshold", "Δ last", "status", "message"):
            table.add_column(col, overflow="fold")
        for c in result.checks:
            table.add_row(c.name, c.display or ("—" if c.measured is None else str(c.measured)),
                          c.threshold or "yes/no", deltas.get(c.name, ""), f"[{STATUS_STYLE[c.status]}]{c.status}[/]",
                          c.message if c.status != "pass" else "")
        out.print(table)
    if result.status != "pass":
        out.print(result.message, markup=False, style="dim")
        if hint:
            out.print(f"[cyan]hint:[/] {hint}")


def run_grades(session: Session, slugs: list[str], profile: str, *, quiet: bool = False,
               seed: int | None = None) -> list[tuple[GradeResult, dict[str, str]]]:
    """Grade ``slugs`` with a live progress display; attempts are recorded and the board synced."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                        TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(), console=console(),
                        transient=True, disable=quiet)
    with progress:
        task = progress.add_task("grading", total=len(slugs))
        graded = grade_and_record(
            session.ws, session.roadmap, session.conn, slugs, profile,  # type: ignore[arg-type]
            seed=seed,
            on_start=lambda slug: progress.update(task, description=f"grading [bold]{slug}[/]"),
            on_done=lambda result, previous: progress.advance(task),
        )
    return [(result, delta(result, previous)) for result, previous in graded]


@cli.command("grade")
def grade_command(
    slugs: Annotated[list[str] | None,
                     typer.Argument(help="Exercises to grade (default: every available one).")] = None,
    workspace: WorkspaceOption = None,
    profile: ProfileOption = None,
    changed: Annotated[bool, typer.Option("--changed", help="Only exercises whose files changed since their last "
                                          "recorded attempt.")] = False,
    seed: Annotated[int | None, typer.Option(help="Fix the seed of the hidden inputs (default: fresh).")] = None,
    json_: JsonOption = False,
) -> None:
    """Grade exercises: run them in the sandbox, measure, compare with the roadmap's thresholds."""
    session = open_session(workspace)
    chosen = select(session, slugs or [], changed)
    requested = profile or session.config.grading.profile
    from tracker.job_summary import report_to_actions

    if not chosen:
        if json_:
            print_json([])
        else:
            console().print("nothing to grade" + (": no exercise changed since its last attempt" if changed else ""))
        report_to_actions(session, [])
        return
    results = run_grades(session, chosen, requested, quiet=json_, seed=seed)
    report_to_actions(session, results)
    if json_:
        payload = [{**r.model_dump(mode="json"), "delta": d} for r, d in results]
        print_json(payload[0] if slugs and len(slugs) == 1 else payload)
    else:
        for result, deltas in results:
            ex = session.roadmap.exercise(result.slug)
            print_result(result, deltas, ex.hint if ex else "")
            console().print()
        passed = sum(r.status == "pass" for r, _ in results)
        console().print(f"{passed}/{len(results)} passed")
    if any(r.status in ("fail", "error") for r, _ in results):
        raise typer.Exit(1)


def _current(session: Session) -> str | None:
    """Rustlings-style: the first available exercise, in roadmap order, whose last attempt did not pass."""
    ledger = Ledger(session.conn)
    last = ledger.latest_all(session.roadmap.profile)
    for _, sprint in session.roadmap.sprints():
        for slug in sprint.exercises:
            if is_available(slug) and session.ws.exercise_dir(slug).is_dir():
                attempt = last.get(slug)
                if attempt is None or attempt.result.status != "pass":
                    return slug
    return None


@cli.command()
def watch(
    slug: Annotated[str | None, typer.Argument(help="Exercise to watch (default: the first not yet passing).")] = None,
    workspace: WorkspaceOption = None,
    profile: ProfileOption = None,
) -> None:
    """Re-grade on every save (Ctrl-C to stop), showing the current exercise, its checks and a hint."""
    from watchfiles import watch as watch_files

    session = open_session(workspace)
    current = slug or _current(session)
    if current is None:
        console().print("[green]every available exercise passes[/] — nothing to watch")
        return
    select(session, [current], changed=False)
    requested = profile or session.config.grading.profile
    folder: Path = session.ws.exercise_dir(current)
    out = console()

    def once() -> None:
        out.clear()
        out.rule(f"[bold]{current}[/] — watching {folder} (Ctrl-C to stop)")
        for result, deltas in run_grades(session, [current], requested):
            ex = session.roadmap.exercise(current)
            print_result(result, deltas, ex.hint if ex else "")

    once()
    # Ctrl-C, SIGTERM and SIGHUP end it (tracker.stopping, via the entry point): exit 130, 143, 129.
    for _ in watch_files(folder, debounce=400, step=100,
                         watch_filter=lambda change, path: "__pycache__" not in path and not path.endswith(".pyc")):
        once()
