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
from tracker.devcheck import check_exercise, golden_drift
from tracker.devcheck import verdicts as devcheck_verdicts
from tracker.roadmap import load_roadmap

GOLDEN = Path(__file__).parent / "golden"
SEED = 20261122  # the seed `.ci/run` passes to `sprint dev check --golden`


def verdicts(slug: str, seed: int = SEED) -> dict[str, dict[str, object]]:
    roadmap = load_roadmap(REPO / "roadmap.yaml")
    exercise = roadmap.exercise(slug)
    assert exercise is not None
    return devcheck_verdicts(check_exercise(exercise, exercise_dir(slug), seed=seed))


def assert_golden(slug: str, seed: int = SEED) -> dict[str, dict[str, object]]:
    got = verdicts(slug, seed)
    # A golden record of a cheat that passes (or a reference that fails) would freeze the defect in.
    unexpected = {variant: v["problems"] for variant, v in got.items() if not v["ok"]}
    assert not unexpected, f"{slug}: variants not as their .meta/config.yaml expects: {unexpected}"
    path = GOLDEN / f"{slug}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(got, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    drift = golden_drift(slug, got, GOLDEN)
    assert not drift, "verdicts drifted (UPDATE_GOLDEN=1 to accept a deliberate change):\n" + "\n".join(drift)
    return got
