"""Kind ``lora``: the learner fine-tunes the tiny Llama with LoRA; a trusted process measures the adapter.

The learner writes ``finetune(base_model, train_texts, output_dir)``: train a PEFT LoRA adapter for
the causal LM in the folder ``base_model`` (config, safetensors weights, tokenizer) on
``train_texts`` (the FAQ corpus of ``graders.tinymodels``, 5 000 ``Q: … A: …`` pairs) and save it
with ``save_pretrained(output_dir)``. Two sandboxed runs:

1. **train** (``graders.kinds.lora_measure:train``, ``Sandbox.measure``) — the learner's code, in a
   learner worker that gets the three arguments of ``finetune`` and nothing else (no seed, no
   hidden split, no result channel), on a private copy of the base model (so it cannot touch the
   cached one); timed by the trusted measurer beside it → ``train_seconds``; the learner processes'
   peak RSS, read by the supervisor → ``peak_memory``.
2. **measure** (``…:measure``) — a fresh trusted process on a folder holding *only* the adapter's
   ``adapter_config.json`` and ``adapter_model.safetensors`` (pickled weights are refused); it
   imports none of the learner's code. It loads the pristine base from the cache and the adapter
   with peft and measures, on FAQ documents of the hidden split drawn with the run's seed (never
   in the training split, whatever seed a learner uses):

   * ``adapted_ppl`` and ``ppl_change`` — perplexity with the adapter, and its change over the base;
   * ``trainable_fraction`` — elements stored in the adapter (LoRA matrices and any
     ``modules_to_save``) / the base model's parameters: a full fine-tune in disguise fails here;
   * ``base_untouched`` — the cached base weights are byte-identical before and after; the adapter
     file holds nothing but LoRA matrices and declared ``modules_to_save`` (peft would load any other
     key into the base model, overwriting its weights); and the model with the adapter disabled
     scores exactly the base perplexity;
   * ``merged_logits_match`` — ``merge_and_unload()`` gives the adapter model's logits (max |Δ| ≤ 1e-3).

gpu profile (QLoRA of an 8B model, seed 001 weeks 5–6), on the learner's own model folder
(``ctx.gpu_model``, from ``[grading.gpu_models]`` in sprint.toml), used in place (16 GB are not
copied; a stat fingerprint of the folder must be the same after training): the same two runs,
with ``device="cuda"``. **train** measures ``peak_vram`` (``torch.cuda.max_memory_allocated``,
summed over the GPUs, from before the learner's module is imported); **measure** loads the base in
4-bit NF4 (bitsandbytes, bfloat16 compute) with the adapter and measures ``ppl_change`` on the
hidden FAQ split. (``peak_vram`` is ``torch.cuda``'s count in the learner's worker: the one figure
of this kind still read inside a learner process — docs/threat-model.md.) ``pending`` without CUDA
or without a configured folder; ``error`` when the configured folder is not a model folder. The
CUDA path has only ever run on a CPU, with the tiny model standing in (``_gpu.DEVICE = "cpu"`` in the tests).
"""

from __future__ import annotations

import hashlib
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
    from graders.kinds.lora_measure import MeasureReport, TrainReport

__all__ = ["LoraGrader", "LoraParams"]

_MEASURE = "graders.kinds.lora_measure"
#: What a warm start's zygote imports for this kind's processes (graders.zygote): the measurer, the
#: worker and the adapter's measurer each import these, ~5 s of CPU apiece when started cold.
PRELOAD = ("torch", "transformers", "peft", "transformers.models.llama.modeling_llama", "safetensors.torch")
MERGE_TOLERANCE = 1e-3


class LoraParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field(default="finetune", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    function: str = Field(default="finetune", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    eval_docs: int = Field(default=300, ge=10, le=500, description="hidden FAQ documents for perplexity")
    build_timeout_s: float = Field(default=1800.0, gt=0.0, description="first build of the tiny model")
    gpu_time_budget: float = Field(default=3600.0, gt=0.0, description="wall clock of each gpu-profile run (s)")
    gpu_memory: int | None = Field(default=None, gt=0, description="host-memory limit of the gpu profile's "
                                   "training run (bytes); default: this machine's RAM")


class LoraGrader(Grader):
    kind: ClassVar[str] = "lora"
    Params: ClassVar[type[BaseModel]] = LoraParams
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("ppl_change", "ratio", "hidden-split perplexity with the adapter / without − 1",
               higher_is_better=False),
        Metric("adapted_ppl", "number", "hidden-split perplexity with the adapter", profiles=("cpu",),
               higher_is_better=False),
        Metric("trainable_fraction", "ratio", "elements stored in the adapter / base parameters", profiles=("cpu",),
               higher_is_better=False),
        Metric("base_untouched", "bool", "base weights byte-identical; adapter disabled = base perplexity",
               profiles=("cpu",)),
        Metric("merged_logits_match", "bool", "merge_and_unload() reproduces the adapter model's logits",
               profiles=("cpu",)),
        Metric("peak_memory", "bytes", "peak RSS of the learner's training run", profiles=("cpu",),
               higher_is_better=False),
        Metric("train_seconds", "seconds", "wall time of finetune()", profiles=("cpu",)),
        Metric("peak_vram", "bytes", "peak VRAM of QLoRA on an 8B model", profiles=("gpu",), higher_is_better=False),
    )

    def measure(self, ctx: GradeContext) -> Measurements:
        params = ctx.params
        assert isinstance(params, LoraParams)
        if ctx.profile == "gpu":
            return self._measure_gpu(ctx, params)
        m = Measurements()
        if ctx.missing_learner_file(f"{params.module}.py", m):
            return m
        model_path = tiny_model_path(params.build_timeout_s)
        if model_path.startswith("!"):
            m.fault(f"the tiny model could not be built here: {model_path[1:]}", status="error")
            return m
        base_digest = _digest(Path(model_path))
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            shutil.copytree(model_path, work / "base_model")
            run = _train(ctx, params, work, str(work / "base_model"), "cpu")
            m.log = run.log()
            if record_run_fault(m, run):
                return m
            trained = _train_report(run)
            m.set("train_seconds", trained["train_seconds"], "timed by the grader's measurer")
            m.set("peak_memory", float(run.peak_rss))
            problem = _adapter_problem(work / "adapter")
            if problem:
                m.fault(problem, checks=tuple(n for n in _MEASURED), status="fail")
                return m
            measured = _measure_adapter(ctx, work / "adapter", model_path, params.eval_docs, device="cpu",
                                        load_4bit=False, batch_size=16)
        if measured.fault:
            m.log += "\n--- measuring the adapter ---\n" + measured.log()
            record_run_fault(m, measured, checks=_MEASURED)
            return m
        data = _measure_report(measured)
        targets = ", ".join(data["target_modules"]) or "?"
        extra = f"; modules_to_save: {', '.join(data['modules_to_save'])}" if data["modules_to_save"] else ""
        m.set("trainable_fraction", data.get("trainable_fraction"),
              f"{data['adapter_params']:,} of {data.get('base_params', 0):,} (r={data['rank']}, "
              f"targets: {targets}{extra})")
        m.set("adapted_ppl", data["adapted_ppl"])
        if data["ppl_change"] is None:
            m.fault("the adapted model's perplexity is not finite", checks=("ppl_change",), status="fail")
        else:
            m.set("ppl_change", data["ppl_change"],
                  f"hidden FAQ perplexity {data['base_ppl']:.0f} → {data['adapted_ppl']:.1f}")
        intact = _digest(Path(model_path)) == base_digest
        foreign = data["foreign_keys"]
        untouched = bool(intact and data.get("disabled_matches_base") and not foreign)
        m.set("base_untouched", untouched,
              "" if untouched else
              "the cached base weights changed" if not intact else
              _foreign_message(data) if foreign else
              f"with the adapter disabled the perplexity is {data.get('disabled_ppl', 0):.2f}, not the base's "
              f"{data.get('base_ppl', 0):.2f}")
        error = float(data.get("merge_max_abs_error", float("inf")))
        m.set("merged_logits_match", error <= MERGE_TOLERANCE,
              f"max |Δlogit| {error:.2e} (tolerance {MERGE_TOLERANCE})")
        return m

    def _measure_gpu(self, ctx: GradeContext, params: LoraParams) -> Measurements:
        """QLoRA of the learner's 8B (see the module docstring); pending or error when it cannot run."""
        m = Measurements()
        if not ctx.cuda_available:  # peak_vram, gpu-only, is made pending by evaluate() itself
            m.skip("ppl_change", "needs a CUDA GPU and an 8B model; this machine has no CUDA")
            return m
        folder = _gpu.model_folder(ctx, m, ("ppl_change", "peak_vram"), example="Meta-Llama-3-8B")
        if folder is None:
            return m
        if ctx.missing_learner_file(f"{params.module}.py", m):
            return m
        limits = _gpu.gpu_limits(ctx, params.gpu_time_budget, params.gpu_memory)
        before = _gpu.fingerprint(folder)
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = _train(ctx, params, work, str(folder), _gpu.DEVICE, limits=limits)
            m.log = run.log()
            if record_run_fault(m, run):
                return m
            trained = _train_report(run)
            peak = trained["peak_vram"]
            m.set("peak_vram", None if peak is None else float(peak),
                  f"finetune() took {trained['train_seconds']:.0f} s; counted in your process (torch.cuda)"
                  if peak is not None else "not measured: the run was not on CUDA")
            if _gpu.fingerprint(folder) != before:
                m.fault(f"the files in {folder} changed while finetune() ran: the base model is compared with "
                        "itself plus your adapter, so leave its folder as it is (save only the adapter, to "
                        "output_dir)", checks=("ppl_change",), status="fail")
                return m
            problem = _adapter_problem(work / "adapter")
            if problem:
                m.fault(problem, checks=("ppl_change",), status="fail")
                return m
            measured = _measure_adapter(ctx, work / "adapter", str(folder), params.eval_docs, device=_gpu.DEVICE,
                                        load_4bit=True, batch_size=_gpu.EVAL_BATCH, limits=limits)
        if measured.fault:
            m.log += "\n--- measuring the adapter ---\n" + measured.log()
            record_run_fault(m, measured, checks=("ppl_change",))
            return m
        data = _measure_report(measured)
        if data["foreign_keys"]:  # they would overwrite the base the adapter is compared with
            m.fault(_foreign_message(data), checks=("ppl_change",), status="fail")
        elif data["ppl_change"] is None:
            m.fault("the adapted model's perplexity is not finite", checks=("ppl_change",), status="fail")
        else:
            m.set("ppl_change", data["ppl_change"],
                  f"hidden FAQ perplexity {data['base_ppl']:.2f} → {data['adapted_ppl']:.2f} on the 4-bit base "
                  f"(r={data['rank']}, targets: {', '.join(data['target_modules']) or '?'})")
        return m


def _train(ctx: GradeContext, params: LoraParams, work: Path, base_model: str, device: str,
           limits: Limits | None = None) -> RunOutcome:
    """Run ``lora_measure:train``: the learner's ``finetune`` in a worker, timed by a measurer."""
    from graders.kinds.lora_measure import TrainJob

    job = TrainJob(module=params.module, function=params.function, base_model=base_model,
                   output_dir=str(work / "adapter"), device=device)
    return ctx.sandbox.measure(f"{_MEASURE}:train", job, workdir=work, limits=limits, preload=PRELOAD)


def _train_report(run: RunOutcome) -> TrainReport:
    from graders.kinds.lora_measure import TrainReport
    from graders.measurer import expect

    return expect(run.result, TrainReport, what="the lora measurer's training report")


def _measure_report(run: RunOutcome) -> MeasureReport:
    from graders.kinds.lora_measure import MeasureReport
    from graders.measurer import expect

    return expect(run.result, MeasureReport, what="the lora measurer's adapter report")


def _measure_adapter(ctx: GradeContext, adapter: Path, model_path: str, eval_docs: int, *, device: str,
                     load_4bit: bool, batch_size: int, limits: Limits | None = None) -> RunOutcome:
    """Run ``lora_measure:measure`` in a fresh trusted process on a folder holding only the adapter's
    two files (it imports none of the learner's code): the pristine base, loaded as asked, with it."""
    from graders.kinds.lora_measure import MeasureJob

    with ctx.sandbox.workdir(None) as clean:
        (clean / "adapter").mkdir()
        for name in ("adapter_config.json", "adapter_model.safetensors"):
            shutil.copyfile(adapter / name, clean / "adapter" / name)
        job = MeasureJob(model_path=model_path, adapter_dir=str(clean / "adapter"), eval_docs=eval_docs,
                         seed=ctx.seed, device=device, load_4bit=load_4bit, batch_size=batch_size)
        spec = ProcessSpec(name="measure", main=True, learner=False, harness=(f"{_MEASURE}:measure", job))
        return ctx.sandbox.run([spec], workdir=clean, limits=limits, preload=PRELOAD)


_MEASURED = ("ppl_change", "adapted_ppl", "trainable_fraction", "base_untouched", "merged_logits_match")


def _foreign_message(data: MeasureReport) -> str:
    return (f"the adapter file holds {data['foreign_count']} tensor(s) that are not LoRA matrices "
            f"({', '.join(data['foreign_keys'])}): peft loads them into the base model, overwriting its weights")


def _adapter_problem(folder: Path) -> str | None:
    """Why the saved adapter cannot be measured, in words a learner can act on; None when it can."""
    if not (folder / "adapter_config.json").is_file():
        return "no adapter_config.json in the output folder: save the adapter with save_pretrained(output_dir)"
    if not (folder / "adapter_model.safetensors").is_file():
        pickled = [p.name for p in folder.iterdir() if p.suffix in (".bin", ".pt", ".pth", ".pkl")]
        if pickled:
            return (f"the adapter weights are pickled ({pickled[0]}); the grader loads safetensors only: "
                    "save_pretrained(output_dir) with the default safe_serialization=True")
        return "no adapter_model.safetensors in the output folder: save the adapter with save_pretrained(output_dir)"
    return None


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.glob("*.safetensors")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()
