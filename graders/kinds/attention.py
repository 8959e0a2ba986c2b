"""Kind ``attention``: the learner's tiled attention, measured for exactness, memory and honesty.

The learner writes ``attention(q, k, v, causal=False)`` (``[batch, heads, len, head_dim]``
float32). Every number is computed by a trusted *measurer* (``graders.kinds.attention_measure``);
the learner's code runs only in a *learner worker* beside it, which receives the arguments of each
call and nothing else — no seed, no expected output, no result channel (docs/writing-a-grader.md §2).
Three runs (``Sandbox.measure``), each with a fresh worker:

1. **check** — ten random cases drawn from the run's seed (odd lengths, which no power-of-two block
   size divides; query length ≠ key length both ways; causal and not, the causal mask aligned
   bottom-right; a one-query decode step; head sizes 16–128; large logits; non-contiguous
   inputs), each compared in the measurer with a float64 reference → ``max_abs_error``; then it is
   timed against naive attention at ``speed_seq`` tokens — both through the same adapter call, as
   the measurer sees it (inputs sent → output received), interleaved, best of three →
   ``speed_vs_naive`` (naive time / yours; > 1 is faster).
   **model** — only once that worked: the tiny Llama of ``graders.tinymodels`` (built once by a
   trusted subprocess) runs *in the measurer*, each of its attention calls answered by the learner's
   function in the worker through transformers' attention interface, and its logits on two unpadded
   sequences of 257–383 tokens are compared with the model's own (sdpa) → ``model_logits_match``
   (max |Δlogit| ≤ ``logits_tolerance``, 1e-3 by default) and ``logits_max_abs_error``. If the
   model cannot be built here the check is pending, with why.
2. **memory**, twice, each with a fresh worker — once naive attention (in an empty folder), once
   the learner's function — at ``[1, heads, memory_seq, head_dim]`` (8 × 4096 × 64: naive needs
   ≈1.1 GB for scores and probabilities). The inputs are sent and torch is warmed up *before* the
   window opens; the measurer then resets the worker's kernel high-water mark from outside and reads
   it when the output has arrived (``worker.memory()``; every other learner process of the run is
   counted too), the learner's module being imported inside the window → ``extra_memory``; the
   learner's over naive's is ``memory_ratio``. A few random rows of the output are then checked in
   the measurer: memory is credited only for a correct result.
3. **No fused kernel** (``no_fused_kernel``) has two halves, and fails if either finds one: a
   static scan of the learner's files by this process, before the runs and over each run's folder
   after it (``graders.kinds.attention_scan``: imports of flash-attn/xformers/``torch.nn.attention``,
   library kernels by name or in a looked-up string, code it cannot follow such as ``exec`` or
   ``getattr`` with a computed name), and a watch in the worker from before the learner's module is
   imported (``graders.kinds.attention_adapter.FusedKernelWatch``: every torch function called from
   Python, every aten op during the cases and the model, ``import flash_attn`` …). The watch runs in
   the learner's process, where code can switch it off; the scan cannot be tampered with but is
   fooled by a name built at run time — only code that does both passes (docs/threat-model.md).
4. **gpu profile** — ``peak_vram_32k``: one training step of the tiny Llama stretched to 32k
   tokens with ``attn_implementation="flash_attention_2"``, peak VRAM from
   ``torch.cuda.max_memory_allocated`` (a trusted run: no learner code). Without CUDA it is
   ``pending`` with the reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.faults import record_run_fault
from graders.sandbox import Limits, ProcessSpec, RunOutcome

if TYPE_CHECKING:
    from pathlib import Path

    from graders.kinds.attention_measure import CaseResult, MemoryReport, ModelResult

__all__ = ["AttentionGrader", "AttentionParams"]

_MEASURE = "graders.kinds.attention_measure"


class AttentionParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field(default="attention", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    function: str = Field(default="attention", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    memory_seq: int = Field(default=4096, ge=256, le=65_536, description="tokens of the memory measurement")
    heads: int = Field(default=8, ge=1, le=64)
    head_dim: int = Field(default=64, ge=8, le=256)
    speed_seq: int = Field(default=2048, ge=0, le=16_384, description="tokens of the timing; 0 skips it")
    model_check: bool = Field(default=True, description="plug the attention into the tiny Llama")
    logits_tolerance: float = Field(default=1e-3, gt=0.0)
    gpu_seq: int = Field(default=32_768, ge=1024, description="context of the gpu profile's training step")
    build_timeout_s: float = Field(default=1800.0, gt=0.0, description="first build of the tiny model")


class AttentionGrader(Grader):
    kind: ClassVar[str] = "attention"
    Params: ClassVar[type[BaseModel]] = AttentionParams
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("max_abs_error", "number", "max |learner − float64 reference| over random shapes (fp32)",
               higher_is_better=False),
        Metric("memory_ratio", "ratio", "extra peak memory of one call at 4k tokens / naive attention's",
               higher_is_better=False),
        Metric("extra_memory", "bytes", "extra peak memory of one call at 4k tokens (8 heads, head dim 64)",
               higher_is_better=False),
        Metric("naive_extra_memory", "bytes", "the same for naive attention, measured in the same run"),
        Metric("speed_vs_naive", "number", "naive attention's time / yours at 2k tokens (> 1: faster)",
               higher_is_better=True),
        Metric("no_fused_kernel", "bool", "no SDPA / flash-attn / xformers / fused kernel was called"),
        Metric("model_logits_match", "bool", "the tiny Llama with your attention reproduces its logits"),
        Metric("logits_max_abs_error", "number", "max |Δlogit| of the tiny Llama with your attention"),
        Metric("peak_vram_32k", "bytes", "peak VRAM of a training step at 32k context through flash-attn",
               profiles=("gpu",), higher_is_better=False),
    )

    def measure(self, ctx: GradeContext) -> Measurements:
        from graders.kinds.attention_measure import CheckJob, CheckReport, MemoryJob, MemoryReport
        from graders.kinds.attention_scan import scan_folder
        from graders.measurer import expect

        params = ctx.params
        assert isinstance(params, AttentionParams)
        m = Measurements()
        if ctx.missing_learner_file(f"{params.module}.py", m):
            return m
        watched: dict[str, int] = {}  # what the watch in the learner's process saw
        scanned = scan_folder(ctx.learner_dir)  # what this process reads in the learner's files

        # 1. Correctness, speed and (only once the function works) the tiny Llama.
        model_path = _tiny_model(params, m) if params.model_check else None
        job = CheckJob(module=params.module, function=params.function, seed=ctx.seed, speed_seq=params.speed_seq,
                       heads=params.heads, head_dim=params.head_dim, model_path=model_path,
                       logits_tolerance=params.logits_tolerance)
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = ctx.sandbox.measure(f"{_MEASURE}:check", job, workdir=work)
            scanned += _written(work, ctx.learner_dir)
        m.log = run.log()
        if record_run_fault(m, run):
            return m
        report = expect(run.result, CheckReport, what="the attention measurer's report")
        _merge(watched, report["fused"])
        _set_cases(m, report["cases"])
        speed = report["speed"]
        if speed is not None and speed["learner_s"] and speed["naive_s"]:
            m.set("speed_vs_naive", speed["naive_s"] / speed["learner_s"],
                  f"{speed['learner_s'] * 1e3:.0f} ms vs naive {speed['naive_s'] * 1e3:.0f} ms at "
                  f"{speed['seq']} tokens (as the grader's measurer sees each call)")
        elif speed is not None and speed["problem"]:
            m.fault(f"timing at {params.speed_seq} tokens: your function {speed['problem']}",
                    checks=("speed_vs_naive",), status="fail")
        if model_path is not None:
            _set_model(m, report["model"], params.logits_tolerance)

        # 2. Memory: naive first (a trusted baseline, in an empty folder), then the learner's.
        limits = Limits(wall_s=min(ctx.sandbox.limits.wall_s, 180.0), cpu_s=ctx.sandbox.limits.cpu_s,
                        memory_bytes=ctx.sandbox.limits.memory_bytes, output_bytes=ctx.sandbox.limits.output_bytes)
        base = MemoryJob(module=params.module, function=params.function, seq=params.memory_seq,
                         heads=params.heads, head_dim=params.head_dim, impl="naive")
        with ctx.sandbox.workdir(None) as empty:
            naive = ctx.sandbox.measure(f"{_MEASURE}:memory", base, workdir=empty, limits=limits)
        if naive.fault or not naive.result:
            raise RuntimeError(f"measuring naive attention failed: {naive.fault}\n{naive.log()}")
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            mine = ctx.sandbox.measure(f"{_MEASURE}:memory", MemoryJob(**{**base, "impl": "learner"}), workdir=work,
                                       limits=limits)
            scanned += _written(work, ctx.learner_dir)
        m.log = _join_logs(m.log, "memory run", mine.log())
        naive_report = expect(naive.result, MemoryReport, what="the attention measurer's naive memory report")
        _merge(watched, _set_memory(m, naive_report, mine, params))

        # No fused kernel: the static scan (here) and the watch (in the learner's process) both clean.
        found = [name if name.startswith("import ") else f"{name} (called {n}×)" for name, n in sorted(watched.items())]
        found += [f"in your files: {f}" for f in dict.fromkeys(scanned)]
        m.set("no_fused_kernel", not found,
              ("your code used a library attention kernel, or code the grader cannot check: " + "; ".join(found[:6])
               + (f" (and {len(found) - 6} more)" if len(found) > 6 else "")
               + " — this exercise is to write the tiled loop yourself, in plain PyTorch") if found else
              "none in your files (read by the grader) nor among the calls watched while it ran")

        # 3. gpu profile: a 32k training step through flash-attn.
        if ctx.profile == "gpu":
            _gpu_step(ctx, m, params, model_path)
        return m


def _written(work: Path, original: Path) -> list[str]:
    """Scan findings in the code files a run left in its folder (and its private home and temporary
    folders) that the learner's folder did not have as they are: code written at run time is read too."""
    from graders.kinds.attention_scan import COMPILED_SUFFIXES, scan_folder

    root = work.parent
    changed: set[Path] = set()
    for path in root.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        if path.suffix != ".py" and path.suffix.lower() not in COMPILED_SUFFIXES:
            continue
        try:
            rel = path.relative_to(work)
        except ValueError:
            changed.add(path)  # in the run's home or temporary folder
            continue
        before = original / rel
        try:
            same = before.is_file() and before.read_bytes() == path.read_bytes()
        except OSError:
            same = False
        if not same:
            changed.add(path)
    return [f"written while it ran: {f}" for f in scan_folder(root, only=changed)] if changed else []


def _set_cases(m: Measurements, cases: list[CaseResult]) -> None:
    if not cases:
        m.fault("no case was compared", checks=("max_abs_error",))
        return
    broken = [c for c in cases if c["error"] is None]
    if broken:
        shown = "; ".join(f"{c['name']} ({_shape(c)}): {c['problem']}" for c in broken[:3])
        m.set("max_abs_error", None, f"{len(broken)} of {len(cases)} cases could not be compared — {shown}")
        return
    worst = max(cases, key=lambda c: float(c["error"] or 0.0))
    value = float(worst["error"] or 0.0)
    note = f"worst case {worst['name']} ({_shape(worst)}): {value:.2e}"
    wrong = [c for c in cases if float(c["error"] or 0.0) > 1e-3]  # clearly wrong, whatever the threshold
    if len(wrong) > 1:
        note += f"; {len(wrong)} of {len(cases)} cases are off by > 1e-3: " + ", ".join(c["name"] for c in wrong)
    if wrong and all(c["causal"] and c["q_len"] < c["k_len"] for c in wrong):
        note += (" — with causal=True and q_len < k_len the mask is aligned bottom-right: "
                 "query i sees keys j ≤ i + (k_len − q_len)")
    m.set("max_abs_error", value, note)


def _shape(c: CaseResult) -> str:
    return (f"q [{c['batch']}, {c['heads']}, {c['q_len']}, {c['head_dim']}], k_len {c['k_len']}"
            f"{', causal' if c['causal'] else ''}")


def _join_logs(log: str, label: str, more: str) -> str:
    return (log + f"\n--- {label} ---\n" + more).strip() if more.strip() else log


def _set_model(m: Measurements, model: ModelResult | None, tolerance: float) -> None:
    if model is None:
        m.set("model_logits_match", False, "the tiny Llama with your attention: not measured — no random case "
              "could be compared")
        return
    if model["logits_error"] is None:
        m.set("model_logits_match", False, f"the tiny Llama with your attention: {model['problem'] or 'not measured'}")
        return
    err = float(model["logits_error"])
    m.set("logits_max_abs_error", err)
    m.set("model_logits_match", err <= tolerance,
          f"max |Δlogit| {err:.2e} (tolerance {tolerance:g}) on {model['tokens'][0]}×{model['tokens'][1]} tokens, "
          "causal, through transformers' attention interface (the model runs in the grader's measurer)")


def _merge(watched: dict[str, int], more: dict[str, int]) -> None:
    for name, n in more.items():
        watched[name] = watched.get(name, 0) + n


def _set_memory(m: Measurements, naive: MemoryReport, mine: RunOutcome, params: AttentionParams) -> dict[str, int]:
    """Set the memory checks from the learner's memory run; returns what its watch saw."""
    from graders.kinds.attention_measure import MemoryReport
    from graders.measurer import expect

    checks = ("memory_ratio", "extra_memory")
    if record_run_fault(m, mine, checks=checks, prefix=f"memory run at {params.memory_seq} tokens: "):
        return {}
    data = expect(mine.result, MemoryReport, what="the attention measurer's memory report")
    if data["rows_error"] is None or data["rows_error"] > 1e-4:
        what = data["problem"] or f"rows differ from the exact result by {data['rows_error']}"
        m.fault(f"at {params.memory_seq} tokens your function returned a wrong result ({what}); "
                "memory is only credited for a correct one", checks=checks, status="fail")
        return data["fused"]
    extra, base = data["extra_bytes"], naive["extra_bytes"]
    m.set("naive_extra_memory", float(base))
    m.set("extra_memory", float(extra))
    m.set("memory_ratio", extra / base if base else 1.0,
          f"{extra / 1e6:.1f} MB vs naive {base / 1e6:.0f} MB at [1, {params.heads}, {params.memory_seq}, "
          f"{params.head_dim}] ({data['method']})")
    return data["fused"]


def _tiny_model(params: AttentionParams, m: Measurements) -> str | None:
    """The default tiny Llama's folder, built once by a trusted subprocess (no learner code runs
    there). None — and ``model_logits_match`` pending with the reason — when it cannot be had."""
    try:
        proc = subprocess.run([sys.executable, "-m", "graders.tinymodels", "build", "--json"],
                              capture_output=True, text=True, timeout=params.build_timeout_s)
    except (OSError, subprocess.TimeoutExpired) as exc:
        m.skip("model_logits_match", f"the tiny model could not be built here ({exc})")
        return None
    if proc.returncode != 0:
        m.skip("model_logits_match", "the tiny model could not be built here: "
               + (proc.stderr.strip().splitlines() or ["no output"])[-1])
        return None
    path: str = json.loads(proc.stdout)["path"]
    return path


def _gpu_step(ctx: GradeContext, m: Measurements, params: AttentionParams, model_path: str | None) -> None:
    if not ctx.cuda_available:
        return  # evaluate() makes the gpu-only metric pending with the reason
    if model_path is None:
        m.skip("peak_vram_32k", "the tiny model could not be built here")
        return
    from graders.kinds.attention_measure import GpuStepJob, GpuStepReport
    from graders.measurer import expect

    job = GpuStepJob(seq=params.gpu_seq, seed=ctx.seed, model_path=model_path)
    with ctx.sandbox.workdir(None) as empty:  # a trusted run: no learner code is imported
        spec = ProcessSpec(name="gpu-step", main=True, learner=False, harness=(f"{_MEASURE}:gpu_step", job))
        run = ctx.sandbox.run([spec], workdir=empty)
    if record_run_fault(m, run, checks=("peak_vram_32k",), prefix="32k training step: "):
        return
    data = expect(run.result, GpuStepReport, what="the gpu step's report")
    m.set("peak_vram_32k", float(data["peak_vram"]),
          f"one step at {params.gpu_seq} tokens on {data['device']} in {data['seconds']:.1f} s")
