"""Grading overhead per run, and the cost of `sprint grade --changed` with 1 of N exercises changed.

1. Sandbox overhead: a no-op child entry point through the full sandbox (supervisor, namespace,
   harness, authenticated channel), next to a bare `python -c pass`.
2. A trivial exercise graded end to end (csv-to-json's reference: 7 hidden CSVs, one of 10k rows).
3. `--changed`: a library of N copies of csv-to-json; grade all N, change one, grade --changed.

Usage: python bench/grading_overhead.py [--n 8]. Last line: key=value pairs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def median_time(fn: object, runs: int) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def sandbox_overhead(runs: int) -> tuple[float, float]:
    from graders.sandbox import Sandbox

    sandbox = Sandbox()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "noop.py").write_text("def run(args, channel):\n    channel.result(ok=True)\n")

        def one() -> None:
            with sandbox.workdir(Path(tmp)) as work:
                out = sandbox.call("noop:run", {}, workdir=work)
                assert out.result == {"ok": True}, out.fault

        bare = median_time(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), runs)
        return median_time(one, runs), bare


def library_of_copies(root: Path, n: int) -> None:
    """A library whose roadmap has N function exercises, each a copy of csv-to-json."""
    (root / "exercises").mkdir(parents=True)
    text = (REPO / "roadmap.yaml").read_text(encoding="utf-8")
    block = re.search(r"  - slug: csv-to-json\n(?:    .*\n|      .*\n|        .*\n)+", text)
    assert block is not None
    entries = []
    for i in range(n):
        slug = f"csv-to-json-{i}"
        shutil.copytree(REPO / "exercises" / "csv-to-json", root / "exercises" / slug)
        entries.append(block.group(0).replace("slug: csv-to-json", f"slug: {slug}"))
    sprint = ("version: 1\ntitle: bench\nstart_date: 2026-01-05\nquarters:\n  - id: Q1\n    title: bench\n"
              "    release: v0.1\n    sprints:\n      - id: P0\n        title: bench\n        checklist:\n"
              "          - {text: all, manual: true}\n        exercises: [" + ", ".join(f"csv-to-json-{i}"
                                                                               for i in range(n)) + "]\n")
    (root / "roadmap.yaml").write_text(sprint + "exercises:\n" + "".join(entries), encoding="utf-8")


def changed_cost(n: int) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        lib, ws = Path(tmp) / "lib", Path(tmp) / "ws"
        library_of_copies(lib, n)
        env = {**os.environ, "LLM_SPRINT_LIBRARY": str(lib)}

        def sprint(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "tracker", *args], cwd=ws if ws.exists() else tmp,
                                  env=env, capture_output=True, text=True)

        assert sprint("init", str(ws)).returncode == 0
        for i in range(n):
            shutil.copy(REPO / "exercises/csv-to-json/.meta/reference/data_loader.py",
                        ws / "exercises" / f"csv-to-json-{i}" / "data_loader.py")
        t0 = time.perf_counter()
        assert sprint("grade", "--json").returncode == 0
        all_n = time.perf_counter() - t0
        (ws / "exercises" / "csv-to-json-3" / "data_loader.py").open("a").write("\n# changed\n")
        t0 = time.perf_counter()
        proc = sprint("grade", "--changed", "--json")
        one = time.perf_counter() - t0
        graded = len(re.findall(r'"slug":', proc.stdout))
        return all_n, one, graded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    overhead, bare = sandbox_overhead(args.runs)
    from tracker.grading import GradeTarget, grade
    from tracker.roadmap import load_roadmap

    ex = load_roadmap(REPO / "roadmap.yaml").exercise("csv-to-json")
    assert ex is not None
    lib = REPO / "exercises" / "csv-to-json"
    trivial = median_time(lambda: grade(GradeTarget(ex, lib / ".meta" / "reference", lib), profile="cpu",
                                        cuda=False), max(3, args.runs // 2))
    all_n, one, graded = changed_cost(args.n)
    print(f"bare python start            {bare * 1000:7.1f} ms")
    print(f"sandboxed no-op run          {overhead * 1000:7.1f} ms  (overhead {1000 * (overhead - bare):.1f} ms "
          "over a bare interpreter start)")
    print(f"csv-to-json graded end to end {trivial * 1000:6.1f} ms")
    print(f"grade all {args.n} exercises          {all_n:7.2f} s")
    print(f"grade --changed (1 of {args.n})      {one:7.2f} s  ({graded} graded; {one / all_n:.2f} of grading all)")
    print(f"sandbox_ms={overhead * 1000:.1f} bare_python_ms={bare * 1000:.1f} trivial_grade_ms={trivial * 1000:.1f} "
          f"all_n_s={all_n:.2f} changed_1_s={one:.2f} changed_ratio={one / all_n:.3f} n={args.n}")


if __name__ == "__main__":
    main()
