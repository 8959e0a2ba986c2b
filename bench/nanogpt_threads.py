"""Why nanogpt's training was slow in the sandbox: the reference's ``train()`` in a plain process and
through ``Sandbox.measure``, under torch's default threads, one thread, and ``OMP_WAIT_POLICY=PASSIVE``.

On a busy machine libgomp's idle threads spin between torch's small parallel regions, holding a core
a descheduled sibling needs; the sandbox itself changes nothing (the plain process spins as much).
Run it while the machine is busy to see the difference; on an idle one the rows are close.

Usage: python bench/nanogpt_threads.py [--plain-only]. One line per row: where, env, wall_s, cpu_s.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

from graders.kinds.nanogpt import NanoGptParams
from graders.paths import exercise_dir
from graders.sandbox import Limits, Sandbox

REFERENCE = exercise_dir("nanogpt") / ".meta" / "reference"
ROWS: list[dict[str, str]] = [{}, {"OMP_NUM_THREADS": "1"}, {"OMP_WAIT_POLICY": "PASSIVE"}]
_PLAIN = """
import sys
sys.path.insert(0, sys.argv[1])
from graders.tinymodels.corpora import corpus_texts
import tempfile, train
with tempfile.TemporaryDirectory() as out:
    train.train("\\n\\n".join(corpus_texts("general", "train", int(sys.argv[2]))), out)
"""


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def plain(env: dict[str, str], docs: int) -> tuple[float, float]:
    base = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY")}
    c0, t0 = _children_cpu(), time.monotonic()
    subprocess.run([sys.executable, "-c", _PLAIN, str(REFERENCE), str(docs)], env={**base, **env}, check=True,
                   stdout=subprocess.DEVNULL)
    return time.monotonic() - t0, _children_cpu() - c0


def sandboxed(env: dict[str, str], p: NanoGptParams) -> tuple[float, float]:
    sandbox = Sandbox(Limits(wall_s=1200))
    job = {"phase": "train", "train_fn": "train:train", "model_cls": "model:GPT", "seed": 1, "train_docs": p.train_docs,
           "train_timeout_s": 1200.0, "hidden_docs": p.hidden_docs, "targets": p.targets, "context": p.context,
           "generate_tokens": p.generate_tokens}
    with sandbox.workdir(REFERENCE) as work:
        t0 = time.monotonic()
        run = sandbox.measure("graders.kinds.nanogpt_measure:measure", {**job, "out_dir": str(work / "ck")},
                              workdir=work, env=env)
        if run.fault:
            raise SystemExit(f"the sandboxed run failed: {run.fault}")
        return time.monotonic() - t0, run.cpu_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plain-only", action="store_true")
    ns = parser.parse_args()
    for name in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY"):
        os.environ.pop(name, None)  # the sandbox passes OMP_NUM_THREADS through: each row sets its own
    p = NanoGptParams()
    for env in ROWS:
        label = " ".join(f"{k}={v}" for k, v in env.items()) or "default"
        wall, cpu = plain(env, p.train_docs)
        print(f"where=plain env={label!r} wall_s={wall:.1f} cpu_s={cpu:.1f}", flush=True)
        if not ns.plain_only:
            wall, cpu = sandboxed(env, p)
            print(f"where=sandbox env={label!r} wall_s={wall:.1f} cpu_s={cpu:.1f}", flush=True)


if __name__ == "__main__":
    main()
