"""``sprint dev check``: the authoring check of every exercise in the library."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated

import typer

from graders.paths import default_roadmap, exercise_dir
from graders.registry import get_kind
from tracker.cli.app import dev_app
from tracker.cli.common import JsonOption
from tracker.cli.output import console, print_json
from tracker.devcheck import (
    Variant,
    VariantOutcome,
    check_exercise,
    check_variant,
    golden_drift,
    plan,
    require_authoring_files,
    verdicts,
)
from tracker.errors import UsageError
from tracker.roadmap.loader import load_roadmap
from tracker.roadmap.models import Exercise


@dev_app.command("check")
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
    roadmap = load_roadmap(default_roadmap())
    available = [e for e in roadmap.exercises if exercise_dir(e.slug).is_dir()]
    if slugs:
        unknown = [s for s in slugs if s not in {e.slug for e in available}]
        if unknown:
            raise UsageError(f"not in the exercise library: {', '.join(unknown)}; "
                             f"available: {', '.join(e.slug for e in available)}")
        available = [e for e in available if e.slug in slugs]
    if timed is not None:
        available = [e for e in available if _is_timed(e.kind) == timed]
        if not available:  # checking nothing must not look like a pass
            flag = "timed" if timed else "untimed"
            raise UsageError(f"no {flag} exercise among {', '.join(slugs) if slugs else 'the library'}: drop --{flag}")
    if golden is not None and not golden.is_dir():
        raise UsageError(f"--golden {golden}: not a folder of golden records")
    for ex in available:  # an installed wheel has no references: say so before grading anything
        require_authoring_files(exercise_dir(ex.slug))
    out = console()
    lock = threading.Lock()

    def render(o: VariantOutcome) -> list[str]:
        mark = "[green]✓[/]" if o.ok else "[red]✗[/]"
        failing = ", ".join(f"{c.name}={c.display or c.status}" for c in o.result.failing()[:4])
        return [f"  {mark} {o.name}: expected {o.expected}, got [bold]{o.result.status}[/] "
                f"[dim]({o.result.duration_s:.1f} s)[/]" + (f" — {failing}" if failing else "")] + \
            [f"      [red]{p}[/]" for p in o.problems]

    def emit(lines: list[str]) -> None:
        if not json_:
            with lock:
                for line in lines:
                    out.print(line)

    def finish(ex: Exercise, mine: list[VariantOutcome], live: bool) -> tuple[list[VariantOutcome], list[str]]:
        """Compare an exercise's verdicts with its golden record; print its block unless shown ``live``."""
        lines = golden_drift(ex.slug, verdicts(mine), golden) if golden is not None else []
        body = [] if live else [_header(ex)] + [line for o in mine for line in render(o)]
        emit(body + [f"  [red]✗ golden: {line}[/]" for line in lines])
        return mine, lines

    # Timed exercises are always graded alone; the variants of the others may share the machine (--jobs):
    # every variant is one task, so the longest exercise does not end up running by itself at the end.
    alongside = [e for e in available if not _is_timed(e.kind)] if jobs > 1 else []
    done: dict[str, tuple[list[VariantOutcome], list[str]]] = {}
    if alongside:
        planned = {ex.slug: plan(ex, exercise_dir(ex.slug)) for ex in alongside}  # bad .meta: nothing graded
        graded: dict[str, dict[int, VariantOutcome]] = {ex.slug: {} for ex in alongside}

        stop = threading.Event()  # set by a crash or Ctrl-C: the variants not yet started are skipped

        def task(ex: Exercise, index: int, variant: Variant) -> None:
            if stop.is_set():
                return
            try:
                outcome = check_variant(variant, seed=seed)
            except BaseException:
                stop.set()
                raise
            with lock:
                graded[ex.slug][index] = outcome
                last = len(graded[ex.slug]) == len(planned[ex.slug])
            if last:
                done[ex.slug] = finish(ex, [graded[ex.slug][i] for i in range(len(planned[ex.slug]))], False)

        emit([f"[dim]{len(alongside)} untimed exercise(s), {sum(map(len, planned.values()))} variants, {jobs} at a "
              "time; each exercise is shown when its last variant is done[/]"])
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="dev-check") as pool:
            futures = [pool.submit(task, ex, i, variant)
                       for ex in alongside for i, variant in enumerate(planned[ex.slug])]
            try:
                for future in futures:
                    future.result()
            except BaseException:  # Ctrl-C: the queued variants return at once, the running ones end
                stop.set()
                raise
    for ex in available:
        if ex.slug not in done:
            emit([_header(ex)])
            done[ex.slug] = finish(ex, check_exercise(ex, exercise_dir(ex.slug), seed=seed,
                                                      on_variant=lambda o: emit(render(o))), True)
    outcomes = [o for ex in available for o in done[ex.slug][0]]
    drift = [line for ex in available for line in done[ex.slug][1]]
    bad = [o for o in outcomes if not o.ok]
    if json_:
        print_json([{"exercise": o.exercise, "variant": o.name, "role": o.role, "expected": o.expected, "ok": o.ok,
                     "problems": o.problems, "result": o.result.model_dump(mode="json")} for o in outcomes])
    else:
        out.print(f"{len(outcomes) - len(bad)}/{len(outcomes)} variants as expected across {len(available)} exercises"
                  + (f"; {len(drift)} verdict(s) differ from the golden records" if golden is not None else ""))
    if bad or drift:
        raise typer.Exit(1)


def _header(ex: Exercise) -> str:
    return f"[bold]{ex.slug}[/] ({ex.kind})"


def _is_timed(kind_name: str) -> bool:
    kind = get_kind(kind_name)
    return bool(kind and kind.timed)
