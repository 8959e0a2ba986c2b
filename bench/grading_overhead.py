"""Grading overhead per run, and the cost of `sprint grade --changed` with 1 of N exercises changed.

1. Sandbox overhead, before and after the worker/measurer split (issue 13), in the same run:
   * *one process*: a no-op child entry point through the full sandbox (supervisor, namespace,
     harness, authenticated channel) — how every kind measured before issue 13 (no kind of the
     library runs the learner's code this way any more);
   * *measurer + worker*: ``Sandbox.measure`` with the smallest measurer (graders.measurer:probe)
     calling a no-op learner function in the learner worker — two processes, the link's greeting
     and one call;
   * one call's round trip on the link (request sent → reply received, as the measurer times it);
   next to a bare `python -c pass`.
2. A trivial exercise graded end to end (csv-to-json's reference: 7 hidden CSVs, one of 10k rows),
   through the kind as it is now and through the one-process path it had before (its old child
   code, run here as the learner's harness entry).
3. `--changed`: a library of N copies of csv-to-json; grade all N, change one, grade --changed.
4. Cold vs warm start (graders.zygote), in the same run: a no-op whose learner worker imports torch,
   transformers and peft (``Sandbox.measure``), and one lora-finetune reference grade, each started
   cold and then warm from a zygote that has imported them — per run: wall time and CPU time (every
   process of the run, the tracker's included; the zygote's one-off imports printed apart).

   The lora figures include its training: on a shared machine, torch's two intra-op threads spin
   while waiting for a descheduled sibling, and the same 300 training steps measured 2.9–23.6 s of CPU
   run to run (0.43–0.49 s with one thread) — noise larger than the imports saved. For comparable
   figures run this part with ``OMP_NUM_THREADS=1`` (the sandbox passes it through to every run).

Usage: python bench/grading_overhead.py [--n 8] [--only warm|overhead]. Last line: key=value pairs.
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
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def median_time(fn: object, runs: int) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def sandbox_overhead(runs: int) -> tuple[float, float, float, float]:
    """(one-process run, measurer + worker run, one call's round trip, bare interpreter), medians."""
    from graders.measurer import ProbeJob
    from graders.sandbox import Sandbox

    sandbox = Sandbox()
    calls: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "noop.py").write_text("def run(args, channel):\n    channel.result(ok=True)\n\n\n"
                                           "def noop():\n    return True\n")

        def one() -> None:
            with sandbox.workdir(Path(tmp)) as work:
                out = sandbox.call("noop:run", {}, workdir=work)
                assert out.result == {"ok": True}, out.fault

        def split() -> None:
            with sandbox.workdir(Path(tmp)) as work:
                out = sandbox.measure("graders.measurer:probe", ProbeJob(fn="noop:noop", args=[], memory=False),
                                      workdir=work)
                assert out.result and out.result["value"] is True, out.fault
                calls.append(float(out.result["seconds"]))

        bare = median_time(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), runs)
        return median_time(one, runs), median_time(split, runs), statistics.median(calls), bare


# The function kind's child before issue 13, verbatim but for the import of learner_traceback: it ran
# in the learner's process, holding the result channel, and timed the call there.
OLD_FUNCTION_CHILD = '''
import importlib, json, os, time
from graders.harness.channel import learner_traceback

def _jsonable(value):
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)

def run(args, channel):
    workdir = os.getcwd()
    module = importlib.import_module(args["module"])
    fn = getattr(module, args["function"], None)
    if not callable(fn):
        channel.fault(f"{args['module']}.py has no function {args['function']}()", status="fail")
        return
    answers = []
    for case in args["cases"]:
        t0 = time.perf_counter()
        try:
            returned = fn(*case["args"])
        except NotImplementedError:
            raise
        except Exception as exc:
            answers.append({"name": case["name"], "error": learner_traceback(exc, workdir).splitlines()[-1]})
            continue
        answers.append({"name": case["name"], "return": _jsonable(returned), "seconds": time.perf_counter() - t0})
    channel.result(cases=answers)
'''


def csv_one_process(lib: Path) -> None:
    """csv-to-json's reference graded the way the function kind did before issue 13: cases drawn and
    compared in the tracker, the learner's function called by a child next to it in one process."""
    from graders.kinds._meta import load_meta_module
    from graders.sandbox import Sandbox

    meta = load_meta_module(lib / ".meta" / "cases.py")
    cases = meta.generate(20261122)
    sandbox = Sandbox()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "learner"
        shutil.copytree(lib / ".meta" / "reference", src)
        (src / "old_function_child.py").write_text(OLD_FUNCTION_CHILD)
        with sandbox.workdir(src) as work:
            calls = []
            for case in cases:
                folder = work / ".cases" / case.name
                folder.mkdir(parents=True)
                for rel, content in case.files.items():
                    (folder / rel).write_text(content, encoding="utf-8", newline="")
                args = [str(folder / a["path"]) if isinstance(a, dict) else a for a in case.args]
                calls.append({"name": case.name, "args": args})
            run = sandbox.call("old_function_child:run", {"module": "data_loader", "function": "csv_to_json",
                                                          "cases": calls}, workdir=work)
            answers = {a["name"]: a for a in (run.result or {}).get("cases", [])}
            correct = sum(meta.compare(c, answers[c.name].get("return"),
                                       {r: (work / ".cases" / c.name / r).read_bytes() for r in c.outputs}) is None
                          for c in cases)
            assert correct == len(cases), run.fault


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


TORCH_NOOP = """
def noop():
    import torch, transformers, peft  # what a lora worker imports before the learner's code does anything
    return torch.__version__
"""


def _tick_s(ticks: str) -> float:
    return int(ticks) / os.sysconf("SC_CLK_TCK")


def tree_cpu() -> tuple[float, float]:
    """(CPU seconds of this process and every run it waited for, including those a zygote forked and
    reaped; CPU seconds of the zygotes' own work — their imports), so far."""
    import resource

    from graders import zygote

    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    runs = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    own = 0.0
    for z in zygote._pool.values():
        with open(f"/proc/{z.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        utime, stime, cutime, cstime = (_tick_s(x) for x in fields[11:15])  # stat fields 14-17
        own += utime + stime
        runs += cutime + cstime
    return runs, own


def measured(fn: object) -> tuple[float, float, float]:
    """(wall, CPU of the runs, CPU of zygotes' own work) of one call of ``fn``."""
    c0, z0 = tree_cpu()
    t0 = time.perf_counter()
    fn()  # type: ignore[operator]
    wall = time.perf_counter() - t0
    c1, z1 = tree_cpu()
    return wall, c1 - c0, z1 - z0


def warm_vs_cold(runs: int) -> dict[str, float]:
    """Per-run wall and CPU, cold and warm, of a torch-importing no-op and of one lora reference grade."""
    from graders import zygote
    from graders.kinds.lora import PRELOAD
    from graders.measurer import ProbeJob
    from graders.sandbox import Sandbox
    from tracker.grading import GradeTarget, grade
    from tracker.roadmap import load_roadmap

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "tnoop.py").write_text(TORCH_NOOP)

        def noop(warm: bool) -> None:
            sandbox = Sandbox(warm=warm, preload=PRELOAD)
            with sandbox.workdir(Path(tmp)) as work:
                out = sandbox.measure("graders.measurer:probe", ProbeJob(fn="tnoop:noop", args=[], memory=False),
                                      workdir=work, preload=PRELOAD)
            assert out.result and isinstance(out.result["value"], str), (out.fault, out.log())

        zygote.shutdown()
        start = measured(lambda: noop(True))  # starts the zygote: its imports, paid once per tracker process
        figures["zygote_start_s"], figures["zygote_start_cpu_s"] = start[0], start[2]
        for mode in ("cold", "warm"):
            samples = [measured(lambda m=mode: noop(m == "warm")) for _ in range(runs)]
            figures[f"noop_{mode}_s"] = statistics.median(s[0] for s in samples)
            figures[f"noop_{mode}_cpu_s"] = statistics.median(s[1] for s in samples)

    ex = load_roadmap(REPO / "roadmap.yaml").exercise("lora-finetune")
    assert ex is not None
    # A generous wall limit: this measures cost, and a shared machine must not turn it into a timeout.
    ex = ex.model_copy(update={"time_budget": 1800})
    lib = REPO / "exercises" / "lora-finetune"
    for mode in ("cold", "warm"):
        os.environ["LLM_SPRINT_WARM_START"] = "1" if mode == "warm" else "0"
        results: list[Any] = []

        def lora(into: list[Any] = results) -> None:
            into.append(grade(GradeTarget(ex, lib / ".meta" / "reference", lib), profile="cpu", seed=20261122,
                              cuda=False))

        wall, cpu, _ = measured(lora)
        (result,) = results
        print(f"lora-finetune reference, {mode}: {result.status} — "
              + ", ".join(f"{c.name}={c.status}" for c in result.checks) + " — "
              + ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in result.metrics.items()),
              flush=True)
        assert result.status == "pass", f"the lora reference must pass {mode}: {result.message}"
        figures[f"lora_{mode}_s"], figures[f"lora_{mode}_cpu_s"] = wall, cpu
    os.environ.pop("LLM_SPRINT_WARM_START", None)
    zygote.shutdown()
    return figures


def print_warm(f: dict[str, float]) -> None:
    print(f"zygote start (torch+transformers+peft imported once)  {f['zygote_start_s']:6.2f} s wall  "
          f"{f['zygote_start_cpu_s']:6.2f} s CPU")
    for what, label in (("noop", "torch-importing no-op"), ("lora", "lora-finetune reference grade")):
        cold, warm = f[f"{what}_cold_s"], f[f"{what}_warm_s"]
        ccpu, wcpu = f[f"{what}_cold_cpu_s"], f[f"{what}_warm_cpu_s"]
        print(f"{label:30s} cold {cold:7.2f} s wall {ccpu:7.2f} s CPU | warm {warm:7.2f} s wall {wcpu:7.2f} s CPU"
              f" | warm/cold {warm / cold:.2f} wall, {wcpu / max(ccpu, 1e-9):.2f} CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--only", choices=("warm", "overhead"), default=None,
                        help="only the cold-vs-warm figures, or only the others")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.only == "warm":
        figures = warm_vs_cold(max(1, args.runs // 3))
        print_warm(figures)
        print(" ".join(f"{k}={v:.2f}" for k, v in figures.items()))
        return
    overhead, split, call, bare = sandbox_overhead(args.runs)
    from tracker.grading import GradeTarget, grade
    from tracker.roadmap import load_roadmap

    ex = load_roadmap(REPO / "roadmap.yaml").exercise("csv-to-json")
    assert ex is not None
    lib = REPO / "exercises" / "csv-to-json"
    repeats = max(3, args.runs // 2)
    trivial = median_time(lambda: grade(GradeTarget(ex, lib / ".meta" / "reference", lib), profile="cpu",
                                        cuda=False), repeats)
    trivial_before = median_time(lambda: csv_one_process(lib), repeats)
    all_n, one, graded = changed_cost(args.n)
    warm = warm_vs_cold(max(1, args.runs // 3)) if args.only is None else {}
    print(f"bare python start              {bare * 1000:7.1f} ms")
    print(f"sandboxed no-op, one process   {overhead * 1000:7.1f} ms  (overhead {1000 * (overhead - bare):.1f} ms "
          "over a bare interpreter start; before the split)")
    print(f"sandboxed no-op, measurer+worker {split * 1000:5.1f} ms  (overhead {1000 * (split - bare):.1f} ms; "
          f"the split costs {1000 * (split - overhead):.1f} ms per run)")
    print(f"one call on the worker link    {call * 1000:7.2f} ms  (request sent → reply received)")
    print(f"csv-to-json end to end, before {trivial_before * 1000:6.1f} ms  (one process: the old function child)")
    print(f"csv-to-json end to end, after  {trivial * 1000:6.1f} ms  (measurer + worker)")
    if warm:
        print_warm(warm)
    print(f"grade all {args.n} exercises            {all_n:7.2f} s")
    print(f"grade --changed (1 of {args.n})        {one:7.2f} s  ({graded} graded; {one / all_n:.2f} of grading all)")
    print(f"sandbox_ms={overhead * 1000:.1f} split_ms={split * 1000:.1f} call_ms={call * 1000:.2f} "
          f"bare_python_ms={bare * 1000:.1f} trivial_grade_before_ms={trivial_before * 1000:.1f} "
          f"trivial_grade_ms={trivial * 1000:.1f} all_n_s={all_n:.2f} changed_1_s={one:.2f} "
          f"changed_ratio={one / all_n:.3f} n={args.n}" + "".join(f" {k}={v:.2f}" for k, v in warm.items()))


if __name__ == "__main__":
    main()
