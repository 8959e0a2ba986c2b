"""Start-up cost of `sprint status` next to a bare `python -c pass`, measured in one run.

Also shows that `sprint status` imports neither torch, transformers nor sentence-transformers, and
that on an unchanged roadmap (the runs before have cached it in .sprint/) it imports no grader kind
and no YAML parser.
Usage: python bench/startup.py [--runs N]. Last line: key=value pairs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAVY = ("torch", "transformers", "sentence_transformers")


def timed(cmd: list[str], cwd: Path, runs: int) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        subprocess.run([sys.executable, "-m", "tracker", "init", str(ws)], check=True, capture_output=True)
        timed([sys.executable, "-m", "tracker", "status"], ws, 2)  # warm the page cache
        bare = timed([sys.executable, "-c", "pass"], ws, args.runs)
        status = timed([sys.executable, "-m", "tracker", "status"], ws, args.runs)
        status_json = timed([sys.executable, "-m", "tracker", "status", "--json"], ws, args.runs)
        probe = ("import json, sys\nfrom tracker.cli import main\n"
                 "try:\n    main(['status'])\nexcept SystemExit:\n    pass\n"
                 f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
                 "kinds = [m for m in sys.modules if m.startswith('graders.kinds.')]\n"
                 "found = {'heavy': heavy, 'kinds': len(kinds), 'yaml': 'yaml' in sys.modules}\n"
                 "sys.stderr.write('PROBE=' + json.dumps(found))")
        probed = subprocess.run([sys.executable, "-c", probe], cwd=ws, check=True, capture_output=True, text=True)
    report = json.loads(probed.stderr.rsplit("PROBE=", 1)[-1])
    imported = ",".join(report["heavy"]) or "none"
    kinds = report["kinds"]
    print(f"python -c pass        {bare * 1000:7.1f} ms (median of {args.runs})")
    print(f"sprint status         {status * 1000:7.1f} ms  ({status / bare:.1f}x python -c pass)")
    print(f"sprint status --json  {status_json * 1000:7.1f} ms")
    print(f"heavy modules imported by sprint status: {imported}")
    print(f"on the unchanged roadmap: {kinds} grader kind module(s) imported, "
          f"YAML parser {'imported' if report['yaml'] else 'not imported'}")
    print(f"python_ms={bare * 1000:.1f} status_ms={status * 1000:.1f} status_json_ms={status_json * 1000:.1f} "
          f"ratio={status / bare:.2f} heavy_imports={imported} kind_imports={kinds}")


if __name__ == "__main__":
    main()
