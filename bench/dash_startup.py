"""Time to first paint of the dashboard: the default roadmap, a ledger of 10k attempts.

A fresh workspace (``tracker.scaffold``) gets 10,000 ledger rows spread over every exercise of the
roadmap; then the dashboard starts in a child process attached to a real pseudo-terminal (160×48,
so Textual's terminal driver writes every frame) and reports when the board's cards are on screen.
The figure is wall-clock from spawning the interpreter to that first paint — interpreter start,
imports, roadmap, status queries, layout and drawing included — with the CPU time the child used
until then beside it, and the time its main thread spent waiting for a CPU other processes held
(Linux's ``/proc/thread-self/schedstat``): on a shared machine that wait is what separates the wall
time from an idle machine's. The goal is judged on the wall time alone. The child also checks
that torch, transformers and sentence-transformers were never imported.

Beside them, in the same turns, the CPU time of only importing the libraries the dashboard stands on
(Typer, pydantic, Textual): what no change to llm-sprint can take away.

Two ways in, measured in turns (``--runs`` of each, the median reported):

* **through the command line** — ``sprint dash`` as a learner types it: ``tracker.cli.main(["dash",
  "-w", WS])``, so Typer, its parsing of the options and ``tracker.cli.dash`` come first. This is the
  figure the goal is about.
* **in-process** — ``tracker.tui.run`` (what ``sprint dash`` calls), without the command line.

The first start compiles every module to bytecode (into a temporary cache, whatever
PYTHONDONTWRITEBYTECODE says) and also writes the roadmap cache in ``.sprint/``; it is reported
but not a figure: an installed package has its bytecode already, and every start after the first
finds its roadmap cached.

    python bench/dash_startup.py [--rows 10000] [--runs 3]

Last line: ``cli_first_paint_s=<seconds> first_paint_s=<seconds>`` (goal: the first ≤ 0.5 on the
development machine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import json
import os
import pty
import resource
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graders.contract import Check, GradeResult  # noqa: E402
from tracker.db import connect, transaction  # noqa: E402
from tracker.roadmap.loader import load_roadmap  # noqa: E402
from tracker.scaffold import scaffold  # noqa: E402
from tracker.sync.local import sync_local  # noqa: E402
from tracker.workspace import Workspace  # noqa: E402

HEAVY = ("torch", "transformers", "sentence_transformers")
SIZE = (160, 48)
GOAL_S = 0.5
# What `sprint dash` cannot start without, whatever llm-sprint does: Typer (which builds pydantic
# TypeAdapters for the options it parses), pydantic's BaseModel, Textual's App and the widgets the board uses.
LIBRARIES = ("import typer, typer._adapters, typer.main, pydantic.main, textual.app, textual.screen, "
             "textual.widgets._tabbed_content, textual.widgets._input, textual.widgets._footer, "
             "textual.widgets._label, textual.widgets._static, textual.widgets._progress_bar")

CHILD = r"""
import json, os, sys, time
from pathlib import Path

def painted(app) -> None:
    try:  # the main thread's time waiting for a CPU (Linux's schedstat, nanoseconds): others' load, not ours
        queued = int(Path("/proc/thread-self/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        queued = 0.0
    out = {"painted": time.time(), "cpu": time.process_time(), "queued": queued,
           "heavy": [m for m in HEAVY if m in sys.modules]}
    Path(os.environ["DASH_BENCH_OUT"]).write_text(json.dumps(out))
    app.exit()

if sys.argv[2:] == ["--cli"]:  # `sprint dash -w WS`, as typed: the command line parses, then runs the dashboard
    import tracker.tui
    run = tracker.tui.run
    tracker.tui.run = lambda *args, **kwargs: run(*args, on_first_paint=painted, **kwargs)
    from tracker.cli import main
    main(["dash", "-w", sys.argv[1]])
else:
    from tracker.tui import run
    run(Path(sys.argv[1]), on_first_paint=painted)
""".replace("HEAVY", repr(HEAVY))


def fill_ledger(ws: Workspace, rows: int) -> None:
    """``rows`` attempts over every exercise of the roadmap (as if graded for a long while)."""
    roadmap = load_roadmap(ws.roadmap_path)
    slugs = [e.slug for e in roadmap.exercises]
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    records = []
    for i in range(rows):
        ex = roadmap.exercises[i % len(slugs)]
        started_at = start + dt.timedelta(minutes=i)
        status = "pass" if i % 3 == 0 else "fail"
        checks = [Check(name=name, status=status, measured=0.5 + (i % 7) / 10, threshold=t.text,
                        display=f"{0.5 + (i % 7) / 10:.2f}") for name, t in ex.thresholds_for("cpu").items()]
        result = GradeResult(slug=ex.slug, kind=ex.kind, status=status, checks=checks, seed=i, profile="cpu",
                             started_at=started_at, duration_s=1.0 + i % 5,
                             content_hash=f"sha256:{i:064x}", message="" if status == "pass" else "below threshold")
        records.append((result.slug, result.profile, result.status, started_at.isoformat(),
                        result.duration_s, result.content_hash, None, result.seed, result.model_dump_json()))
    conn = connect(ws.db_path)
    with transaction(conn):  # the columns of tracker.ledger.Ledger.record, in one transaction
        conn.executemany("INSERT INTO attempts (slug, profile, status, started_at, duration_s, content_hash,"
                         " commit_sha, seed, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", records)
    sync_local(ws, roadmap, conn)
    conn.close()


class Start(NamedTuple):
    """One start of the dashboard, until its first paint."""

    wall: float  # seconds from spawning the interpreter
    cpu: float  # CPU seconds of the child, every thread
    queued: float  # seconds its main thread waited for a CPU that other processes held (0 where unknown)
    heavy: list[str]  # torch & co. found imported


def first_paint(ws: Workspace, pycache: Path, *, cli: bool = False, timeout_s: float = 30.0) -> Start:
    """Start the dashboard on a pseudo-terminal and report its :class:`Start`. Bytecode is cached
    under ``pycache``."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    out = Path(tempfile.mkstemp(prefix="dash-bench-", suffix=".json")[1])
    env = {**os.environ, "DASH_BENCH_OUT": str(out), "TERM": "xterm-256color", "COLUMNS": str(SIZE[0]),
           "LINES": str(SIZE[1]), "PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": str(pycache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    spawned = time.time()
    args = [sys.executable, "-c", CHILD, str(ws.root), *(["--cli"] if cli else [])]
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                            start_new_session=True)
    os.close(slave)
    deadline = time.monotonic() + timeout_s
    screen = b""
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    screen = (screen + os.read(master, 65536))[-4000:]  # drain: the child must never block
                except OSError:  # the child closed the terminal
                    break
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            raise SystemExit(f"the dashboard did not paint within {timeout_s:.0f} s") from None
    finally:
        os.close(master)
    data = json.loads(out.read_text() or "{}")
    out.unlink()
    if "painted" not in data:
        tail = screen.decode(errors="replace")[-1500:]
        raise SystemExit(f"the dashboard exited ({proc.returncode}) without reporting a first paint:\n{tail}")
    return Start(data["painted"] - spawned, data["cpu"], data["queued"], data["heavy"])


def libraries(pycache: Path) -> tuple[float, float]:
    """Wall and CPU seconds of importing :data:`LIBRARIES` alone (no terminal, nothing drawn)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": str(pycache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", LIBRARIES], env=env, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="ledger rows (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="starts of each kind, taken in turns (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dash-bench-") as tmp:
        ws = Workspace(Path(tmp) / "ws")
        scaffold(ws.root, start=dt.date(2026, 1, 5))
        t0 = time.perf_counter()
        fill_ledger(ws, args.rows)
        print(f"workspace: default roadmap, {args.rows} ledger rows (written in {time.perf_counter() - t0:.2f} s)")
        # The first start compiles llm-sprint's modules to bytecode (as `pip install` does ahead of
        # time) and caches the validated roadmap; the measured starts are the next ones, as every
        # start after installing is.
        cold = first_paint(ws, Path(tmp) / "pycache", cli=True).wall
        loads = []
        runs: dict[bool, list[Start]] = {True: [], False: []}
        libs: list[tuple[float, float]] = []
        for _ in range(args.runs):
            for cli in (True, False):
                loads.append(os.getloadavg()[0])
                runs[cli].append(first_paint(ws, Path(tmp) / "pycache", cli=cli))
            libs.append(libraries(Path(tmp) / "pycache"))
    via_cli, cli_cpu, cli_queued, cli_heavy = _median(runs[True])
    paint, cpu, queued, heavy = _median(runs[False])
    print(f"machine: {os.cpu_count()} core(s), load average {min(loads):.1f}–{max(loads):.1f} while measuring")
    print(f"first start, compiling bytecode (llm-sprint, Textual, pydantic…) and caching the roadmap: {cold:.3f} s")
    print(f"through the `sprint dash` command line: {via_cli:.3f} s to first paint, {cli_cpu:.3f} s CPU, "
          f"{cli_queued:.3f} s waiting for a CPU (median of {args.runs})")
    print(f"in-process (tracker.tui.run):          {paint:.3f} s to first paint, {cpu:.3f} s CPU, "
          f"{queued:.3f} s waiting for a CPU (median of {args.runs})")
    libs_wall, libs_cpu = statistics.median(w for w, _ in libs), statistics.median(c for _, c in libs)
    print(f"importing Typer, pydantic and Textual alone:   {libs_wall:.3f} s, {libs_cpu:.3f} s CPU (median of "
          f"{args.runs}; the rest is llm-sprint, Textual's first frames and the terminal)")
    print(f"heavy modules in the dashboard's process: {', '.join(sorted({*heavy, *cli_heavy})) or 'none'}")
    print(f"goal: through the command line <= {GOAL_S} s — {'met' if via_cli <= GOAL_S else 'NOT met'}")
    if cli_queued > 0.05 * via_cli:
        # Waiting for a CPU is other processes' doing: the goal is judged on the wall time above,
        # measured on an idle machine; this says how far a busy one moved it.
        print(f"  (the machine was busy: less the {cli_queued:.3f} s its main thread waited for a CPU, "
              f"{via_cli - cli_queued:.3f} s; measure again when idle)")
    print(f"cli_first_paint_s={via_cli:.3f} first_paint_s={paint:.3f} cli_cpu_s={cli_cpu:.3f} cpu_s={cpu:.3f} "
          f"cli_queued_s={cli_queued:.3f} libraries_cpu_s={libs_cpu:.3f}")


def _median(samples: list[Start]) -> Start:
    """The start with the median wall time (its CPU and waiting times with it), and every heavy module
    any start saw."""
    median = sorted(samples, key=lambda s: s.wall)[len(samples) // 2]
    return median._replace(heavy=sorted({m for s in samples for m in s.heavy}))


if __name__ == "__main__":
    main()
