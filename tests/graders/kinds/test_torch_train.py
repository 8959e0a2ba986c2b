"""Kind ``torch-train`` on linear-regression: golden verdicts; the gpu profile is pending on a CPU."""

from __future__ import annotations

from pathlib import Path

import pytest

from graders.paths import exercise_dir
from tests.graders.kinds.golden import assert_golden
from tests.helpers import REPO
from tracker.devcheck import load_meta, materialise
from tracker.grading import GradeTarget, grade
from tracker.roadmap import load_roadmap


@pytest.mark.slow  # re-grades every variant: CI's `sprint dev check --golden` covers the verdicts
def test_linear_regression_verdicts_match_golden() -> None:
    verdicts = assert_golden("linear-regression")
    assert verdicts["reference"]["checks"] == {"r2": "pass", "weight_error": "pass", "device_used": "pass"}
    assert verdicts["cheat-memorise"]["checks"]["weight_error"] == "fail"


def test_gpu_profile_without_cuda_is_pending_not_failed(tmp_path: Path) -> None:
    roadmap = load_roadmap(REPO / "roadmap.yaml")
    ex = roadmap.exercise("linear-regression")
    assert ex is not None
    library = exercise_dir("linear-regression")
    with materialise(library, library / ".meta" / "reference", load_meta(library)) as folder:
        result = grade(GradeTarget(ex, folder, library), profile="gpu", cuda=False)
    assert result.status == "pending"
    assert all(c.status == "pending" and "CUDA" in c.message for c in result.checks)
