"""Golden results for exercises (Exercism-style): the verdict of every variant, per check.

``tests/graders/kinds/golden/<slug>.json`` records, for the reference, the starter and each cheat,
the overall status and each check's status — the parts that must not drift. Machine-dependent
numbers are left out. Regenerate after a deliberate change with ``UPDATE_GOLDEN=1 pytest …``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from graders.paths import exercise_dir
from tests.helpers import REPO
from tracker.devcheck import check_exercise
from tracker.roadmap import load_roadmap

GOLDEN = Path(__file__).parent / "golden"


def verdicts(slug: str, seed: int = 20261122) -> dict[str, dict[str, object]]:
    roadmap = load_roadmap(REPO / "roadmap.yaml")
    exercise = roadmap.exercise(slug)
    assert exercise is not None
    out: dict[str, dict[str, object]] = {}
    for o in check_exercise(exercise, exercise_dir(slug), seed=seed):
        out[o.name] = {"status": o.result.status, "ok": o.ok, "problems": o.problems,
                       "checks": {c.name: c.status for c in o.result.checks}}
    return out


def assert_golden(slug: str, seed: int = 20261122) -> dict[str, dict[str, object]]:
    got = verdicts(slug, seed)
    path = GOLDEN / f"{slug}.json"
    if os.environ.get("UPDATE_GOLDEN") or not path.exists():
        path.write_text(json.dumps(got, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    want = json.loads(path.read_text(encoding="utf-8"))
    assert got == want, f"verdicts of {slug} drifted from {path} (UPDATE_GOLDEN=1 to accept a deliberate change)"
    return got
