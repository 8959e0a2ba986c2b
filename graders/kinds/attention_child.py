"""Child side of kind ``attention``: runs in the sandbox, next to the learner's ``attention.py``.

Four entry points, each started by the parent in a *fresh* sandboxed process:

``check``   correctness on random shapes and speed, under the fused-kernel watch;
``model``   the learner's attention inside the tiny Llama: its logits against the model's own;
``memory``  extra peak memory of *one* call at a long length (learner's function or naive attention);
``gpu_step`` the gpu profile's 32k-context training step through flash-attn (CUDA only).

Everything here imports torch inside functions, so the parent (and the unit tests) can import the
module cheaply. The helpers (``draw_cases``, ``naive_attention``, ``reference_attention``,
``PeakMemory``, ``FusedKernelWatch``) are unit-tested directly.

Causal convention (FlashAttention ≥ 2.1, and what a KV cache needs): with ``q_len ≤ k_len`` the
mask is aligned *bottom-right* — query ``i`` sees keys ``j ≤ i + (k_len − q_len)``.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import math
import os
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from graders.harness.channel import Channel, learner_traceback
from graders.harness.learner import learner_function

if TYPE_CHECKING:
    import torch

__all__ = [
    "BLOCKED_MODULES",
    "Case",
    "FusedKernelWatch",
    "PeakMemory",
    "check",
    "draw_cases",
    "gpu_step",
    "make_inputs",
    "memory",
    "naive_attention",
    "reference_attention",
]

#: Python-level names and aten ops that are a library attention kernel. A match anywhere in a
#: called function's name (TorchFunctionMode) or a dispatched aten op's name counts as a call.
FUSED_PATTERN = re.compile(
    r"scaled_dot_product|flash_attention|efficient_attention|cudnn_attention|fused_attention"
    r"|multi_head_attention|flex_attention|triton_scaled_dot|triton_multi_head"
)
#: Packages that ship fused attention kernels; importing one from the learner's code is recorded.
BLOCKED_MODULES = ("flash_attn", "flash_attn_interface", "flash_attn_2_cuda", "xformers", "flashinfer",
                   "sageattention", "flex_attention")


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

    cases = [
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
    return cases


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


# --------------------------------------------------------------------------------------------
# Trusted attention
# --------------------------------------------------------------------------------------------


def causal_mask(q_len: int, k_len: int, device: Any = None) -> torch.Tensor:
    """``[Lq, Lk]`` bool, True where query ``i`` may see key ``j`` (bottom-right aligned)."""
    import torch

    i = torch.arange(q_len, device=device)[:, None]
    j = torch.arange(k_len, device=device)[None, :]
    return j <= i + (k_len - q_len)


def reference_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False) -> torch.Tensor:
    """softmax(q kᵀ / √d) v in float64, returned as float32: the ground truth of the checks."""
    import torch

    q64, k64, v64 = q.double(), k.double(), v.double()
    scores = q64 @ k64.transpose(-2, -1) / math.sqrt(q.shape[-1])  # [B, H, Lq, Lk]
    if causal:
        scores = scores.masked_fill(~causal_mask(q.shape[-2], k.shape[-2], q.device), float("-inf"))
    return torch.softmax(scores, dim=-1).matmul(v64).float()  # [B, H, Lq, D]


def naive_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False) -> torch.Tensor:
    """The textbook version the learner's is measured against: it materialises ``[B, H, Lq, Lk]``
    scores and probabilities (≈1 GB at 4k tokens, 8 heads)."""
    import torch

    scores = (q / math.sqrt(q.shape[-1])) @ k.transpose(-2, -1)  # [B, H, Lq, Lk]
    if causal:
        scores = scores.masked_fill(~causal_mask(q.shape[-2], k.shape[-2], q.device), float("-inf"))
    probs = torch.softmax(scores, dim=-1)  # [B, H, Lq, Lk]
    return probs @ v  # [B, H, Lq, D]


# --------------------------------------------------------------------------------------------
# Peak memory of one call
# --------------------------------------------------------------------------------------------


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import psutil

        return int(psutil.Process().memory_info().rss)


def _status_kib(field_name: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class PeakMemory:
    """Peak resident memory of this process between ``start()`` and ``stop()``, above the start.

    Linux: writing ``5`` to ``/proc/self/clear_refs`` resets the kernel's high-water mark
    (``VmHWM``) to the current RSS; after the call ``VmHWM − RSS at start`` is the exact peak of
    resident pages the call added — no sampling, so no short-lived spike is missed. Elsewhere (or
    where ``clear_refs`` is not writable) a thread samples RSS every 0.5 ms instead (``method``
    says which was used). Pages only count once touched, which is what "memory used" means here.
    """

    def __init__(self) -> None:
        self.method = ""
        self.start_rss = 0
        self._peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        gc.collect()
        self.start_rss = _rss_bytes()
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            if _status_kib("VmHWM") is None:
                raise OSError("no VmHWM")
            self.method = "VmHWM after clear_refs"
            self.start_rss = _rss_bytes()
        except OSError:
            self.method = "RSS sampled every 0.5 ms"
            self._peak = self.start_rss
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._peak = max(self._peak, _rss_bytes())
            time.sleep(0.0005)

    def stop(self) -> int:
        """Extra bytes at the peak (≥ 0)."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            peak = max(self._peak, _rss_bytes())
        else:
            hwm = _status_kib("VmHWM")
            peak = (hwm or 0) * 1024
        return max(0, peak - self.start_rss)


# --------------------------------------------------------------------------------------------
# Fused-kernel watch
# --------------------------------------------------------------------------------------------


class _Blocker(importlib.abc.MetaPathFinder):
    """Refuses ``import flash_attn`` (and friends) from the learner's files, recording the attempt."""

    def __init__(self, watch: FusedKernelWatch) -> None:
        self.watch = watch

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None,
                  ) -> importlib.machinery.ModuleSpec | None:
        top = fullname.partition(".")[0]
        if top not in BLOCKED_MODULES or not self.watch.called_from_learner():
            return None  # libraries probing for flash-attn (transformers does) are not the learner
        self.watch.imports.append(top)
        raise ModuleNotFoundError(f"{top} is blocked by the grader: this exercise is to write the kernel yourself",
                                  name=fullname)


@dataclass
class FusedKernelWatch:
    """Detects library attention kernels used by the learner's code, three ways:

    * a ``TorchFunctionMode`` sees every call of a torch function from Python, whatever name or
      alias it was reached through (``F.scaled_dot_product_attention``, ``torch._C._nn…``,
      ``torch.ops.aten…``, ``torch._scaled_dot_product_flash_attention_for_cpu`` …);
    * a ``TorchDispatchMode``, where enabled, sees every aten op that reaches the dispatcher —
      also when torch functions are disabled (``torch._C.DisableTorchFunction()``);
    * a meta-path finder records and refuses ``import flash_attn`` / ``xformers`` / … from the
      learner's files.

    Calls are recorded, not refused (the function still returns its result), so a cheat fails
    exactly the ``no_fused_kernel`` check and nothing else.
    """

    learner_root: str
    calls: dict[str, int] = field(default_factory=dict)
    imports: list[str] = field(default_factory=list)
    _blocker: _Blocker | None = None

    def install(self) -> FusedKernelWatch:
        if self._blocker is None:
            self._blocker = _Blocker(self)
            sys.meta_path.insert(0, self._blocker)
            for name in list(sys.modules):  # an already-imported package would bypass the finder
                if name.partition(".")[0] in BLOCKED_MODULES:
                    del sys.modules[name]
        return self

    def called_from_learner(self) -> bool:
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename.startswith(self.learner_root):
                return True
            frame = frame.f_back  # type: ignore[assignment]
        return False

    def record(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    @contextlib.contextmanager
    def watching(self, *, aten: bool = False) -> Iterator[None]:
        from torch.overrides import TorchFunctionMode
        from torch.utils._python_dispatch import TorchDispatchMode

        watch = self

        class _Functions(TorchFunctionMode):
            def __torch_function__(self, func: Callable[..., Any], types: Any, args: Any = (),
                                   kwargs: Any = None) -> Any:
                name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or str(func)
                if FUSED_PATTERN.search(str(name)):
                    watch.record(str(name))
                return func(*args, **(kwargs or {}))

        class _Aten(TorchDispatchMode):  # type: ignore[no-untyped-call]
            def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
                name = str(func)
                if FUSED_PATTERN.search(name):
                    watch.record(name)
                return func(*args, **(kwargs or {}))

        with contextlib.ExitStack() as stack:
            if aten:
                stack.enter_context(_Aten())  # type: ignore[no-untyped-call]
            stack.enter_context(_Functions())
            yield

    def findings(self) -> list[str]:
        found = [f"{name} (called {n}×)" for name, n in sorted(self.calls.items())]
        found += [f"import {name}" for name in sorted(set(self.imports))]
        return found


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------




def _compare(out: Any, expected: torch.Tensor) -> tuple[float | None, str]:
    """(max |out − expected|, "") or (None, what is wrong with ``out``)."""
    import torch

    if not isinstance(out, torch.Tensor):
        return None, f"returned {type(out).__name__}, not a tensor"
    if tuple(out.shape) != tuple(expected.shape):
        return None, f"returned shape {list(out.shape)}, expected {list(expected.shape)}"
    if out.dtype != torch.float32:
        return None, f"returned {out.dtype}, expected torch.float32"
    if not bool(torch.isfinite(out).all()):
        return None, "returned NaN or inf"
    return float((out.detach() - expected).abs().max()), ""


def _check_cases(fn: Callable[..., Any], watch: FusedKernelWatch, seed: int, workdir: str) -> dict[str, Any]:
    results = []
    for index, case in enumerate(draw_cases(seed)):
        q, k, v = make_inputs(case, seed * 1000 + index)
        expected = reference_attention(q, k, v, case.causal)
        try:
            with watch.watching(aten=True):
                out = fn(q, k, v, causal=case.causal)
        except NotImplementedError:
            raise
        except Exception as exc:  # one failing shape is a wrong answer, not the end of grading
            results.append({**asdict(case), "error": None,
                            "problem": "raised " + learner_traceback(exc, workdir).splitlines()[-1]})
            continue
        err, problem = _compare(out, expected)
        results.append({**asdict(case), "error": err, "problem": problem, "describe": case.describe()})
    return {"cases": results}


class _BadOutput(Exception):
    """The learner's function returned something the model cannot use."""


def _model_check(fn: Callable[..., Any], watch: FusedKernelWatch, model_path: str, seed: int,
                 tolerance: float) -> dict[str, Any]:
    """Plug the learner's attention into the tiny Llama through transformers' attention interface
    and compare its logits with the model's own (sdpa) on a seeded batch of token ids."""
    import torch
    from transformers import AttentionInterface
    from transformers.utils import logging as hf_logging

    from graders.tinymodels.model import load_model

    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    model = load_model(model_path)
    gen = torch.Generator().manual_seed(seed)
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
        out = fn(query, key, value, causal=True)  # [B, H, L, D]
        if not isinstance(out, torch.Tensor) or out.shape != query.shape:
            raise _BadOutput(f"returned {getattr(out, 'shape', type(out).__name__)} for q of shape "
                             f"{list(query.shape)}")
        return out.transpose(1, 2).contiguous(), None  # [B, L, H, D]

    AttentionInterface.register("llm_sprint_learner", learner_attention)
    model.set_attn_implementation("llm_sprint_learner")
    try:
        with torch.no_grad(), watch.watching(aten=True):
            got = model(input_ids=ids).logits
    except _BadOutput as exc:
        return {"logits_error": None, "problem": f"your function {exc}", "tokens": list(ids.shape)}
    err, problem = _compare(got, expected)
    return {"logits_error": err, "problem": problem, "tolerance": tolerance, "tokens": list(ids.shape)}


def _time_it(fn: Callable[..., Any], args: tuple[Any, ...], repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(*args, causal=False)
        best = min(best, time.perf_counter() - t0)
    return best


def _speed(fn: Callable[..., Any], seq: int, heads: int, head_dim: int, seed: int) -> dict[str, Any]:
    import torch

    gen = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(1, heads, seq, head_dim, generator=gen) for _ in range(3))
    naive_attention(q[:, :, :64], k[:, :, :64], v[:, :, :64])
    fn(q[:, :, :64], k[:, :, :64], v[:, :, :64], causal=False)
    # Interleaved, best of 3 each: both sides see the same machine load.
    naive_s = learner_s = math.inf
    for _ in range(3):
        naive_s = min(naive_s, _time_it(naive_attention, (q, k, v), 1))
        learner_s = min(learner_s, _time_it(fn, (q, k, v), 1))
    return {"naive_s": naive_s, "learner_s": learner_s, "seq": seq}


def _watch_and_import(args: dict[str, Any]) -> tuple[FusedKernelWatch, Callable[..., Any]]:
    watch = FusedKernelWatch(os.path.realpath(os.getcwd())).install()
    with watch.watching():  # import-time calls count too
        fn = learner_function(f"{args['module']}:{args['function']}")
    return watch, fn


def check(args: dict[str, Any], channel: Channel) -> None:
    """Correctness over random shapes, the fused-kernel watch and speed."""
    import torch

    workdir = os.getcwd()
    seed = int(args["seed"])
    torch.manual_seed(seed)
    watch, fn = _watch_and_import(args)
    result: dict[str, Any] = _check_cases(fn, watch, seed, workdir)
    if args.get("speed_seq"):
        try:
            result["speed"] = _speed(fn, int(args["speed_seq"]), int(args["heads"]), int(args["head_dim"]), seed)
        except NotImplementedError:
            raise
        except Exception as exc:
            result["speed"] = {"problem": "raised " + learner_traceback(exc, workdir).splitlines()[-1]}
    channel.result(**result, fused=watch.calls, imports=watch.imports)


def model(args: dict[str, Any], channel: Channel) -> None:
    """The learner's attention inside the tiny Llama (a separate process: transformers loads here)."""
    workdir = os.getcwd()
    watch, fn = _watch_and_import(args)
    try:
        result = _model_check(fn, watch, args["model_path"], int(args["seed"]), float(args["logits_tolerance"]))
    except NotImplementedError:
        raise
    except Exception as exc:
        tb = learner_traceback(exc, workdir)
        if not tb.startswith("Traceback (your code"):
            raise  # our bug (or the model kit's): the harness reports it as internal
        result = {"logits_error": None, "problem": "raised " + tb.splitlines()[-1]}
    channel.result(**result, fused=watch.calls, imports=watch.imports)


def _warm_up() -> None:
    """Run, at a tiny size, the ops any attention uses, so their one-time costs (thread pools,
    kernel caches) fall before the measurement starts and count against nobody."""
    import torch

    gen = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(1, 2, 33, 16, generator=gen) for _ in range(3))
    for causal in (False, True):
        naive_attention(q, k, v, causal)
    s = q @ k.transpose(-2, -1)
    m = torch.maximum(s.amax(-1, keepdim=True), torch.full_like(s[..., :1], -1e9))
    p = torch.exp(s - m).masked_fill(~causal_mask(33, 33), 0.0)
    torch.einsum("bhqk,bhkd->bhqd", p, v)
    torch.cat([p.sum(-1, keepdim=True), torch.zeros_like(m)], dim=-1)
    torch.where(p > 0, p, torch.zeros_like(p)).triu().tril().sum()
    torch.stack([q, k]).max(dim=-1).values.exp_().div_(2).mul_(2).add_(1).clone()


def memory(args: dict[str, Any], channel: Channel) -> None:
    """Extra peak memory of one call at ``[1, heads, seq, head_dim]``, in a fresh process.

    ``impl`` is ``"learner"`` or ``"naive"``. The learner's module is imported *inside* the
    measured window, so memory it grabs at import time (a pre-allocated buffer) counts too.
    A few output rows are then checked against an exact computation of just those rows, so a
    function that only skips work at this size is caught.
    """
    import torch

    seed = int(args["seed"])
    seq, heads, head_dim = int(args["seq"]), int(args["heads"]), int(args["head_dim"])
    gen = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(1, heads, seq, head_dim, generator=gen) for _ in range(3))  # [1, H, L, D]
    _warm_up()
    workdir = os.path.realpath(os.getcwd())
    watch = FusedKernelWatch(workdir).install()
    peak = PeakMemory()
    with watch.watching():
        peak.start()
        learner = args["impl"] == "learner"
        fn = learner_function(f"{args['module']}:{args['function']}") if learner else naive_attention
        t0 = time.perf_counter()
        out = fn(q, k, v, causal=False)
        seconds = time.perf_counter() - t0
        extra = peak.stop()
    rows = torch.randperm(seq, generator=gen)[:16]
    expected = reference_attention(q[:, :, rows], k, v)  # [1, H, 16, D]
    if isinstance(out, torch.Tensor) and tuple(out.shape) == tuple(q.shape):
        err, problem = _compare(out[:, :, rows], expected)
    else:
        err, problem = _compare(out, torch.empty_like(q))
    channel.result(extra_bytes=extra, seconds=seconds, method=peak.method, rows_error=err, problem=problem,
                   fused=watch.calls, imports=watch.imports, threads=torch.get_num_threads())


def gpu_step(args: dict[str, Any], channel: Channel) -> None:
    """gpu profile: one training step of the tiny Llama at ``seq`` tokens (32k) with
    ``attn_implementation="flash_attention_2"``; reports ``torch.cuda.max_memory_allocated``.

    Needs CUDA and the ``flash-attn`` package (``pip install 'llm-sprint[gpu]'``).
    """
    import torch

    if not torch.cuda.is_available():
        channel.fault("needs a CUDA GPU; this machine has none", status="error", detail="no-cuda")
        return
    if importlib.util.find_spec("flash_attn") is None:
        channel.fault("flash-attn is not installed: pip install 'llm-sprint[gpu]' (needs CUDA and nvcc)",
                      status="fail")
        return
    from transformers import LlamaConfig, LlamaForCausalLM

    seq = int(args["seq"])
    config = LlamaConfig.from_pretrained(args["model_path"], local_files_only=True)
    config.max_position_embeddings = max(seq, int(config.max_position_embeddings))
    torch.manual_seed(int(args["seed"]))
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
    channel.result(peak_vram=int(torch.cuda.max_memory_allocated()), seconds=time.perf_counter() - t0,
                   loss=float(loss), device=torch.cuda.get_device_name(0))
