"""Kind ``quantization``: the learner's ``quantize(model)``, measured against full precision.

The learner writes ``quantize(model) -> torch.nn.Module``. A trusted measurer
(``graders.kinds.quantization_measure``) loads the tiny Llama of ``graders.tinymodels`` (built once
by a trusted subprocess) and measures full precision itself — perplexity on a hidden general-text
split drawn with the run's seed, greedy generations for prompts drawn with another. The learner's
``quantize`` runs in a learner worker beside it, on a model loaded there
(``graders.kinds.quantization_adapter``); the quantized model stays there — bitsandbytes' 4-bit
weights lose accuracy when saved and reloaded, so nothing is saved — and the measurer sends it
token ids and computes every number from the logits it returns.

* ``footprint_ratio`` — bytes the returned model stores beyond its non-quantizable tensors, divided
  by the fp16 size (2 bytes × elements) of the original model's quantizable weights (every decoder
  ``nn.Linear``; ``lm_head`` and the embeddings are left out). The larger of two counts: the
  learner processes' resident memory read from outside before and after ``quantize`` (so a
  full-precision copy hidden anywhere in them counts), and every tensor storage reachable from the
  returned model, counted in the worker (parameters, buffers, attributes, containers, a tensor's own
  attributes where bitsandbytes keeps absmax and codebooks, closures of replaced methods; the
  original's tensors outside the quantizable layers excused up to their size) — see
  ``quantization_measure``. int8 ≈ 0.51, nf4 ≈ 0.27; fp16 = 1.0, fp32 = 2.0. Before measuring, one
  forward pass must call every module at a quantizable layer's name, or the grade fails.
* ``ppl_change`` — perplexity of the quantized model over full precision, minus 1.
* ``bleu`` / ``rouge_l`` — greedy generations of the quantized model against the full-precision
  model's, sacrebleu corpus BLEU (0–100) and mean ROUGE-L F-measure (0–1, rouge-score).
* ``peak_memory`` — the learner processes' peak RSS (informative).

gpu profile (seed 000's outcome, "a 7B model fits into 6 GB of VRAM"), on the learner's own model
folder (``ctx.gpu_model``, from ``[grading.gpu_models]`` in sprint.toml): the measurer measures the
model in fp16 on CUDA and frees it; the worker loads a fresh fp16 copy on the CPU and hands it to the
same ``quantize(model)``, which returns it on the GPU; the same four metrics are measured, plus
``peak_vram`` (``torch.cuda.max_memory_allocated`` in the worker, from before the learner's module is
imported to after the last measurement). The footprint there is the in-worker count alone (VRAM is
not read from outside), and so is ``peak_vram``: docs/threat-model.md says what that means.
``pending`` without CUDA or without a configured folder; ``error`` when the configured folder is not
a model folder. The CUDA path has only ever run on a CPU, with the tiny model standing in
(``_gpu.DEVICE = "cpu"`` in the tests).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders import gpu as _gpu
from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.faults import record_run_fault
from graders.kinds.quantization_measure import OBJECT_ALLOWANCE  # light: torch loads inside its functions
from graders.tinymodels.trusted import tiny_model_path  # re-exported: older imports name this module

if TYPE_CHECKING:
    from graders.kinds.quantization_measure import QuantizeJob, QuantizeReport

__all__ = ["QuantizationGrader", "QuantizationParams", "tiny_model_path"]


class QuantizationParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field(default="quantize", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    function: str = Field(default="quantize", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    eval_docs: int = Field(default=300, ge=10, le=500, description="hidden general docs for perplexity")
    prompts: int = Field(default=40, ge=4, le=200, description="prompts for greedy generation")
    new_tokens: int = Field(default=24, ge=4, le=128, description="tokens generated per prompt")
    build_timeout_s: float = Field(default=1800.0, gt=0.0, description="first build of the tiny model")
    gpu_time_budget: float = Field(default=3600.0, gt=0.0, description="wall clock of the gpu profile's run (s)")
    gpu_memory: int | None = Field(default=None, gt=0, description="host-memory limit of the gpu profile's run "
                                   "(bytes); default: this machine's RAM (the fp16 7B alone is ≈ 15 GB)")


class QuantizationGrader(Grader):
    kind: ClassVar[str] = "quantization"
    Params: ClassVar[type[BaseModel]] = QuantizationParams
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("footprint_ratio", "ratio", "bytes stored by the quantized linear layers / their fp16 weights",
               higher_is_better=False),
        Metric("ppl_change", "ratio", "perplexity of the quantized model / full precision − 1",
               higher_is_better=False),
        Metric("bleu", "number", "BLEU (sacrebleu) of greedy generations against full precision",
               higher_is_better=True),
        Metric("rouge_l", "number", "ROUGE-L F-measure of greedy generations against full precision",
               higher_is_better=True),
        Metric("peak_memory", "bytes", "peak RSS of the learner's processes", profiles=("cpu",),
               higher_is_better=False),
        Metric("peak_vram", "bytes", "peak VRAM of a 7B model quantized on the GPU, then evaluated", profiles=("gpu",),
               higher_is_better=False),
    )

    def measure(self, ctx: GradeContext) -> Measurements:
        params = ctx.params
        assert isinstance(params, QuantizationParams)
        if ctx.profile == "gpu":
            return self._measure_gpu(ctx, params)
        m = Measurements()
        if ctx.missing_learner_file(f"{params.module}.py", m):
            return m
        model_path = tiny_model_path(params.build_timeout_s)
        if model_path.startswith("!"):
            m.fault(f"the tiny model could not be built here: {model_path[1:]}", status="error")
            return m
        job = _job(params, ctx, model_path, device="cpu", gpu=False, batch_size=16)
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = ctx.sandbox.measure(_MEASURE, job, workdir=work, env=_WORKER_ENV)
        m.log = run.log()
        if record_run_fault(m, run):
            return m
        _set_quality(m, _report(run.result))
        m.set("peak_memory", float(run.peak_rss))
        return m

    def _measure_gpu(self, ctx: GradeContext, params: QuantizationParams) -> Measurements:
        """The learner's 7B on CUDA (see the module docstring); pending or error when it cannot run."""
        m = Measurements()
        if not ctx.cuda_available:  # peak_vram, gpu-only, is made pending by evaluate() itself
            for name in _QUALITY:
                m.skip(name, "needs a CUDA GPU and a 7B model; this machine has no CUDA")
            return m
        folder = _gpu.model_folder(ctx, m, (*_QUALITY, "peak_vram"), example="Mistral-7B-v0.1")
        if folder is None:
            return m
        if ctx.missing_learner_file(f"{params.module}.py", m):
            return m
        job = _job(params, ctx, str(folder), device=_gpu.DEVICE, gpu=True, batch_size=_gpu.EVAL_BATCH)
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = ctx.sandbox.measure(_MEASURE, job, workdir=work, env=_WORKER_ENV,
                                      limits=_gpu.gpu_limits(ctx, params.gpu_time_budget, params.gpu_memory))
        m.log = run.log()
        if record_run_fault(m, run):
            return m
        data = _report(run.result)
        _set_quality(m, data)
        peak = data["peak_vram"]
        m.set("peak_vram", None if peak is None else float(peak),
              f"on {data['device']}: quantize() took {data['quantize_seconds']:.0f} s; the window covers quantizing "
              f"and evaluating (batches of {_gpu.EVAL_BATCH}); counted in your process (torch.cuda)"
              if peak is not None else "not measured: the run was not on CUDA")
        return m


_QUALITY = ("footprint_ratio", "ppl_change", "bleu", "rouge_l")
_MEASURE = "graders.kinds.quantization_measure:measure"
# Every allocation of 64 KiB or more gets a mapping of its own, returned to the system when freed:
# the resident memory the measurer reads then follows what the learner's model holds, not what its
# quantize() once allocated (glibc; elsewhere ignored).
_WORKER_ENV = {"MALLOC_MMAP_THRESHOLD_": "65536"}


def _job(params: QuantizationParams, ctx: GradeContext, model_path: str, *, device: str, gpu: bool,
         batch_size: int) -> QuantizeJob:
    from graders.kinds.quantization_measure import QuantizeJob

    return QuantizeJob(module=params.module, function=params.function, seed=ctx.seed, model_path=model_path,
                       device=device, gpu=gpu, eval_docs=params.eval_docs, prompts=params.prompts,
                       new_tokens=params.new_tokens, batch_size=batch_size)


def _report(result: dict[str, Any] | None) -> QuantizeReport:
    from graders.kinds.quantization_measure import QuantizeReport
    from graders.measurer import expect

    return expect(result, QuantizeReport, what="the quantization measurer's report")


def _set_quality(m: Measurements, data: QuantizeReport) -> None:
    """The metrics both profiles measure on the returned model, from the measurer's report."""
    layer_types = ", ".join(data["layer_types"])
    counts = f"in your process {data['walk_ratio']:.0%}"
    if data["outside_ratio"] is not None:
        counts += (f", from outside {data['outside_ratio']:.0%} (less {OBJECT_ALLOWANCE:.0%} for Python objects: "
                   f"{max(0.0, data['outside_ratio'] - OBJECT_ALLOWANCE):.0%})")
    m.set("footprint_ratio", data["footprint_ratio"],
          f"{data['quantized_bytes']:,} B stored vs {data['fp16_bytes']:,} B in fp16 ({layer_types}); the larger of "
          f"two counts — {counts}")
    if data["ppl_change"] is None:
        m.fault("the quantized model's perplexity is not finite", checks=("ppl_change",), status="fail")
    else:
        m.set("ppl_change", data["ppl_change"], f"perplexity {data['base_ppl']:.4f} → {data['quantized_ppl']:.4f}")
    m.set("bleu", data["bleu"], f"{data['exact_match']:.0%} of generations identical")
    m.set("rouge_l", data["rouge_l"])
