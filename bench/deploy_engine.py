"""The deploy reference on a real Docker engine: build time, image size, time to healthy, whole grade.

Needs an engine holding the base image the reference pins (`sudo .ci/docker-up DIR && . DIR/env`).
Grades the reference N times (each build is `--no-cache`) and prints the median of each figure.
Usage: python bench/deploy_engine.py [--runs N]. Last line: key=value pairs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from graders.contract import GradeContext
from graders.kinds.deploy import DeployGrader, DeployParams
from graders.kinds.deploy_engine import engine_problem
from graders.paths import exercise_dir
from graders.sandbox import Limits, Sandbox

FIGURES = ("build_s", "image_bytes", "healthy_after_s")


def grade_reference() -> tuple[dict[str, float], float]:
    library = exercise_dir("deploy")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "deploy"
        shutil.copytree(library, folder, ignore=shutil.ignore_patterns(".meta"))
        shutil.copytree(library / ".meta" / "reference", folder, dirs_exist_ok=True)
        ctx = GradeContext(slug="deploy", params=DeployParams(), thresholds={}, profile="cpu", seed=1,
                           learner_dir=folder, library_dir=library, sandbox=Sandbox(Limits(wall_s=600)))
        started = time.perf_counter()
        result = DeployGrader().grade(ctx)
        seconds = time.perf_counter() - started
    if result.status != "pass":
        sys.exit(f"the reference did not pass: {result.status}: {result.message}")
    return {key: float(result.metrics[key] or 0) for key in FIGURES}, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    problem = engine_problem()
    if problem:
        sys.exit(f"{problem}\n(start one with: sudo .ci/docker-up DIR && . DIR/env)")
    rows = [grade_reference() for _ in range(args.runs)]
    for i, (metrics, seconds) in enumerate(rows, 1):
        print(f"run {i}: build {metrics['build_s']:.2f} s, image {metrics['image_bytes'] / 1e6:.0f} MB, "
              f"healthy after {metrics['healthy_after_s']:.2f} s, whole grade {seconds:.1f} s")

    def median(key: str) -> float:
        return statistics.median(m[key] for m, _ in rows)

    print(f"build_s={median('build_s'):.2f} image_mb={median('image_bytes') / 1e6:.0f} "
          f"healthy_after_s={median('healthy_after_s'):.2f} "
          f"grade_s={statistics.median(s for _, s in rows):.1f} runs={args.runs}")


if __name__ == "__main__":
    main()
