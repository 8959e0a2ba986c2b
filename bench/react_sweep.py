"""hallucination-eval over many seeds: each variant's figures against the cpu thresholds.

Runs the exercise's agents *in this process* against the measurer's own services (the scripted
model, search, calculator, budgets and judge of graders.kinds.react_measure) — no sandbox, so a
seed costs a fraction of a second and a sweep over 200 seeds takes minutes. It is for setting and
checking thresholds, never for grading: the agents here could reach everything. (`sprint dev check
hallucination-eval --seed N` grades the same variants the real way.)

Usage: python bench/react_sweep.py [--seeds N] [VARIANT ...]   (default: every variant, 200 seeds
drawn from random.Random(7) over 31 bits, as `sprint grade` draws them). Prints, per variant, each
metric's min–max (mean) and at how many seeds each threshold is met; last line per variant:
key=value pairs.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from graders.kinds._meta import load_meta_module
from graders.kinds.react_adapter import CALCULATOR, SEARCH
from graders.kinds.react_measure import ReactJob, Session, _same
from graders.kinds.react_model import ScriptedModel, draw_rates, judge
from graders.measurer import ServiceRefused
from graders.paths import exercise_dir

META = exercise_dir("hallucination-eval") / ".meta"
THRESHOLDS = {"hall": 0.10, "acc": 0.75, "abst": 0.80, "steps": 10.0}


class _Tool:
    def __init__(self, name: str, description: str, ask: Any) -> None:
        self.name, self.description, self._ask = name, description, ask

    def __call__(self, text: str) -> str:
        return str(self._ask(text))


def _forward(service: Any) -> Any:
    def call(*args: Any) -> Any:
        try:
            return service(list(args))
        except ServiceRefused as exc:
            raise RuntimeError(str(exc)) from None
    return call


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"agent_{path.parent.name.replace('-', '_')}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(agent: ModuleType, kb: ModuleType, seed: int) -> dict[str, Any]:
    """One seed: the agent on every question, scored as the measurer scores it."""
    world, rates = kb.generate(seed), draw_rates(seed)
    job = ReactJob(module="agent", function="answer", seed=seed, kb_path="", model_calls=30, tool_calls=20,
                   question_timeout_s=20.0, backend="scripted", model_path="", device="cpu", max_new_tokens=160)
    answered = supported = correct = abstained = errored = calls = foreign = 0
    for q in world.questions:
        model = ScriptedModel({kb.normalise_question(q.text): q}, kb.normalise_question, rates, world.domains,
                              random.Random(f"react-model:{seed}:{q.id}"))
        session = Session(q, world, job, model)
        ask_model = _forward(session.ask_model)
        tools = {"search": _Tool("search", SEARCH, _forward(session.ask_search)),
                 "calculator": _Tool("calculator", CALCULATOR, _forward(session.ask_calculator))}
        try:
            reply = agent.answer(q.text, lambda prompt, stop=None: ask_model(prompt, stop), tools)  # noqa: B023
        except Exception:  # as the measurer: an exception is no answer
            errored += 1
            reply = None
        calls += session.model_calls
        if reply is None:
            abstained += q.truth is None
            continue
        answered += 1
        foreign += not any(_same(str(reply), said) for said in model.final_answers)
        if judge(q, str(reply), world.domains):
            supported += 1
            correct += q.truth is not None
    n = len(world.questions)
    return {"hall": (answered - supported) / answered if answered else None,
            "acc": correct / world.answerable, "abst": abstained / (n - world.answerable),
            "steps": calls / n, "errored": errored, "foreign": foreign}


def passes(row: dict[str, Any]) -> bool:
    return (row["hall"] is not None and row["hall"] <= THRESHOLDS["hall"] and row["acc"] >= THRESHOLDS["acc"]
            and row["abst"] >= THRESHOLDS["abst"] and row["steps"] <= THRESHOLDS["steps"] and row["foreign"] == 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("variants", nargs="*", help="reference, cheat-… (default: all but the forge cheats)")
    ns = parser.parse_args()
    kb = load_meta_module(META / "kb.py")
    cheats = sorted(p.name for p in META.glob("cheat-*") if not p.name.startswith("cheat-forge"))
    variants = ns.variants or ["reference", *cheats]
    rng = random.Random(7)
    seeds = [rng.randrange(2**31) for _ in range(ns.seeds)]
    for name in variants:
        agent = _load(META / name / "agent.py")
        rows = [run(agent, kb, seed) for seed in seeds]
        spans = {}
        for key in ("hall", "acc", "abst", "steps"):
            values = [r[key] for r in rows if r[key] is not None]
            spans[key] = f"{min(values):.3f}–{max(values):.3f} (mean {statistics.mean(values):.3f})" if values \
                else "n/a"
        met = {"hall": sum(r["hall"] is not None and r["hall"] <= THRESHOLDS["hall"] for r in rows),
               "acc": sum(r["acc"] >= THRESHOLDS["acc"] for r in rows),
               "abst": sum(r["abst"] >= THRESHOLDS["abst"] for r in rows),
               "steps": sum(r["steps"] <= THRESHOLDS["steps"] for r in rows)}
        print(f"{name}: " + "  ".join(f"{k} {v}" for k, v in spans.items()))
        print(f"  thresholds met at (of {len(rows)} seeds): {met}; all checks pass at {sum(map(passes, rows))}")
        print(f"variant={name} seeds={len(rows)} all_pass={sum(map(passes, rows))} "
              + " ".join(f"{k}_met={v}" for k, v in met.items()), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
