"""Kind ``quantization``: the learner's ``quantize(model)``, measured in-process against full precision.

The learner writes ``quantize(model) -> torch.nn.Module``. One sandboxed child
(``graders.kinds.quantization_child``) loads the tiny Llama of ``graders.tinymodels`` (built once by
a trusted subprocess) and, *before importing the learner's module*, measures the full-precision
model: perplexity on a hidden general-text split drawn with the run's seed, and greedy
generations for prompts drawn with another. Then it calls ``quantize`` on a deep copy and measures
the returned model the same way, in the same process — bitsandbytes' 4-bit weights lose accuracy
when saved and reloaded, so nothing is saved.

* ``footprint_ratio`` — bytes the returned model stores beyond its non-quantizable tensors, divided
  by the fp16 size (2 bytes × elements) of the original model's quantizable weights (every decoder
  ``nn.Linear``; ``lm_head`` and the embeddings are left out). "Stored" is measured from the
  tensors, never from anything the model reports: every distinct tensor storage reachable from the
  returned model — parameters, buffers, attributes, containers, a tensor's own attributes (where
  bitsandbytes keeps absmax, codebooks, nested statistics), closures of replaced methods — minus
  the original's tensors outside the quantizable layers (embeddings, ``lm_head``, norms), looked up
  by name and excused up to their original size. A hidden full-precision copy therefore counts.
  int8 ≈ 0.51, nf4 ≈ 0.27; fp16 = 1.0, fp32 = 2.0. Before measuring, one forward pass must call
  every module at a quantizable layer's name, or the grade fails.
* ``ppl_change`` — perplexity of the quantized model over full precision, minus 1.
* ``bleu`` / ``rouge_l`` — greedy generations of the quantized model against the full-precision
  model's, sacrebleu corpus BLEU (0–100) and mean ROUGE-L F-measure (0–1, rouge-score).
* ``peak_memory`` — the child's peak RSS (informative).
* gpu profile: ``peak_vram`` — a 7B model quantized on a CUDA GPU; ``pending`` without one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric, Status

__all__ = ["QuantizationGrader", "QuantizationParams", "tiny_model_path"]


class QuantizationParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field(default="quantize", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    function: str = Field(default="quantize", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    eval_docs: int = Field(default=300, ge=10, le=500, description="hidden general docs for perplexity")
    prompts: int = Field(default=40, ge=4, le=200, description="prompts for greedy generation")
    new_tokens: int = Field(default=24, ge=4, le=128, description="tokens generated per prompt")
    build_timeout_s: float = Field(default=1800.0, gt=0.0, description="first build of the tiny model")


class QuantizationGrader(Grader):
    kind: ClassVar[str] = "quantization"
    Params: ClassVar[type[BaseModel]] = QuantizationParams
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("footprint_ratio", "ratio", "bytes stored by the quantized linear layers / their fp16 weights",
               profiles=("cpu",), higher_is_better=False),
        Metric("ppl_change", "ratio", "perplexity of the quantized model / full precision − 1", profiles=("cpu",),
               higher_is_better=False),
        Metric("bleu", "number", "BLEU (sacrebleu) of greedy generations against full precision", profiles=("cpu",),
               higher_is_better=True),
        Metric("rouge_l", "number", "ROUGE-L F-measure of greedy generations against full precision",
               profiles=("cpu",), higher_is_better=True),
        Metric("peak_memory", "bytes", "peak RSS of the grading process", profiles=("cpu",), higher_is_better=False),
        Metric("peak_vram", "bytes", "peak VRAM of a 7B model quantized on the GPU", profiles=("gpu",),
               higher_is_better=False),
    )

    def measure(self, ctx: GradeContext) -> Measurements:
        params = ctx.params
        assert isinstance(params, QuantizationParams)
        m = Measurements()
        if ctx.profile == "gpu":
            # Without CUDA the evaluator makes this pending by itself; with CUDA, say what is missing.
            if ctx.cuda_available:
                m.skip("peak_vram", "the 7B measurement is not part of this version: grade the cpu profile")
            return m
        if not (ctx.learner_dir / f"{params.module}.py").is_file():
            m.fault(f"{params.module}.py is missing from exercises/{ctx.slug}/", status="fail")
            return m
        model_path = tiny_model_path(params.build_timeout_s)
        if model_path.startswith("!"):
            m.fault(f"the tiny model could not be built here: {model_path[1:]}", status="error")
            return m
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = ctx.sandbox.call("graders.kinds.quantization_child:run",
                                   {**params.model_dump(), "seed": ctx.seed, "model_path": model_path},
                                   workdir=work)
        m.log = run.log()
        if run.fault:
            fault = run.learner_fault
            status: Status = "fail" if fault and fault.get("status") == "fail" else "error"
            m.fault(run.fault, status=status)
            return m
        data = run.result or {}
        layer_types = ", ".join(data.get("layer_types", []))
        m.set("footprint_ratio", data.get("footprint_ratio"),
              f"{data.get('quantized_bytes', 0):,} B stored vs {data.get('fp16_bytes', 0):,} B in fp16 ({layer_types})")
        if data.get("ppl_change") is None:
            m.fault("the quantized model's perplexity is not finite", checks=("ppl_change",), status="fail")
        else:
            m.set("ppl_change", data["ppl_change"],
                  f"perplexity {data['base_ppl']:.4f} → {data['quantized_ppl']:.4f}")
        m.set("bleu", data.get("bleu"), f"{data.get('exact_match', 0):.0%} of generations identical")
        m.set("rouge_l", data.get("rouge_l"))
        m.set("peak_memory", float(run.peak_rss))
        return m


def tiny_model_path(timeout_s: float) -> str:
    """The default tiny Llama's folder, built once by a trusted subprocess (no learner code runs
    there); ``"!" + reason`` when it cannot be had."""
    try:
        proc = subprocess.run([sys.executable, "-m", "graders.tinymodels", "build", "--json"],
                              capture_output=True, text=True, timeout=timeout_s)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"!{exc}"
    if proc.returncode != 0:
        return "!" + (proc.stderr.strip().splitlines() or ["no output"])[-1]
    path: str = json.loads(proc.stdout)["path"]
    return path
