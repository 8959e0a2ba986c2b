"""``sprint dev check``: the authoring check of every exercise in the library (``tracker.devcheck``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from graders.paths import default_roadmap
from tracker.cli.common import JsonOption, command_app
from tracker.cli.output import console, print_json
from tracker.devcheck import ExerciseCheck, Progress, VariantOutcome, check_library, select
from tracker.errors import UsageError
from tracker.roadmap.loader import load_roadmap
from tracker.roadmap.models import Exercise

cli = command_app("Authoring tools: check every exercise's reference, starter and cheats.")


@cli.command("check")
def check(
    slugs: Annotated[list[str] | None, typer.Argument(help="Exercises to check (default: all in the library).")] = None,
    seed: Annotated[int | None, typer.Option(help="Fix the seed of the hidden inputs.")] = None,
    golden: Annotated[Path | None, typer.Option("--golden", metavar="DIR", file_okay=False,
                                                help="Also compare every verdict with DIR/<slug>.json (the "
                                                     "golden records of tests/graders/kinds/golden).")] = None,
    timed: Annotated[bool | None, typer.Option("--timed/--untimed", show_default=False,
                                               help="Only the exercises whose verdicts depend on wall-clock "
                                                    "speed (latency, throughput or runtime thresholds: grade "
                                                    "them on an idle machine), or only the others.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=64,
                                      help="Check this many untimed exercises at a time (timed ones are "
                                           "always checked alone, after them).")] = 1,
    json_: JsonOption = False,
) -> None:
    """Grade each exercise's reference (must pass), starter (must fail) and cheats (must fail)."""
    exercises = select(load_roadmap(default_roadmap()), slugs or [], timed=timed)
    if golden is not None and not golden.is_dir():
        raise UsageError(f"--golden {golden}: not a folder of golden records")
    checks = check_library(exercises, seed=seed, golden=golden, jobs=jobs, progress=None if json_ else _Printer())
    outcomes = [o for c in checks for o in c.outcomes]
    drift = [line for c in checks for line in c.drift]
    bad = [o for o in outcomes if not o.ok]
    if json_:
        print_json([{"exercise": o.exercise, "variant": o.name, "role": o.role, "expected": o.expected, "ok": o.ok,
                     "problems": o.problems, "result": o.result.model_dump(mode="json")} for o in outcomes])
    else:
        console().print(f"{len(outcomes) - len(bad)}/{len(outcomes)} variants as expected across {len(checks)} "
                        "exercises" + (f"; {len(drift)} verdict(s) differ from the golden records"
                                       if golden is not None else ""))
    if bad or drift:
        raise typer.Exit(1)


class _Printer(Progress):
    """An exercise graded alone is shown as it goes; one sharing the machine when its last variant is done."""

    def shared(self, exercises: int, variants: int, jobs: int) -> None:
        console().print(f"[dim]{exercises} untimed exercise(s), {variants} variants, {jobs} at a time; each exercise "
                        "is shown when its last variant is done[/]")

    def started(self, exercise: Exercise) -> None:
        console().print(_header(exercise))

    def graded(self, outcome: VariantOutcome) -> None:
        _print(_variant_lines(outcome))

    def done(self, check: ExerciseCheck, *, live: bool) -> None:
        body = [] if live else [_header(check.exercise)] + [line for o in check.outcomes for line in _variant_lines(o)]
        _print(body + [f"  [red]✗ golden: {line}[/]" for line in check.drift])


def _print(lines: list[str]) -> None:
    for line in lines:
        console().print(line)


def _header(ex: Exercise) -> str:
    return f"[bold]{ex.slug}[/] ({ex.kind})"


def _variant_lines(o: VariantOutcome) -> list[str]:
    mark = "[green]✓[/]" if o.ok else "[red]✗[/]"
    failing = ", ".join(f"{c.name}={c.display or c.status}" for c in o.result.failing()[:4])
    return [f"  {mark} {o.name}: expected {o.expected}, got [bold]{o.result.status}[/] "
            f"[dim]({o.result.duration_s:.1f} s)[/]" + (f" — {failing}" if failing else "")] + \
        [f"      [red]{p}[/]" for p in o.problems]
