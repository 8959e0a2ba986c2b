"""Start-up cost of `sprint status` next to a bare `python -c pass`, measured in one run.

The commands are run in turns (`python -c pass`, `sprint status`, `sprint status --json`, again and
again), so a shared machine's load falls on each alike; each figure is the median wall time, with the
median CPU time (user + system of the child) beside it — on a busy machine the CPU time is about what
an idle one would wait.

Also prints the CPU time of importing the libraries `sprint status` stands on (Typer, pydantic,
Rich), so that llm-sprint's own share is visible; and shows that `sprint status` imports neither
torch, transformers nor sentence-transformers, and that on an unchanged roadmap (the runs before have
cached it in .sprint/) it imports no grader kind and no YAML parser.

Usage: python bench/startup.py [--runs N]. Last line: key=value pairs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAVY = ("torch", "transformers", "sentence_transformers")
# What `sprint status` cannot start without, whatever llm-sprint does: Typer (which builds pydantic
# TypeAdapters for every option it parses), pydantic's BaseModel, Rich's tables.
LIBRARIES = "import typer, typer._adapters, typer.main, pydantic.main, rich.table, rich.console"


def run_once(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def timed(cmds: dict[str, list[str]], cwd: Path, env: dict[str, str], runs: int) -> dict[str, tuple[float, float]]:
    """Median wall and median CPU seconds of each command, the commands run in turns ``runs`` times."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            samples[name].append(run_once(cmd, cwd, env))
    return {name: (statistics.median(w for w, _ in got), statistics.median(c for _, c in got))
            for name, got in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        subprocess.run([sys.executable, "-m", "tracker", "init", str(ws)], check=True, capture_output=True)
        cmds = {"bare": [sys.executable, "-c", "pass"], "status": [sys.executable, "-m", "tracker", "status"],
                "json": [sys.executable, "-m", "tracker", "status", "--json"],
                "libraries": [sys.executable, "-c", LIBRARIES]}
        # Bytecode goes to a cache of its own, whatever PYTHONDONTWRITEBYTECODE says: an installed
        # package has its bytecode already, a development checkout may hold stale bytecode.
        env = {**os.environ, "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        timed(cmds, ws, env, 2)  # compile, warm the page cache, write the roadmap cache
        load = os.getloadavg()[0]
        figures = timed(cmds, ws, env, args.runs)
        load = max(load, os.getloadavg()[0])
        (bare, bare_cpu), (status, status_cpu), (status_json, json_cpu), (libs, libs_cpu) = (figures[n] for n in cmds)
        probe = ("import json, sys\nfrom tracker.cli import main\n"
                 "try:\n    main(['status'])\nexcept SystemExit:\n    pass\n"
                 f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
                 "kinds = [m for m in sys.modules if m.startswith('graders.kinds.')]\n"
                 "found = {'heavy': heavy, 'kinds': len(kinds), 'yaml': 'yaml' in sys.modules}\n"
                 "sys.stderr.write('PROBE=' + json.dumps(found))")
        probed = subprocess.run([sys.executable, "-c", probe], cwd=ws, env=env, check=True, capture_output=True,
                                text=True)
    report = json.loads(probed.stderr.rsplit("PROBE=", 1)[-1])
    imported = ",".join(report["heavy"]) or "none"
    kinds = report["kinds"]
    print(f"machine: {os.cpu_count()} core(s), load average up to {load:.1f} while measuring")
    print(f"python -c pass        {bare * 1000:7.1f} ms wall, {bare_cpu * 1000:6.1f} ms CPU (medians of {args.runs})")
    print(f"sprint status         {status * 1000:7.1f} ms wall, {status_cpu * 1000:6.1f} ms CPU "
          f"({status / bare:.1f}x python -c pass)")
    print(f"sprint status --json  {status_json * 1000:7.1f} ms wall, {json_cpu * 1000:6.1f} ms CPU")
    print(f"importing Typer, pydantic and Rich alone {libs * 1000:7.1f} ms wall, {libs_cpu * 1000:6.1f} ms CPU "
          f"(so llm-sprint's own share of status: {(status_cpu - libs_cpu) * 1000:.0f} ms CPU)")
    print(f"heavy modules imported by sprint status: {imported}")
    print(f"on the unchanged roadmap: {kinds} grader kind module(s) imported, "
          f"YAML parser {'imported' if report['yaml'] else 'not imported'}")
    print(f"python_ms={bare * 1000:.1f} status_ms={status * 1000:.1f} status_json_ms={status_json * 1000:.1f} "
          f"ratio={status / bare:.2f} status_cpu_ms={status_cpu * 1000:.1f} python_cpu_ms={bare_cpu * 1000:.1f} "
          f"libraries_cpu_ms={libs_cpu * 1000:.1f} "
          f"heavy_imports={imported} kind_imports={kinds}")


if __name__ == "__main__":
    main()
