"""Kind ``dpo``: the learner preference-tunes the tiny Llama with TRL's DPOTrainer; a trusted process
measures the saved policy against the pristine reference.

The learner writes ``train(base_model, pairs, output_dir)``: preference-tune the causal LM in the
folder ``base_model`` on ``pairs`` (dicts with ``prompt``, ``chosen``, ``rejected``: quiz questions
about the tiny Llama's world, the chosen answer stating the fact rightly, the rejected one the same
sentence with a wrong fact — :mod:`graders.kinds.dpo_pairs`) and save the policy to ``output_dir``
(a LoRA adapter, or the full model; safetensors). Two sandboxed runs:

1. **train** (``graders.kinds.dpo_measure:train``, ``Sandbox.measure``) — the learner's code in a
   learner worker that gets the three arguments and nothing else (no seed, no hidden pairs, no
   result channel), on a private copy of the base model; timed by the measurer → ``train_seconds``;
   the learner processes' peak RSS → ``peak_memory``.
2. **measure** (``…:measure``) — a fresh trusted process on a folder holding *only* the policy's
   files (``adapter_config.json`` + ``adapter_model.safetensors``, or ``config.json`` +
   ``model.safetensors``; pickles are refused); it imports none of the learner's code, loads the
   pristine base from the cache as the reference, and measures on pairs of the hidden split drawn
   with the run's seed (a hidden pair is never a training pair, whatever seed a learner uses):

   * ``preference_accuracy`` — hidden pairs whose policy/reference log-ratio is higher for the
     chosen completion than for the rejected one;
   * ``reward_margin`` — the mean of β·(log-ratio chosen − log-ratio rejected), DPO's implicit
     reward margin, with the grader's β (params ``beta``);
   * ``rejected_reward`` — the mean β·log-ratio of the rejected completions: preference tuning
     makes the wrong answers *less* likely than the reference did; fine-tuning on the chosen
     answers alone raises them with the wording they share (.meta/design.md has the figures);
   * ``kl_from_reference`` — mean per-token KL(policy ‖ reference) on neutral text (the general
     corpus's hidden split): the policy stays near the reference, no collapse;
   * ``property_gain`` — the rate of greedy answers to the hidden pairs' questions that state the
     fact rightly (the first sentence is the chosen answer), minus the reference model's rate.

gpu profile: the same two runs on the learner's own model folder (``[grading.gpu_models]``), with
``device="cuda"``; ``pending`` without CUDA or without a configured folder. It has never run on a
GPU here.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders import gpu as _gpu
from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.faults import record_run_fault
from graders.sandbox import Limits, ProcessSpec, RunOutcome
from graders.tinymodels.trusted import tiny_model_path

if TYPE_CHECKING:
    from graders.kinds.dpo_measure import MeasureReport, TrainReport

__all__ = ["DpoGrader", "DpoParams"]

_MEASURE = "graders.kinds.dpo_measure"
_MEASURED = ("preference_accuracy", "reward_margin", "rejected_reward", "kl_from_reference", "property_gain")
_PICKLES = (".bin", ".pt", ".pth", ".pkl", ".ckpt")


class DpoParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field(default="dpo", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    function: str = Field(default="train", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    train_pairs: int = Field(default=800, ge=50, le=5000, description="training pairs handed to the learner")
    eval_pairs: int = Field(default=120, ge=20, le=1000, description="hidden pairs measured")
    neutral_docs: int = Field(default=48, ge=8, le=500, description="general-corpus documents for the KL")
    beta: float = Field(default=0.1, gt=0.0, le=10.0, description="β of the reported rewards")
    build_timeout_s: float = Field(default=1800.0, gt=0.0, description="first build of the tiny model")
    gpu_time_budget: float = Field(default=3600.0, gt=0.0, description="wall clock of each gpu-profile run (s)")
    gpu_memory: int | None = Field(default=None, gt=0, description="host-memory limit of the gpu profile's "
                                   "training run (bytes); default: this machine's RAM")


class DpoGrader(Grader):
    kind: ClassVar[str] = "dpo"
    Params: ClassVar[type[BaseModel]] = DpoParams
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("preference_accuracy", "ratio", "hidden pairs whose log-ratio ranks chosen above rejected"),
        Metric("reward_margin", "number", "mean β·(log-ratio chosen − log-ratio rejected) on hidden pairs"),
        Metric("rejected_reward", "number", "mean β·log-ratio of the rejected completions", higher_is_better=False),
        Metric("kl_from_reference", "number", "mean per-token KL(policy ‖ reference) on neutral text",
               higher_is_better=False),
        Metric("property_gain", "ratio", "greedy answers stating the fact rightly: policy − reference"),
        Metric("peak_memory", "bytes", "peak RSS of the learner's training run", profiles=("cpu",),
               higher_is_better=False),
        Metric("train_seconds", "seconds", "wall time of train()", profiles=("cpu",)),
    )

    def measure(self, ctx: GradeContext) -> Measurements:
        params = ctx.params
        assert isinstance(params, DpoParams)
        m = Measurements()
        if ctx.profile == "gpu":
            if not ctx.cuda_available:
                for name in _MEASURED:
                    m.skip(name, "needs a CUDA GPU and a model folder; this machine has no CUDA")
                return m
            folder = _gpu.model_folder(ctx, m, _MEASURED, example="Meta-Llama-3-8B-Instruct")
            if folder is None:
                return m
            limits = _gpu.gpu_limits(ctx, params.gpu_time_budget, params.gpu_memory)
            return self._grade(ctx, params, m, str(folder), _gpu.DEVICE, copy=False, limits=limits)
        model_path = tiny_model_path(params.build_timeout_s)
        if model_path.startswith("!"):
            m.fault(f"the tiny model could not be built here: {model_path[1:]}", status="error")
            return m
        return self._grade(ctx, params, m, model_path, "cpu", copy=True, limits=None)

    def _grade(self, ctx: GradeContext, params: DpoParams, m: Measurements, model_path: str, device: str, *,
               copy: bool, limits: Limits | None) -> Measurements:
        from graders.kinds.dpo_pairs import pairs

        if ctx.missing_learner_file(f"{params.module}.py", m):
            return m
        before = _gpu.fingerprint(Path(model_path))
        training = [p._asdict() for p in pairs("train", ctx.seed, params.train_pairs)]
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            base = str(work / "base_model") if copy else model_path
            if copy:
                shutil.copytree(model_path, base)
            run = _train(ctx, params, work, base, training, limits)
            m.log = run.log()
            if record_run_fault(m, run):
                return m
            trained = _train_report(run)
            if device == "cpu":
                m.set("train_seconds", trained["train_seconds"], "timed by the grader's measurer")
                m.set("peak_memory", float(run.peak_rss))
            if _gpu.fingerprint(Path(model_path)) != before:
                m.fault(f"the files in {model_path} changed while train() ran: the reference model must stay as "
                        "it is (save the policy only to output_dir)", checks=_MEASURED, status="fail")
                return m
            problem = policy_problem(work / "policy")
            if problem:
                m.fault(problem, checks=_MEASURED, status="fail")
                return m
            measured = _measure_policy(ctx, params, work / "policy", model_path, device, limits)
        if measured.fault:
            m.log += "\n--- measuring the policy ---\n" + measured.log()
            record_run_fault(m, measured, checks=_MEASURED)
            return m
        data = _measure_report(measured)
        beta = params.beta
        m.set("preference_accuracy", data["preference_accuracy"],
              f"{params.eval_pairs} hidden pairs; policy: {data['form']}")
        m.set("reward_margin", data["reward_margin"],
              f"β={beta}: chosen {data['chosen_reward']:+.3f}, rejected {data['rejected_reward']:+.3f}")
        m.set("rejected_reward", data["rejected_reward"], f"β={beta}; chosen {data['chosen_reward']:+.3f}")
        m.set("kl_from_reference", data["kl_from_reference"], f"{params.neutral_docs} general-corpus documents")
        example = "; ".join(f"{q} → {a!r}" for q, a in data["examples"][:2])
        m.set("property_gain", data["property_rate"] - data["reference_property_rate"],
              f"right answers {data['reference_property_rate']:.0%} → {data['property_rate']:.0%} "
              f"(e.g. {example})")
        return m


def policy_problem(folder: Path) -> str | None:
    """Why the saved policy cannot be measured, in words a learner can act on; None when it can."""
    from graders.kinds.dpo_measure import ADAPTER_FILES, FULL_FILES

    if not folder.is_dir():
        return "the output folder does not exist: save the policy to output_dir"
    for files in (ADAPTER_FILES, FULL_FILES):
        if (folder / files[0]).is_file() and (folder / files[1]).is_file():
            return None
    pickled = sorted(p.name for p in folder.iterdir() if p.suffix in _PICKLES and p.name != "training_args.bin")
    if pickled:
        return (f"the weights are pickled ({pickled[0]}); the grader loads safetensors only: save with "
                "save_pretrained(output_dir) or trainer.save_model(output_dir) (safe_serialization is the default)")
    shards = sorted(p.name for p in folder.glob("model-*.safetensors"))
    if shards:
        return (f"the weights are sharded ({shards[0]}, …); save them as one model.safetensors "
                "(save_pretrained(output_dir, max_shard_size=\"100GB\"))")
    return (f"{folder.name}/ holds neither a LoRA adapter ({' + '.join(ADAPTER_FILES)}) nor a full model "
            f"({' + '.join(FULL_FILES)}): save the policy with trainer.save_model(output_dir)")


def _train(ctx: GradeContext, params: DpoParams, work: Path, base_model: str, training: list[dict[str, str]],
           limits: Limits | None) -> RunOutcome:
    """Run ``dpo_measure:train``: the learner's ``train`` in a worker, timed by a measurer."""
    from graders.kinds.dpo_measure import TrainJob

    job = TrainJob(module=params.module, function=params.function, base_model=base_model, pairs=training,
                   output_dir=str(work / "policy"))
    return ctx.sandbox.measure(f"{_MEASURE}:train", job, workdir=work, limits=limits)


def _train_report(run: RunOutcome) -> TrainReport:
    from graders.kinds.dpo_measure import TrainReport
    from graders.measurer import expect

    return expect(run.result, TrainReport, what="the dpo measurer's training report")


def _measure_report(run: RunOutcome) -> MeasureReport:
    from graders.kinds.dpo_measure import MeasureReport
    from graders.measurer import expect

    return expect(run.result, MeasureReport, what="the dpo measurer's policy report")


def _measure_policy(ctx: GradeContext, params: DpoParams, policy: Path, model_path: str, device: str,
                    limits: Limits | None) -> RunOutcome:
    """Run ``dpo_measure:measure`` in a fresh trusted process on a folder holding only the policy's
    two files (it imports none of the learner's code)."""
    from graders.kinds.dpo_measure import ADAPTER_FILES, FULL_FILES, MeasureJob

    files = ADAPTER_FILES if (policy / ADAPTER_FILES[0]).is_file() else FULL_FILES
    with ctx.sandbox.workdir(None) as clean:
        (clean / "policy").mkdir()
        for name in files:
            shutil.copyfile(policy / name, clean / "policy" / name)
        job = MeasureJob(model_path=model_path, policy_dir=str(clean / "policy"), seed=ctx.seed,
                         eval_pairs=params.eval_pairs, neutral_docs=params.neutral_docs, beta=params.beta,
                         device=device)
        spec = ProcessSpec(name="measure", main=True, learner=False, harness=(f"{_MEASURE}:measure", job))
        return ctx.sandbox.run([spec], workdir=clean, limits=limits)
