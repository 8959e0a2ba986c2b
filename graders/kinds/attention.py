"""Kind ``attention``: the learner's tiled attention, measured for exactness, memory and honesty.

The learner writes ``attention(q, k, v, causal=False)`` (``[batch, heads, len, head_dim]``
float32). Each grading run starts fresh sandboxed processes (``graders.kinds.attention_child``):

1. **check** — ten random cases drawn from the run's seed (odd lengths, which no power-of-two block
   size divides; query length ≠ key length both ways; causal and not, the causal mask aligned
   bottom-right; a one-query decode step; head sizes 16–128; large logits; non-contiguous
   inputs), each compared with a float64 reference → ``max_abs_error``; then it is timed against
   naive attention at ``speed_seq`` tokens (best of three, interleaved) → ``speed_vs_naive``
   (naive time / yours; > 1 is faster).
   **model** — only once that worked: the function replaces the attention of the tiny Llama of
   ``graders.tinymodels`` (the default recipe, built once and cached by a trusted subprocess —
   no learner code runs there) through transformers' attention interface, and the logits on two
   unpadded sequences of 257–383 tokens are compared with the model's own (sdpa) →
   ``model_logits_match`` (max \\|Δlogit\\| ≤ ``logits_tolerance``, 1e-3 by default) and
   ``logits_max_abs_error``. If the model cannot be built here the check is pending, with why.
2. **memory**, twice, each in a *fresh* process — once with naive attention, once with the
   learner's function — at ``[1, heads, memory_seq, head_dim]`` (8 × 4096 × 64: naive needs
   ≈1.1 GB for scores and probabilities). Inputs are made and torch is warmed up on tiny inputs
   *before* the window opens; then the kernel's high-water mark is reset (``/proc/self/clear_refs``
   ← 5, so ``VmHWM`` = current RSS), the learner's module is imported and called once, and
   ``VmHWM − RSS at the start`` is the call's extra peak → ``extra_memory``; the learner's over
   naive's is ``memory_ratio``. This is exact, not sampled (where ``clear_refs`` is unavailable,
   RSS is sampled every 0.5 ms). A fresh process per measurement keeps earlier calls' freed but
   still-mapped memory from hiding a peak; importing inside the window makes memory grabbed at
   import time count. 16 random rows of the result are checked against an exact computation.
3. **Fused kernels** are watched in every process that runs the learner's code, from before its
   module is imported: a ``TorchFunctionMode`` sees every torch function called from Python
   (``F.scaled_dot_product_attention`` under any alias, ``torch._scaled_dot_product_*``,
   ``multi_head_attention_forward``, flex attention …); during the correctness cases and the model
   forward a ``TorchDispatchMode`` also sees every aten op that reaches the dispatcher (even with
   torch functions disabled); and an import hook refuses ``flash_attn`` / ``xformers`` / …
   imported from the learner's files. Calls are recorded, not refused, so such code fails
   ``no_fused_kernel`` and nothing else.
4. **gpu profile** — ``peak_vram_32k``: one training step of the tiny Llama stretched to 32k
   tokens with ``attn_implementation="flash_attention_2"``, peak VRAM from
   ``torch.cuda.max_memory_allocated``. Without CUDA it is ``pending`` with the reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.faults import record_run_fault
from graders.sandbox import Limits, RunOutcome

__all__ = ["AttentionGrader", "AttentionParams"]

_CHILD = "graders.kinds.attention_child"


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
        params = ctx.params
        assert isinstance(params, AttentionParams)
        m = Measurements()
        if not (ctx.learner_dir / f"{params.module}.py").is_file():
            m.fault(f"{params.module}.py is missing from exercises/{ctx.slug}/", status="fail")
            return m
        calls: dict[str, int] = {}
        imports: set[str] = set()
        base = {"module": params.module, "function": params.function, "seed": ctx.seed}

        # 1. Correctness and speed.
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = ctx.sandbox.call(f"{_CHILD}:check", {**base, "speed_seq": params.speed_seq, "heads": params.heads,
                                                      "head_dim": params.head_dim}, workdir=work)
        m.log = run.log()
        if record_run_fault(m, run):
            return m
        data = run.result or {}
        _merge(calls, imports, data)
        _set_cases(m, data.get("cases", []))
        speed = data.get("speed") or {}
        if speed.get("learner_s"):
            m.set("speed_vs_naive", speed["naive_s"] / speed["learner_s"],
                  f"{speed['learner_s'] * 1e3:.0f} ms vs naive {speed['naive_s'] * 1e3:.0f} ms at "
                  f"{speed['seq']} tokens")
        elif speed.get("problem"):
            m.fault(f"timing at {params.speed_seq} tokens: your function {speed['problem']}",
                    checks=("speed_vs_naive",), status="fail")

        # 2. Inside the tiny Llama (built once, by a trusted process, only once the function works).
        model_path = _tiny_model(params, m) if params.model_check else None
        if model_path is not None:
            with ctx.sandbox.workdir(ctx.learner_dir) as work:
                run = ctx.sandbox.call(f"{_CHILD}:model", {**base, "model_path": model_path,
                                                          "logits_tolerance": params.logits_tolerance}, workdir=work)
            m.log = _join_logs(m.log, "model run", run.log())
            if not record_run_fault(m, run, checks=("model_logits_match",),
                                    prefix="the tiny Llama with your attention: "):
                _merge(calls, imports, run.result or {})
                _set_model(m, run.result, params.logits_tolerance)

        # 3. Memory: naive first (a trusted baseline, in an empty folder), then the learner's.
        mem_args = {**base, "seq": params.memory_seq, "heads": params.heads, "head_dim": params.head_dim}
        limits = Limits(wall_s=min(ctx.sandbox.limits.wall_s, 180.0), cpu_s=ctx.sandbox.limits.cpu_s,
                        memory_bytes=ctx.sandbox.limits.memory_bytes, output_bytes=ctx.sandbox.limits.output_bytes)
        with ctx.sandbox.workdir(None) as empty:
            naive = ctx.sandbox.call(f"{_CHILD}:memory", {**mem_args, "impl": "naive"}, workdir=empty, limits=limits)
        if naive.fault or not naive.result:
            raise RuntimeError(f"measuring naive attention failed: {naive.fault}\n{naive.log()}")
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            mine = ctx.sandbox.call(f"{_CHILD}:memory", {**mem_args, "impl": "learner"}, workdir=work, limits=limits)
        m.log = _join_logs(m.log, "memory run", mine.log())
        _set_memory(m, naive.result, mine, params)
        if mine.result:
            _merge(calls, imports, mine.result)

        # No fused kernel, in any of the learner's runs.
        found = [f"{name} (called {n}×)" for name, n in sorted(calls.items())]
        found += [f"import {name}" for name in sorted(imports)]
        m.set("no_fused_kernel", not found,
              ("your code used a library attention kernel: " + "; ".join(found)
               + " — this exercise is to write the tiled loop yourself") if found else "")

        # 4. gpu profile: a 32k training step through flash-attn.
        if ctx.profile == "gpu":
            _gpu_step(ctx, m, params, model_path)
        return m


def _set_cases(m: Measurements, cases: list[dict[str, Any]]) -> None:
    if not cases:
        m.fault("no case was compared", checks=("max_abs_error",))
        return
    broken = [c for c in cases if c.get("error") is None]
    if broken:
        shown = "; ".join(f"{c['name']} ({_shape(c)}): {c['problem']}" for c in broken[:3])
        m.set("max_abs_error", None, f"{len(broken)} of {len(cases)} cases could not be compared — {shown}")
        return
    worst = max(cases, key=lambda c: float(c["error"]))
    value = float(worst["error"])
    note = f"worst case {worst['name']} ({_shape(worst)}): {value:.2e}"
    wrong = [c for c in cases if float(c["error"]) > 1e-3]  # clearly wrong, whatever the threshold
    if len(wrong) > 1:
        note += f"; {len(wrong)} of {len(cases)} cases are off by > 1e-3: " + ", ".join(c["name"] for c in wrong)
    if wrong and all(c["causal"] and c["q_len"] < c["k_len"] for c in wrong):
        note += (" — with causal=True and q_len < k_len the mask is aligned bottom-right: "
                 "query i sees keys j ≤ i + (k_len − q_len)")
    m.set("max_abs_error", value, note)


def _shape(c: dict[str, Any]) -> str:
    return (f"q [{c['batch']}, {c['heads']}, {c['q_len']}, {c['head_dim']}], k_len {c['k_len']}"
            f"{', causal' if c['causal'] else ''}")


def _merge(calls: dict[str, int], imports: set[str], data: dict[str, Any]) -> None:
    for name, n in (data.get("fused") or {}).items():
        calls[name] = calls.get(name, 0) + int(n)
    imports.update(data.get("imports") or [])


def _join_logs(log: str, label: str, more: str) -> str:
    return (log + f"\n--- {label} ---\n" + more).strip() if more.strip() else log


def _set_model(m: Measurements, model: dict[str, Any] | None, tolerance: float) -> None:
    if not model or model.get("logits_error") is None:
        problem = (model or {}).get("problem", "not measured")
        m.set("model_logits_match", False, f"the tiny Llama with your attention: {problem}")
        return
    err = float(model["logits_error"])
    m.set("logits_max_abs_error", err)
    m.set("model_logits_match", err <= tolerance,
          f"max |Δlogit| {err:.2e} (tolerance {tolerance:g}) on {model['tokens'][0]}×{model['tokens'][1]} tokens, "
          "causal, through transformers' attention interface")


def _set_memory(m: Measurements, naive: dict[str, Any], mine: RunOutcome, params: AttentionParams) -> None:
    checks = ("memory_ratio", "extra_memory")
    if record_run_fault(m, mine, checks=checks, prefix=f"memory run at {params.memory_seq} tokens: "):
        return
    data = mine.result or {}
    if data.get("rows_error") is None or float(data["rows_error"]) > 1e-4:
        what = data.get("problem") or f"rows differ from the exact result by {data.get('rows_error')}"
        m.fault(f"at {params.memory_seq} tokens your function returned a wrong result ({what}); "
                "memory is only credited for a correct one", checks=checks, status="fail")
        return
    extra, base = int(data["extra_bytes"]), int(naive["extra_bytes"])
    m.set("naive_extra_memory", float(base))
    m.set("extra_memory", float(extra))
    m.set("memory_ratio", extra / base if base else 1.0,
          f"{extra / 1e6:.1f} MB vs naive {base / 1e6:.0f} MB at [1, {params.heads}, {params.memory_seq}, "
          f"{params.head_dim}] ({data.get('method', '')})")


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
    with ctx.sandbox.workdir(None) as empty:
        run = ctx.sandbox.call(f"{_CHILD}:gpu_step", {"seq": params.gpu_seq, "seed": ctx.seed,
                                                     "model_path": model_path}, workdir=empty)
    if record_run_fault(m, run, checks=("peak_vram_32k",), prefix="32k training step: "):
        return
    data = run.result or {}
    m.set("peak_vram_32k", float(data["peak_vram"]),
          f"one step at {params.gpu_seq} tokens on {data.get('device', 'cuda')} in {data.get('seconds', 0):.1f} s")
