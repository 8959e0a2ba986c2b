"""``sprint dev check``: the authoring check of every exercise in the library."""

from __future__ import annotations

from typing import Annotated

import typer

from graders.paths import default_roadmap, exercise_dir
from tracker.cli.app import dev_app
from tracker.cli.common import JsonOption
from tracker.cli.output import console, print_json
from tracker.devcheck import VariantOutcome, check_exercise
from tracker.errors import UsageError
from tracker.roadmap.loader import load_roadmap


@dev_app.command("check")
def check(
    slugs: Annotated[list[str] | None, typer.Argument(help="Exercises to check (default: all in the library).")] = None,
    seed: Annotated[int | None, typer.Option(help="Fix the seed of the hidden inputs.")] = None,
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
    out = console()
    outcomes: list[VariantOutcome] = []

    def show(o: VariantOutcome) -> None:
        if json_:
            return
        mark = "[green]✓[/]" if o.ok else "[red]✗[/]"
        failing = ", ".join(f"{c.name}={c.display or c.status}" for c in o.result.failing()[:4])
        out.print(f"  {mark} {o.name}: expected {o.expected}, got [bold]{o.result.status}[/] "
                  f"[dim]({o.result.duration_s:.1f} s)[/]" + (f" — {failing}" if failing else ""))
        for p in o.problems:
            out.print(f"      [red]{p}[/]", markup=True)

    for ex in available:
        if not json_:
            out.print(f"[bold]{ex.slug}[/] ({ex.kind})")
        outcomes += check_exercise(ex, exercise_dir(ex.slug), seed=seed, on_variant=show)
    bad = [o for o in outcomes if not o.ok]
    if json_:
        print_json([{"exercise": o.exercise, "variant": o.name, "role": o.role, "expected": o.expected, "ok": o.ok,
                     "problems": o.problems, "result": o.result.model_dump(mode="json")} for o in outcomes])
    else:
        out.print(f"{len(outcomes) - len(bad)}/{len(outcomes)} variants as expected across {len(available)} exercises")
    if bad:
        raise typer.Exit(1)
