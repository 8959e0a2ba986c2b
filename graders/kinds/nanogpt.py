"""Kind ``nanogpt``: a learner's decoder-only Transformer, written in plain PyTorch and trained from
scratch; the grader measures the checkpoint it saves.

The learner writes ``model.py`` (a ``torch.nn.Module`` class over bytes: ``forward(idx) -> logits``,
``generate(idx, max_new_tokens)``) and ``train.py`` (``train(text, out_dir)``: train on ``text`` —
the shipped general corpus's train split — and save ``config.json`` + ``model.safetensors``).
Two sandboxed runs, each a trusted measurer (``graders.kinds.nanogpt_measure``) beside a learner
worker: the first trains (within the time budget); the second starts from a folder holding only
``model.py`` and the checkpoint — none of the training code — and measures bits per byte on a
hidden held-out text drawn from the run's seed, causality, greedy generation and the parameter
count (read from the safetensors file by the measurer). The learner's sources are read here (never
run) for imports of ``transformers``: the exercise is to write the model, not to wrap one.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.faults import record_run_fault

__all__ = ["NanoGptGrader", "NanoGptParams"]

_MEASURED = ("bits_per_byte", "parameters", "causal", "generate_works")
_CHECKPOINT = ("config.json", "model.safetensors")
# The worker's OpenMP threads sleep when idle instead of spinning. Unset, libgomp busy-waits between
# the many small parallel regions of a byte-level training loop; on a busy machine a spinning thread
# holds a core its descheduled sibling needs. Measured (reference train(), 2 cores at load 5–9, torch's
# default 2 threads): 77–93 s of CPU in or out of the sandbox, 20–23 s with PASSIVE or with one thread.
_WORKER_ENV = {"OMP_WAIT_POLICY": "PASSIVE"}


class NanoGptParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    model_module: str = Field(default="model", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    model_class: str = Field(default="GPT", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    train_module: str = Field(default="train", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    train_function: str = Field(default="train", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    train_docs: int = Field(default=4000, ge=100, le=20_000, description="general-corpus train documents given")
    train_timeout_s: float = Field(default=540.0, gt=0.0, description="wall clock of train() (s); within time_budget")
    hidden_docs: int = Field(default=360, ge=50, le=500, description="hidden documents drawn per run")
    targets: int = Field(default=1024, ge=64, le=8192, description="held-out bytes scored")
    context: int = Field(default=64, ge=8, le=1024, description="longest context window scored (bytes)")
    generate_tokens: int = Field(default=16, ge=1, le=256)


class NanoGptGrader(Grader):
    kind: ClassVar[str] = "nanogpt"
    Params: ClassVar[type[BaseModel]] = NanoGptParams
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("bits_per_byte", "number", "cross-entropy on hidden held-out text, bits per byte (= per character "
               "of this ASCII corpus), each byte predicted from the bytes before it only", higher_is_better=False),
        Metric("parameters", "number", "parameters in the saved checkpoint"),
        Metric("causal", "bool", "the logits at position t do not depend on the tokens after t"),
        Metric("generate_works", "bool", "the model's generate() continues a prompt greedily"),
        Metric("no_transformers", "bool", "the model is plain PyTorch: no transformers import"),
        Metric("train_seconds", "seconds", "wall time of train()"),
    )

    def measure(self, ctx: GradeContext) -> Measurements:
        from graders.kinds.nanogpt_measure import NanoJob, NanoReport
        from graders.measurer import expect

        params = ctx.params
        assert isinstance(params, NanoGptParams)
        m = Measurements()
        for module in (params.model_module, params.train_module):
            if ctx.missing_learner_file(f"{module}.py", m):
                return m
        found = transformers_imports(ctx.learner_dir)
        m.set("no_transformers", not found,
              "" if not found else f"{found[0]} uses transformers: write the model in plain PyTorch")
        job = NanoJob(phase="train", train_fn=f"{params.train_module}:{params.train_function}",
                      model_cls=f"{params.model_module}:{params.model_class}", seed=ctx.seed,
                      train_docs=params.train_docs, out_dir="", train_timeout_s=params.train_timeout_s,
                      hidden_docs=params.hidden_docs, targets=params.targets, context=params.context,
                      generate_tokens=params.generate_tokens)
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = ctx.sandbox.measure("graders.kinds.nanogpt_measure:measure",
                                      {**job, "out_dir": str(work / "checkpoint")}, workdir=work, env=_WORKER_ENV)
            m.log = run.log()
            if record_run_fault(m, run):
                return m
            trained = expect(run.result, NanoReport, what="the nanogpt measurer's report")
            m.set("train_seconds", trained["train_seconds"])
            missing = [n for n in _CHECKPOINT if not (work / "checkpoint" / n).is_file()]
            if missing:
                m.fault(f"train() saved no {' and no '.join(missing)} in out_dir: save the model's keyword "
                        "arguments as config.json and its weights with safetensors.torch.save_model(model, "
                        "out_dir + '/model.safetensors')", checks=_MEASURED, status="fail")
                return m
            with ctx.sandbox.workdir(None) as clean:
                shutil.copyfile(work / f"{params.model_module}.py", clean / f"{params.model_module}.py")
                (clean / "checkpoint").mkdir()
                for name in _CHECKPOINT:
                    shutil.copyfile(work / "checkpoint" / name, clean / "checkpoint" / name)
                measured = ctx.sandbox.measure("graders.kinds.nanogpt_measure:measure",
                                               {**job, "phase": "evaluate", "out_dir": str(clean / "checkpoint")},
                                               workdir=clean, env=_WORKER_ENV)
        m.log += "\n--- measuring the checkpoint ---\n" + measured.log()
        if record_run_fault(m, measured, checks=_MEASURED):
            return m
        r = expect(measured.result, NanoReport, what="the nanogpt measurer's report")
        m.set("bits_per_byte", r["bits_per_byte"],
              f"{r['targets']} hidden bytes, each from the {r['context']} bytes before it")
        m.set("parameters", float(r["parameters"]))
        m.set("causal", r["causal"], r["causal_note"])
        m.set("generate_works", r["generate_ok"], r["generate_note"])
        if r["transformers_loaded"] and not found:
            m.set("no_transformers", False, "transformers was imported when your model was built")
        return m


def transformers_imports(folder: Path) -> list[str]:
    """Where the learner's sources import ``transformers`` (``file:line``), by reading them — never
    running them. A file that does not parse is left to the runs, which report it."""
    found: list[str] = []
    for path in sorted(folder.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(errors="replace"))
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names = [node.value] if node.value.split(".")[0] == "transformers" else []
            if any(n.split(".")[0] == "transformers" for n in names):
                found.append(f"{path.relative_to(folder).as_posix()}:{getattr(node, 'lineno', 0)}")
    return found
