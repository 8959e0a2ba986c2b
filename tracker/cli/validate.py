"""``sprint validate [PATH]``: check a roadmap and report every problem with file:line:column."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import JsonOption, command_app
from tracker.cli.output import console, print_json
from tracker.errors import RoadmapError
from tracker.roadmap.loader import load_roadmap
from tracker.workspace import Workspace

cli = command_app()


@cli.command()
def validate(
    path: Annotated[Path | None, typer.Argument(help="roadmap.yaml to check (default: the workspace's).")] = None,
    json_: JsonOption = False,
) -> None:
    """Validate a roadmap: YAML, keys, types, ids, references, grader kinds, thresholds and units."""
    target = path if path is not None else Workspace.find().roadmap_path
    try:
        roadmap = load_roadmap(target)
    except RoadmapError as exc:
        if json_:
            print_json({"valid": False, "problems": [p.__dict__ for p in exc.problems]})
            raise typer.Exit(exc.exit_code) from None
        raise
    sprints = sum(1 for _ in roadmap.sprints())
    if json_:
        print_json({"valid": True, "file": str(target), "quarters": len(roadmap.quarters), "sprints": sprints,
                    "exercises": len(roadmap.exercises), "targets": len(roadmap.targets),
                    "tracks": len(roadmap.tracks)})
        return
    console().print(f"[green]✓[/] {target}: valid — {len(roadmap.quarters)} quarters, {sprints} sprints, "
                    f"{len(roadmap.exercises)} exercises, {len(roadmap.targets)} targets, "
                    f"{len(roadmap.tracks)} tracks")
