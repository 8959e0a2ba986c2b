"""Kind ``lora``: the learner fine-tunes the tiny Llama with LoRA; a trusted process measures the adapter.

The learner writes ``finetune(base_model, train_texts, output_dir)``: train a PEFT LoRA adapter for
the causal LM in the folder ``base_model`` (config, safetensors weights, tokenizer) on
``train_texts`` (the FAQ corpus of ``graders.tinymodels``, 5 000 ``Q: … A: …`` pairs) and save it
with ``save_pretrained(output_dir)``. Two sandboxed runs:

1. **train** (``graders.kinds.lora_child:train``) — the learner's code, on a private copy of the
   base model (so it cannot touch the cached one); its peak RSS → ``peak_memory``.
2. **measure** (``…:measure``) — a fresh process on a folder holding *only* the adapter's
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

gpu profile: ``peak_vram`` (QLoRA of an 8B model, seed 001 weeks 5–6) — ``pending`` without CUDA.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric, Status
from graders.kinds.quantization import tiny_model_path
from graders.sandbox import ProcessSpec, RunOutcome

__all__ = ["LoraGrader", "LoraParams"]

_CHILD = "graders.kinds.lora_child"
MERGE_TOLERANCE = 1e-3


class LoraParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field(default="finetune", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    function: str = Field(default="finetune", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    eval_docs: int = Field(default=300, ge=10, le=500, description="hidden FAQ documents for perplexity")
    build_timeout_s: float = Field(default=1800.0, gt=0.0, description="first build of the tiny model")


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
        m = Measurements()
        if ctx.profile == "gpu":  # QLoRA of an 8B model (seed 001, weeks 5–6)
            why = ("the 8B QLoRA measurement is not part of this version: grade the cpu profile"
                   if ctx.cuda_available else "needs a CUDA GPU and an 8B model; this machine has no CUDA")
            m.skip("ppl_change", why)
            if ctx.cuda_available:  # without CUDA the evaluator makes the gpu-only metric pending by itself
                m.skip("peak_vram", why)
            return m
        if not (ctx.learner_dir / f"{params.module}.py").is_file():
            m.fault(f"{params.module}.py is missing from exercises/{ctx.slug}/", status="fail")
            return m
        model_path = tiny_model_path(params.build_timeout_s)
        if model_path.startswith("!"):
            m.fault(f"the tiny model could not be built here: {model_path[1:]}", status="error")
            return m
        base_digest = _digest(Path(model_path))
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            shutil.copytree(model_path, work / "base_model")
            args = {**params.model_dump(), "seed": ctx.seed, "base_model": str(work / "base_model"),
                    "output_dir": str(work / "adapter")}
            run = ctx.sandbox.call(f"{_CHILD}:train", args, workdir=work)
            m.log = run.log()
            if run.fault:
                _fault(m, run)
                return m
            trained = run.result or {}
            m.set("train_seconds", trained.get("train_seconds"))
            m.set("peak_memory", float(run.peak_rss))
            problem = _adapter_problem(work / "adapter")
            if problem:
                m.fault(problem, checks=tuple(n for n in _MEASURED), status="fail")
                return m
            with ctx.sandbox.workdir(None) as clean:
                for name in ("adapter_config.json", "adapter_model.safetensors"):
                    (clean / "adapter").mkdir(exist_ok=True)
                    shutil.copyfile(work / "adapter" / name, clean / "adapter" / name)
                spec = ProcessSpec(name="measure", main=True, learner=False, harness=(f"{_CHILD}:measure", {
                    "model_path": model_path, "adapter_dir": str(clean / "adapter"), "seed": ctx.seed,
                    "eval_docs": params.eval_docs}))
                measured = ctx.sandbox.run([spec], workdir=clean)
        if measured.fault:
            m.log += "\n--- measuring the adapter ---\n" + measured.log()
            _fault(m, measured, checks=_MEASURED)
            return m
        data = measured.result or {}
        targets = ", ".join(data.get("target_modules", [])) or "?"
        extra = f"; modules_to_save: {', '.join(data['modules_to_save'])}" if data.get("modules_to_save") else ""
        m.set("trainable_fraction", data.get("trainable_fraction"),
              f"{data.get('adapter_params', 0):,} of {data.get('base_params', 0):,} (r={data.get('rank')}, "
              f"targets: {targets}{extra})")
        m.set("adapted_ppl", data.get("adapted_ppl"))
        if data.get("ppl_change") is None:
            m.fault("the adapted model's perplexity is not finite", checks=("ppl_change",), status="fail")
        else:
            m.set("ppl_change", data["ppl_change"],
                  f"hidden FAQ perplexity {data['base_ppl']:.0f} → {data['adapted_ppl']:.1f}")
        intact = _digest(Path(model_path)) == base_digest
        foreign = data.get("foreign_keys") or []
        untouched = bool(intact and data.get("disabled_matches_base") and not foreign)
        m.set("base_untouched", untouched,
              "" if untouched else
              "the cached base weights changed" if not intact else
              f"the adapter file holds {data.get('foreign_count', len(foreign))} tensor(s) that are not LoRA "
              f"matrices ({', '.join(foreign)}): peft loads them into the base model, overwriting its weights"
              if foreign else
              f"with the adapter disabled the perplexity is {data.get('disabled_ppl', 0):.2f}, not the base's "
              f"{data.get('base_ppl', 0):.2f}")
        error = float(data.get("merge_max_abs_error", float("inf")))
        m.set("merged_logits_match", error <= MERGE_TOLERANCE,
              f"max |Δlogit| {error:.2e} (tolerance {MERGE_TOLERANCE})")
        return m


_MEASURED = ("ppl_change", "adapted_ppl", "trainable_fraction", "base_untouched", "merged_logits_match")


def _fault(m: Measurements, run: RunOutcome, checks: tuple[str, ...] | None = None) -> None:
    fault = run.learner_fault
    status: Status = "fail" if fault and fault.get("status") == "fail" else "error"
    m.fault(run.fault or "the run failed", checks=checks, status=status)


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
