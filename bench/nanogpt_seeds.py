"""nanogpt over several seeds: each variant trained once, its checkpoint measured at N seeds.

Training does not depend on the run's seed (the train text is the shipped split; each variant seeds
its own torch), only the hidden held-out text does, so one training per variant serves every seed.
Runs the variants' code and the measurer's evaluation *in this process* (an in-process stand-in for
the worker link) — for checking thresholds over seeds, never for grading. `sprint dev check nanogpt
--seed N` grades the same variants the real way.

Usage: python bench/nanogpt_seeds.py [--seeds N] [VARIANT ...] (default: reference, cheat-bigram,
cheat-non-causal; 5 seeds from random.Random(18) over 31 bits). Last line per variant: key=value.
"""

from __future__ import annotations

import argparse
import importlib
import random
import sys
import tempfile
import time
from typing import Any

import torch

from graders.kinds import nanogpt_adapter
from graders.kinds.nanogpt import NanoGptParams
from graders.kinds.nanogpt_measure import NanoJob, _empty, _evaluate
from graders.paths import exercise_dir
from graders.wire import Array
from tracker.devcheck import load_meta, materialise

LIBRARY = exercise_dir("nanogpt")


class _InProcess:
    """The measurer's worker handle, answered by the adapter in this process."""

    def adapter(self, fn: str, *args: Any, returns: Any = None, timeout_s: float | None = None) -> Any:
        call = getattr(nanogpt_adapter, fn.rpartition(":")[2])
        return call(*(a.to_torch() if isinstance(a, Array) else a for a in args))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("variants", nargs="*")
    ns = parser.parse_args()
    rng = random.Random(18)
    seeds = [rng.randrange(2**31) for _ in range(ns.seeds)]
    p = NanoGptParams()
    from graders.tinymodels.corpora import corpus_texts

    text = "\n\n".join(corpus_texts("general", "train", p.train_docs))
    for variant in ns.variants or ["reference", "cheat-bigram", "cheat-non-causal"]:
        with materialise(LIBRARY, LIBRARY / ".meta" / variant, load_meta(LIBRARY)) as folder, \
                tempfile.TemporaryDirectory() as out:
            sys.path.insert(0, str(folder))
            for name in ("model", "train"):
                sys.modules.pop(name, None)
            torch.set_grad_enabled(True)  # the adapter's load() turned it off for the previous variant
            started = time.process_time()
            importlib.import_module("train").train(text, out)
            cpu = time.process_time() - started
            nanogpt_adapter._state.clear()
            rows = []
            for seed in seeds:
                job = NanoJob(phase="evaluate", train_fn="train:train", model_cls="model:GPT", seed=seed,
                              train_docs=p.train_docs, out_dir=out, train_timeout_s=p.train_timeout_s,
                              hidden_docs=p.hidden_docs, targets=p.targets, context=p.context,
                              generate_tokens=p.generate_tokens)
                report = _empty()
                _evaluate(job, _InProcess(), report)  # type: ignore[arg-type]
                rows.append(report)
                print(f"  {variant} seed {seed}: bits/byte {report['bits_per_byte']:.3f} "
                      f"params {report['parameters']:,} causal {report['causal']} "
                      f"generate {report['generate_ok']}", flush=True)
            sys.path.remove(str(folder))
        bpb = [r["bits_per_byte"] for r in rows]
        print(f"variant={variant} train_cpu_s={cpu:.1f} bpb_min={min(bpb):.3f} bpb_max={max(bpb):.3f} "
              f"causal={all(r['causal'] for r in rows)} generate={all(r['generate_ok'] for r in rows)}", flush=True)


if __name__ == "__main__":
    main()
