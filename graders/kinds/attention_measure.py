"""Measurer of kind ``attention`` — trusted; runs beside the learner worker (see graders.measurer).

Entry points, each a run of its own (``Sandbox.measure``, except :func:`gpu_step`):

``check``    correctness on random shapes drawn here, speed against naive attention timed the same
             way through the same path, and the learner's attention inside the tiny Llama — the
             model runs *here*, each of its attention calls is one call of the learner's function
             in the worker, and the logits are compared here with the model's own;
``memory``   the extra peak memory of one call at a long length (the learner's function or naive
             attention), read from outside the worker (``worker.memory()``), with the learner's
             module imported inside the window; a few output rows are then checked here;
``gpu_step`` the gpu profile's 32k-context training step through flash-attn (CUDA only; a trusted
             run that imports no learner code).

The worker never receives the seed, an expected output, or more than its function's arguments;
every error, time and memory figure is computed here. The fused-kernel watch runs in the worker
(graders.kinds.attention_adapter) and its findings are reported as what they are: the learner's
process's account of itself, combined by the parent with a static scan it cannot tamper with.

The random cases are drawn from the run's seed (their shapes are reproducible with ``--seed``).
The inputs of the timing, memory and model calls, and the rows checked, are drawn from a secret of
this process instead: their values change no honest figure, and a learner's code that searched
the 31-bit seed during the cases (their shapes filter candidate seeds fast) could otherwise work
out those inputs and compute their outputs ahead of the measurement.
"""

from __future__ import annotations

import math
import random
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from graders.faults import LearnerFault, LearnerRaised
from graders.harness.channel import Channel
from graders.measurer import Worker, expect
from graders.wire import Array

if TYPE_CHECKING:
    import torch

__all__ = ["Case", "CaseResult", "CheckJob", "CheckReport", "GpuStepJob", "GpuStepReport", "MemoryJob",
           "MemoryReport", "ModelResult", "SpeedResult", "check", "compare", "draw_cases",
           "gpu_step", "make_inputs", "memory", "reference_attention",
           "secret_seed"]

ADAPTER = "graders.kinds.attention_adapter"


# --------------------------------------------------------------------------------------------
# What crosses (parent → measurer → parent)
# --------------------------------------------------------------------------------------------


class CheckJob(TypedDict):
    module: str
    function: str
    seed: int
    speed_seq: int  # 0: no timing
    heads: int
    head_dim: int
    model_path: str | None  # the tiny Llama's folder; None: no model check
    logits_tolerance: float


class CaseResult(TypedDict):
    name: str
    batch: int
    heads: int
    q_len: int
    k_len: int
    head_dim: int
    causal: bool
    scale: float
    transposed: bool
    error: float | None  # None: not comparable (``problem`` says why)
    problem: str


class SpeedResult(TypedDict):
    seq: int
    naive_s: float | None
    learner_s: float | None
    problem: str  # why there is no time for the learner's function ("" when there is)


class ModelResult(TypedDict):
    logits_error: float | None
    problem: str
    tokens: list[int]


class CheckReport(TypedDict):
    cases: list[CaseResult]
    speed: SpeedResult | None
    model: ModelResult | None
    fused: dict[str, int]  # what the watch in the learner's process saw: kernel (or "import x") → calls


class MemoryJob(TypedDict):
    module: str
    function: str
    seq: int
    heads: int
    head_dim: int
    impl: Literal["learner", "naive"]


class MemoryReport(TypedDict):
    extra_bytes: int
    method: str
    seconds: float
    rows_error: float | None
    problem: str
    fused: dict[str, int]


class GpuStepJob(TypedDict):
    seq: int
    seed: int
    model_path: str


class GpuStepReport(TypedDict):
    peak_vram: int
    seconds: float
    loss: float
    device: str


# --------------------------------------------------------------------------------------------
# Random cases
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One correctness case. Tensors are ``[batch, heads, len, head_dim]`` float32."""

    name: str
    batch: int
    heads: int
    q_len: int
    k_len: int
    head_dim: int
    causal: bool
    scale: float = 1.0  # inputs are multiplied by this (large logits test the running max)
    transposed: bool = False  # inputs are non-contiguous views

    def describe(self) -> str:
        extra = (", large logits" if self.scale != 1.0 else "") + (", non-contiguous" if self.transposed else "")
        return (f"{self.name}: q [{self.batch}, {self.heads}, {self.q_len}, {self.head_dim}], "
                f"k/v length {self.k_len}, causal={self.causal}{extra}")


def secret_seed() -> int:
    """A fresh 63-bit seed known to this process alone (see the module docstring)."""
    return secrets.randbits(63)


def _odd(rng: random.Random, lo: int, hi: int) -> int:
    """An odd length in [lo, hi]: a multiple of no block size (block sizes are powers of two)."""
    n = rng.randrange(lo, hi + 1) | 1
    return n if n <= hi else n - 2


def draw_cases(seed: int) -> list[Case]:
    """The correctness cases of one run, drawn from ``seed`` (deterministic).

    Odd lengths that are multiples of no power of two, query length ≠ key length where it makes
    sense (both directions without a mask; ``q_len < k_len`` with one), causal and not, a decode
    step (one query), several head sizes, large logits and non-contiguous inputs.
    """
    rng = random.Random(seed)
    dims = [16, 32, 40, 64, 80, 96, 128]

    def d() -> int:
        return rng.choice(dims)

    def b() -> int:
        return rng.randint(1, 3)

    def h() -> int:
        return rng.randint(1, 6)

    return [
        Case("self", b(), h(), n := _odd(rng, 65, 399), n, d(), causal=False),
        Case("cross-short-q", b(), h(), _odd(rng, 3, 61), _odd(rng, 129, 513), d(), causal=False),
        Case("cross-long-q", b(), h(), _odd(rng, 257, 521), _odd(rng, 17, 199), d(), causal=False),
        Case("causal-self", b(), h(), n := _odd(rng, 129, 601), n, d(), causal=True),
        Case("causal-long", 1, 2, n := _odd(rng, 601, 1031), n, 64, causal=True),
        Case("causal-prefix", b(), h(), _odd(rng, 9, 127), _odd(rng, 131, 457), d(), causal=True),
        Case("decode-step", b(), h(), 1, _odd(rng, 99, 777), d(), causal=True),
        Case("single-key", 1, h(), _odd(rng, 3, 63), 1, d(), causal=False),
        # Logits with a standard deviation of 25: exp() overflows float32 unless the running max is
        # subtracted; head dim 16 keeps float32's own rounding of q·k well under the threshold.
        Case("large-logits", b(), h(), n := _odd(rng, 65, 333), n, 16, causal=rng.random() < 0.5, scale=5.0),
        Case("non-contiguous", b(), rng.randint(2, 6), n := _odd(rng, 65, 333), n, d(), causal=True, transposed=True),
    ]


def make_inputs(case: Case, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """q ``[B, H, Lq, D]``, k and v ``[B, H, Lk, D]`` for ``case``, drawn from ``seed``."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    B, H, Lq, Lk, D = case.batch, case.heads, case.q_len, case.k_len, case.head_dim
    if case.transposed:  # drawn as [B, L, H, D] and viewed as [B, H, L, D]: strides of a real model
        q = (torch.randn(B, Lq, H, D, generator=gen) * case.scale).transpose(1, 2)
        k = (torch.randn(B, Lk, H, D, generator=gen) * case.scale).transpose(1, 2)
        v = torch.randn(B, Lk, H, D, generator=gen).transpose(1, 2)
        return q, k, v
    q = torch.randn(B, H, Lq, D, generator=gen) * case.scale
    k = torch.randn(B, H, Lk, D, generator=gen) * case.scale
    v = torch.randn(B, H, Lk, D, generator=gen)
    return q, k, v


def reference_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False) -> torch.Tensor:
    """softmax(q kᵀ / √d) v in float64, returned as float32: the ground truth of the checks."""
    import torch

    from graders.kinds.attention_adapter import causal_mask

    q64, k64, v64 = q.double(), k.double(), v.double()
    scores = q64 @ k64.transpose(-2, -1) / math.sqrt(q.shape[-1])  # [B, H, Lq, Lk]
    if causal:
        scores = scores.masked_fill(~causal_mask(q.shape[-2], k.shape[-2], q.device), float("-inf"))
    return torch.softmax(scores, dim=-1).matmul(v64).float()  # [B, H, Lq, D]


def compare(out: Any, expected: torch.Tensor) -> tuple[float | None, str]:
    """(max |out − expected|, "") or (None, what is wrong with ``out``) — ``out`` as the worker
    replied: an :class:`~graders.wire.Array`, a tensor, or the name of what was returned instead."""
    import torch

    if isinstance(out, str):
        return None, f"returned {out}, not a tensor"
    if isinstance(out, Array):
        if out.dtype != "float32":
            return None, f"returned torch.{out.dtype}, expected torch.float32"
        out = out.to_torch()
    if not isinstance(out, torch.Tensor):
        return None, f"returned {type(out).__name__}, not a tensor"
    if tuple(out.shape) != tuple(expected.shape):
        return None, f"returned shape {list(out.shape)}, expected {list(expected.shape)}"
    if out.dtype != torch.float32:
        return None, f"returned {out.dtype}, expected torch.float32"
    if not bool(torch.isfinite(out).all()):
        return None, "returned NaN or inf"
    return float((out.detach() - expected).abs().max()), ""


def _raised(exc: LearnerRaised) -> str:
    if not exc.wrong_answer:  # NotImplementedError, sys.exit: the run ends
        raise exc
    return "raised " + exc.summary


def _send(t: torch.Tensor, transposed: bool = False) -> Array:
    """A tensor as it crosses; a transposed view crosses as its ``[B, L, H, D]`` original."""
    return Array.from_torch(t.transpose(1, 2) if transposed else t)


# --------------------------------------------------------------------------------------------
# check: correctness, speed, model
# --------------------------------------------------------------------------------------------


def check(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    import torch

    torch.set_num_threads(1)  # this process only compares; the worker gets the cores
    job = expect(args, CheckJob, what="the attention kind's check job")
    fn = f"{job['module']}:{job['function']}"
    worker.adapter(f"{ADAPTER}:install_watch", returns=type(None))
    worker.adapter(f"{ADAPTER}:attend", "naive", fn, *(_send(torch.zeros(1, 1, 2, 8)) for _ in range(3)), False,
                   returns=Array)  # torch's start-up in the worker, before anything is timed
    worker.adapter(f"{ADAPTER}:load", fn, returns=type(None))  # under the watch: import-time calls count
    cases = _cases(worker, fn, job["seed"])
    speed = _speed(worker, fn, job) if job["speed_seq"] else None
    model = _model(worker, fn, job) if job["model_path"] and _usable(cases) else None
    fused = worker.adapter(f"{ADAPTER}:findings", returns=dict[str, int])
    channel.result(**CheckReport(cases=cases, speed=speed, model=model, fused=fused))


def _usable(cases: list[CaseResult]) -> bool:
    return any(c["error"] is not None for c in cases)


def _cases(worker: Worker, fn: str, seed: int) -> list[CaseResult]:
    results: list[CaseResult] = []
    for index, case in enumerate(draw_cases(seed)):
        q, k, v = make_inputs(case, seed * 1000 + index)
        expected = reference_attention(q, k, v, case.causal)
        try:
            out = worker.adapter(f"{ADAPTER}:attend", "learner", fn, *(_send(t, case.transposed) for t in (q, k, v)),
                                 case.causal, case.transposed, "aten", returns=Array | str)
        except LearnerRaised as exc:  # one failing shape is a wrong answer, not the end of grading
            err, problem = None, _raised(exc)
        else:
            err, problem = compare(out, expected)
        results.append(CaseResult(name=case.name, batch=case.batch, heads=case.heads, q_len=case.q_len,
                                  k_len=case.k_len, head_dim=case.head_dim, causal=case.causal,
                                  scale=float(case.scale), transposed=case.transposed, error=err, problem=problem))
    return results


def _rows_error(out: Any, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, seed: int,
                rows: int = 16) -> tuple[float | None, str]:
    """The error of ``rows`` random rows of a non-causal output (chosen here, after it arrived)."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    pick = torch.randperm(q.shape[-2], generator=gen)[:rows]
    if isinstance(out, Array) and out.dtype == "float32" and out.shape == tuple(q.shape):
        return compare(out.to_torch()[:, :, pick], reference_attention(q[:, :, pick], k, v))
    return compare(out, torch.empty_like(q))


def _speed(worker: Worker, fn: str, job: CheckJob) -> SpeedResult:
    """Naive attention's time / the learner's at ``speed_seq`` tokens: both through the same adapter
    call, inputs sent with each request (nothing is known before the clock starts), the output sent
    back whole; interleaved, best of three each. The learner's output is checked on random rows."""
    import torch

    seq = job["speed_seq"]
    gen = torch.Generator().manual_seed(secret_seed())
    q, k, v = (torch.randn(1, job["heads"], seq, job["head_dim"], generator=gen) for _ in range(3))
    sent = [_send(t) for t in (q, k, v)]
    small = [_send(t[:, :, :64]) for t in (q, k, v)]
    naive_s = learner_s = math.inf
    try:
        for impl in ("naive", "learner"):  # each one's one-time costs, untimed
            worker.adapter(f"{ADAPTER}:attend", impl, fn, *small, False, False, "none", returns=Array | str)
        for attempt in range(3):
            worker.adapter(f"{ADAPTER}:attend", "naive", fn, *sent, False, False, "none", returns=Array)
            naive_s = min(naive_s, worker.last_seconds)
            out = worker.adapter(f"{ADAPTER}:attend", "learner", fn, *sent, False, False, "none", returns=Array | str)
            if attempt == 0:
                err, problem = _rows_error(out, q, k, v, secret_seed())
                if err is None or err > 1e-3:
                    return SpeedResult(seq=seq, naive_s=naive_s, learner_s=None,
                                       problem=f"returned a wrong result ({problem or f'rows off by {err:.2e}'})")
            learner_s = min(learner_s, worker.last_seconds)
    except LearnerRaised as exc:
        return SpeedResult(seq=seq, naive_s=None if naive_s == math.inf else naive_s, learner_s=None,
                           problem=_raised(exc))
    return SpeedResult(seq=seq, naive_s=naive_s, learner_s=learner_s, problem="")


class _BadOutput(Exception):
    """The learner's function returned something the model cannot use."""


def _model(worker: Worker, fn: str, job: CheckJob) -> ModelResult:
    """The tiny Llama, here, with each attention call answered by the learner's function in the
    worker (through transformers' attention interface), against the model's own logits (sdpa) on a
    seeded batch of token ids."""
    import torch
    from transformers import AttentionInterface
    from transformers.utils import logging as hf_logging

    from graders.tinymodels.model import load_model

    assert job["model_path"] is not None
    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    model = load_model(job["model_path"])
    gen = torch.Generator().manual_seed(secret_seed())
    vocab = int(model.config.vocab_size)
    # Unpadded (the mask is purely causal) and longer than any block size a learner picks, so a
    # mask that is only right inside one tile shows up here too.
    length = min(int(model.config.max_position_embeddings), 257 + 2 * int(torch.randint(0, 64, (1,), generator=gen)))
    ids = torch.randint(3, vocab, (2, length), generator=gen)  # [2, L]
    with torch.no_grad():
        expected = model(input_ids=ids).logits  # [2, L, V]

    def learner_attention(module: Any, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                          attention_mask: Any, scaling: float | None = None, dropout: float = 0.0,
                          **kwargs: Any) -> tuple[torch.Tensor, None]:
        # query: [B, H, L, D]; key/value: [B, H_kv, L, D] (grouped-query models repeat them)
        groups = query.shape[1] // key.shape[1]
        if groups > 1:
            key, value = key.repeat_interleave(groups, dim=1), value.repeat_interleave(groups, dim=1)
        d = query.shape[-1]
        if scaling is not None and not math.isclose(scaling, d ** -0.5):
            query = query * (scaling * math.sqrt(d))  # the learner scales by 1/√d
        out = worker.adapter(f"{ADAPTER}:attend", "learner", fn, _send(query), _send(key), _send(value), True,
                             False, "aten", returns=Array | str)
        if not isinstance(out, Array) or out.shape != tuple(query.shape) or out.dtype != "float32":
            raise _BadOutput(f"returned {list(out.shape) if isinstance(out, Array) else out} for q of shape "
                             f"{list(query.shape)}")
        return out.to_torch().transpose(1, 2).contiguous(), None  # [B, L, H, D]

    AttentionInterface.register("llm_sprint_learner", learner_attention)
    model.set_attn_implementation("llm_sprint_learner")
    try:
        with torch.no_grad():
            got = model(input_ids=ids).logits
    except _BadOutput as exc:
        return ModelResult(logits_error=None, problem=f"your function {exc}", tokens=list(ids.shape))
    except LearnerRaised as exc:
        return ModelResult(logits_error=None, problem=_raised(exc), tokens=list(ids.shape))
    err, problem = compare(got, expected)
    return ModelResult(logits_error=err, problem=problem, tokens=list(ids.shape))


# --------------------------------------------------------------------------------------------
# memory: one call at a long length, measured from outside
# --------------------------------------------------------------------------------------------


def memory(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    """Extra peak memory of one call at ``[1, heads, seq, head_dim]``, in a fresh worker.

    The inputs are made here (from a secret, not the seed) and sent *before* the window opens (the
    worker keeps them); torch is warmed up there on tiny inputs. Then the window opens
    (``worker.memory()``: the worker's kernel high-water mark, reset from outside; every other
    learner process of the run counted too), the learner's module is imported and called once and
    its whole output sent back, and the window closes when it has arrived. The output's rows are
    then checked against an exact computation of a few rows chosen here, so a function that skips
    work at this size is caught.
    """
    import torch

    torch.set_num_threads(1)
    job = expect(args, MemoryJob, what="the attention kind's memory job")
    fn = f"{job['module']}:{job['function']}"
    gen = torch.Generator().manual_seed(secret_seed())
    shape = (1, job["heads"], job["seq"], job["head_dim"])
    q, k, v = (torch.randn(*shape, generator=gen) for _ in range(3))  # [1, H, L, D]
    if job["impl"] == "learner":
        worker.adapter(f"{ADAPTER}:install_watch", returns=type(None))
    worker.adapter(f"{ADAPTER}:warm_up", returns=type(None))
    worker.adapter(f"{ADAPTER}:hold", *(_send(t) for t in (q, k, v)), returns=type(None))
    worker.adapter("graders.worker:collect_garbage", returns=int)
    t0 = time.perf_counter()
    with worker.memory() as peak:
        out = worker.adapter(f"{ADAPTER}:attend_held", job["impl"], fn, returns=Array | str)
    seconds = time.perf_counter() - t0
    err, problem = _rows_error(out, q, k, v, secret_seed())
    fused = worker.adapter(f"{ADAPTER}:findings", returns=dict[str, int]) if job["impl"] == "learner" else {}
    channel.result(**MemoryReport(extra_bytes=peak.extra_bytes, method=peak.method, seconds=seconds,
                                  rows_error=err, problem=problem, fused=fused))


# --------------------------------------------------------------------------------------------
# gpu profile
# --------------------------------------------------------------------------------------------


def gpu_step(args: dict[str, Any], channel: Channel) -> None:
    """gpu profile: one training step of the tiny Llama at ``seq`` tokens (32k) with
    ``attn_implementation="flash_attention_2"``; reports ``torch.cuda.max_memory_allocated``.

    A trusted run (no learner code is imported). Needs CUDA and the ``flash-attn`` package
    (``pip install 'llm-sprint[gpu]'``).
    """
    import importlib.util

    import torch

    job = expect(args, GpuStepJob, what="the attention kind's gpu job")
    if not torch.cuda.is_available():
        raise LearnerFault("needs a CUDA GPU; this machine has none", status="error", detail="no-cuda")
    if importlib.util.find_spec("flash_attn") is None:
        raise LearnerFault("flash-attn is not installed: pip install 'llm-sprint[gpu]' (needs CUDA and nvcc)",
                           status="fail")
    from transformers import LlamaConfig, LlamaForCausalLM

    seq = job["seq"]
    config = LlamaConfig.from_pretrained(job["model_path"], local_files_only=True)
    config.max_position_embeddings = max(seq, int(config.max_position_embeddings))
    torch.manual_seed(job["seed"])
    model = LlamaForCausalLM(config).to("cuda", dtype=torch.bfloat16)  # type: ignore[arg-type]
    model.set_attn_implementation("flash_attention_2")
    model.gradient_checkpointing_enable()
    model.train()
    ids = torch.randint(3, int(config.vocab_size), (1, seq), device="cuda")
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    loss = model(input_ids=ids, labels=ids).loss
    loss.backward()
    optimizer.step()
    torch.cuda.synchronize()
    channel.result(**GpuStepReport(peak_vram=int(torch.cuda.max_memory_allocated()),
                                   seconds=time.perf_counter() - t0, loss=float(loss),
                                   device=torch.cuda.get_device_name(0)))
