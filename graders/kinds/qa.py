"""Kind ``qa``: the learner fine-tunes an encoder for extractive question answering; a trusted process scores it.

The learner writes ``train(base_model, train_file, dev_file, output_dir)``: fine-tune the encoder in
the folder ``base_model`` for span extraction on the SQuAD v1.1-format questions in ``train_file``
(``dev_file``: more of the same, for their own evaluation) and save a model
``AutoModelForQuestionAnswering`` loads, with its tokenizer, to ``output_dir``. Two sandboxed runs:

1. **train** (``graders.kinds.qa_train_measure``) — a trusted measurer draws the run's training
   world from the seed, writes the questions into the run folder and calls ``train`` in a learner
   worker (graders.measurer), timed from outside (``train_seconds``). The base model is a private
   copy of the cached tiny BERT (``graders.tinymodels.encoder``).
2. **measure** (``graders.kinds.qa_measure``) — a fresh trusted process on a folder holding only the
   saved model's configuration, safetensors weights and tokenizer files (pickles and code are
   refused); it imports none of the learner's code. It draws the hidden questions from a world of
   their own (fresh names: nothing there was trained on) and measures SQuAD's ``f1`` and
   ``exact_match`` (official normalisation), and beside them the F1 of two heuristic baselines on
   the same questions: the first entity of the answer's type (``baseline_f1``) and the first entity
   of that type in the sentence sharing most words with the question (``sentence_baseline_f1``).

gpu profile (seed 001 weeks 3–4: BERT-base on SQuAD v1.1, F1 ≥ 80): the learner's folder
(``[grading.gpu_models]`` ``extractive-qa``) holds SQuAD v1.1's ``train-v1.1.json`` and
``dev-v1.1.json`` and a BERT-base model folder (a subfolder with ``config.json``). ``train`` gets
that base model and SQuAD's train file; the saved model is measured on SQuAD's dev set.
``pending`` without CUDA or without a configured folder, ``error`` naming what is missing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders import gpu as _gpu
from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.faults import record_run_fault
from graders.sandbox import Limits, ProcessSpec, RunOutcome
from graders.tinymodels.trusted import tiny_encoder_path

__all__ = ["QaGrader", "QaParams"]

# The files of a saved model the measuring process may see: configuration, safetensors weights and
# tokenizer files. No pickle (*.bin, *.pt), no code (*.py): nothing that executes on load.
MODEL_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
               "special_tokens_map.json", "vocab.txt")
MEASURED = ("f1", "exact_match")


class QaParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field(default="qa", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    function: str = Field(default="train", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    train_examples: int = Field(default=20_000, ge=10, le=100_000, description="training questions written per run")
    dev_examples: int = Field(default=200, ge=0, le=10_000, description="development questions written per run")
    hidden_examples: int = Field(default=300, ge=10, le=5_000, description="hidden questions scored per run")
    max_answer_tokens: int = Field(default=30, ge=1, le=512)
    build_timeout_s: float = Field(default=1800.0, gt=0.0, description="first build of the tiny encoder")
    gpu_time_budget: float = Field(default=7200.0, gt=0.0, description="wall clock of each gpu-profile run (s)")
    gpu_memory: int | None = Field(default=None, gt=0, description="host-memory limit of the gpu runs (bytes)")


class QaGrader(Grader):
    kind: ClassVar[str] = "qa"
    Params: ClassVar[type[BaseModel]] = QaParams
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("f1", "ratio", "SQuAD F1 on the hidden questions (official normalisation)", higher_is_better=True),
        Metric("exact_match", "ratio", "SQuAD exact match on the hidden questions", higher_is_better=True),
        Metric("baseline_f1", "ratio", "F1 of the first entity of the answer's type, same questions",
               profiles=("cpu",)),
        Metric("sentence_baseline_f1", "ratio", "F1 of the first entity of the answer's type in the sentence "
               "sharing most words with the question", profiles=("cpu",)),
        Metric("train_seconds", "seconds", "wall time of train(), measured from outside"),
    )

    def measure(self, ctx: GradeContext) -> Measurements:
        params = ctx.params
        assert isinstance(params, QaParams)
        m = Measurements()
        if ctx.profile == "gpu":
            return self._measure_gpu(ctx, params, m)
        if ctx.missing_learner_file(f"{params.module}.py", m):
            return m
        base = tiny_encoder_path(params.build_timeout_s)
        if base.startswith("!"):
            m.fault(f"the tiny encoder could not be built here: {base[1:]}", status="error")
            return m
        config = json.loads((Path(base) / "config.json").read_text(encoding="utf-8"))
        shape = {k: config[k] for k in ("model_type", "hidden_size", "num_hidden_layers", "vocab_size")}
        return self._train_and_measure(ctx, params, m, base=Path(base), squad=None, shape=shape)

    def _train_and_measure(self, ctx: GradeContext, params: QaParams, m: Measurements, *, base: Path,
                           squad: Path | None, shape: dict[str, Any], limits: Limits | None = None,
                           device: str = "cpu") -> Measurements:
        from graders.kinds.qa_train_measure import QaTrainJob, QaTrainReport
        from graders.measurer import expect

        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            if squad is None:  # a private copy: the learner's code cannot change the cached one
                shutil.copytree(base, work / "base_model")
                base = work / "base_model"
            job = QaTrainJob(module=params.module, function=params.function, seed=ctx.seed, base_model=str(base),
                             output_dir=str(work / "qa_model"), train_examples=params.train_examples,
                             dev_examples=params.dev_examples, squad_dir=None if squad is None else str(squad))
            run = ctx.sandbox.measure("graders.kinds.qa_train_measure:measure", job, workdir=work, limits=limits)
            m.log = run.log()
            if record_run_fault(m, run):
                return m
            report = expect(run.result, QaTrainReport, what="the qa training run's report")
            m.set("train_seconds", report["train_seconds"])
            problem = saved_model_problem(work / "qa_model")
            if problem:
                m.fault(problem, checks=MEASURED, status="fail")
                return m
            measured = _measure_model(ctx, work / "qa_model", {
                "seed": ctx.seed, "hidden_examples": params.hidden_examples, "expect_shape": shape,
                "max_answer_tokens": params.max_answer_tokens, "device": device,
                "squad_dir": None if squad is None else str(squad)}, limits)
        if measured.fault:
            m.log += "\n--- measuring the saved model ---\n" + measured.log()
            record_run_fault(m, measured, checks=MEASURED)
            return m
        data = measured.result or {}
        wrong = "; ".join(f"{e['question']!r} → {e['predicted']!r} (answer {e['answer']!r})"
                          for e in data.get("examples", []))
        m.set("f1", data["f1"], f"{data['questions']} hidden questions" + (f"; e.g. {wrong}" if wrong else ""))
        m.set("exact_match", data["exact_match"])
        if data.get("baseline_f1") is not None:
            m.set("baseline_f1", data["baseline_f1"])
            m.set("sentence_baseline_f1", data["sentence_baseline_f1"])
        return m

    def _measure_gpu(self, ctx: GradeContext, params: QaParams, m: Measurements) -> Measurements:
        """BERT-base on SQuAD v1.1 (see the module docstring); pending or error when it cannot run."""
        if not ctx.cuda_available:
            for name in (*MEASURED, "train_seconds"):
                m.skip(name, "needs a CUDA GPU, BERT-base and SQuAD v1.1; this machine has no CUDA")
            return m
        found = gpu_folder(ctx, m)
        if found is None:
            return m
        squad, model = found
        if ctx.missing_learner_file(f"{params.module}.py", m):
            return m
        config = json.loads((model / "config.json").read_text(encoding="utf-8"))
        shape = {k: config.get(k) for k in ("model_type", "hidden_size", "num_hidden_layers")}
        limits = _gpu.gpu_limits(ctx, params.gpu_time_budget, params.gpu_memory)
        return self._train_and_measure(ctx, params, m, base=model, squad=squad, shape=shape, limits=limits,
                                       device=_gpu.DEVICE)


def gpu_folder(ctx: GradeContext, m: Measurements) -> tuple[Path, Path] | None:
    """(the SQuAD folder, the BERT-base folder inside it) of the gpu profile; None after recording why
    not (graders.gpu.model_folder: ``pending`` when no folder is configured, ``error`` naming what is
    missing)."""
    folder = _gpu.model_folder(ctx, m, (*MEASURED, "train_seconds"), example="squad-v1.1",
                               holding="SQuAD v1.1 (train-v1.1.json, dev-v1.1.json) and a BERT-base model folder "
                                       "(a subfolder with config.json and *.safetensors) in one folder",
                               problem=_squad_folder_problem)
    return None if folder is None else (folder, _model_subfolders(folder)[0])


def _model_subfolders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if (p / "config.json").is_file())


def _squad_folder_problem(folder: Path) -> str | None:
    missing = [n for n in ("train-v1.1.json", "dev-v1.1.json") if not (folder / n).is_file()]
    if missing:
        return f"has no {' or '.join(missing)} (SQuAD v1.1's files)"
    if not _model_subfolders(folder):
        return "has no BERT-base model folder (a subfolder with config.json and *.safetensors)"
    return None


def saved_model_problem(folder: Path) -> str | None:
    """Why the saved model cannot be measured, in words a learner can act on; None when it can."""
    if not (folder / "config.json").is_file():
        return "no config.json in the output folder: save the model with model.save_pretrained(output_dir)"
    if not (folder / "model.safetensors").is_file():
        pickled = [p.name for p in folder.iterdir() if p.suffix in (".bin", ".pt", ".pth", ".pkl")]
        if pickled:
            return (f"the weights are pickled ({pickled[0]}); the grader loads safetensors only: "
                    "model.save_pretrained(output_dir) with the default safe_serialization=True")
        return "no model.safetensors in the output folder: save the model with model.save_pretrained(output_dir)"
    if not (folder / "tokenizer.json").is_file():
        return "no tokenizer.json in the output folder: save the tokenizer too, tokenizer.save_pretrained(output_dir)"
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    if config.get("auto_map"):
        return ("config.json asks for custom model code (auto_map): the grader loads standard transformers classes "
                "only — save a BertForQuestionAnswering (AutoModelForQuestionAnswering)")
    return None


def _measure_model(ctx: GradeContext, model_dir: Path, args: dict[str, Any], limits: Limits | None) -> RunOutcome:
    """Run ``qa_measure:measure`` in a fresh trusted process on a folder holding only :data:`MODEL_FILES`."""
    with ctx.sandbox.workdir(None) as clean:
        (clean / "model").mkdir()
        for name in MODEL_FILES:
            if (model_dir / name).is_file():
                shutil.copyfile(model_dir / name, clean / "model" / name)
        spec = ProcessSpec(name="measure", main=True, learner=False, harness=(
            "graders.kinds.qa_measure:measure", {**args, "model_dir": str(clean / "model")}))
        return ctx.sandbox.run([spec], workdir=clean, limits=limits)
