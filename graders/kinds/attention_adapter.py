"""Adapter of kind ``attention`` — trusted grader code that runs *in the learner worker*.

It calls the learner's ``attention`` (or, for the baseline, :func:`naive_attention` — timed and
measured through exactly the same path) on the inputs the measurer sends and returns the output as
data; it holds nothing secret. Its :class:`FusedKernelWatch` records library attention kernels the
learner's code calls: that watch lives in the learner's process, so the learner's code can switch it
off — it is one half of the ``no_fused_kernel`` check; the other, a static scan of the learner's files
done by the grader's own process (:mod:`graders.kinds.attention_scan`), cannot be tampered with.

Causal convention (FlashAttention ≥ 2.1, and what a KV cache needs): with ``q_len ≤ k_len`` the
mask is aligned *bottom-right* — query ``i`` sees keys ``j ≤ i + (k_len − q_len)``.

torch is imported inside the functions: the measurer imports :func:`naive_attention` and
:func:`causal_mask` from here, the parent nothing.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

from graders.harness.learner import learner_function
from graders.kinds.attention_scan import BLOCKED_MODULES, FUSED_PATTERN
from graders.wire import Array

if TYPE_CHECKING:
    import torch

__all__ = ["FusedKernelWatch", "attend", "attend_held", "causal_mask", "findings", "hold", "install_watch",
           "load", "naive_attention", "warm_up"]

Impl = Literal["learner", "naive"]
WatchLevel = Literal["aten", "functions", "none"]
_state: dict[str, Any] = {}


# --------------------------------------------------------------------------------------------
# Trusted attention (the baseline; the measurer's reference is in float64, in attention_measure)
# --------------------------------------------------------------------------------------------


def causal_mask(q_len: int, k_len: int, device: Any = None) -> torch.Tensor:
    """``[Lq, Lk]`` bool, True where query ``i`` may see key ``j`` (bottom-right aligned)."""
    import torch

    i = torch.arange(q_len, device=device)[:, None]
    j = torch.arange(k_len, device=device)[None, :]
    return j <= i + (k_len - q_len)


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
# Fused-kernel watch (in the learner's process: one half of no_fused_kernel)
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

    Calls are recorded, not refused (the function still returns its result), so such code fails
    exactly the ``no_fused_kernel`` check and nothing else. It runs in the learner's process: code
    there can disable it, which is why it never decides that check alone.
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

    def findings(self) -> dict[str, int]:
        """What was seen: each kernel's name → calls, ``import <package>`` → attempts."""
        found = dict(self.calls)
        for name in self.imports:
            found[f"import {name}"] = found.get(f"import {name}", 0) + 1
        return found


# --------------------------------------------------------------------------------------------
# What the measurer calls
# --------------------------------------------------------------------------------------------


def install_watch() -> None:
    """Start watching, before any of the learner's code is imported (the run folder is the root)."""
    _state["watch"] = FusedKernelWatch(os.path.realpath(os.getcwd())).install()


def _watch() -> FusedKernelWatch:
    watch = _state.get("watch")
    if not isinstance(watch, FusedKernelWatch):
        install_watch()
        watch = _state["watch"]
    assert isinstance(watch, FusedKernelWatch)
    return watch


def findings() -> dict[str, int]:
    """What the watch saw (library kernels called, blocked packages imported)."""
    return _watch().findings()


def load(fn: str) -> None:
    """Import the learner's module under the watch (calls made at import time count), so import
    time stays out of the first timed call."""
    _function("learner", fn)


def _function(impl: Impl, fn: str) -> Callable[..., Any]:
    if impl == "naive":
        return naive_attention
    with _watch().watching():  # import-time calls count too
        return learner_function(fn)


def _as_reply(out: Any) -> Array | str:
    """The output as an array, or (not a tensor, or a dtype that cannot be sent) what it was."""
    import torch

    if not isinstance(out, torch.Tensor):
        return type(out).__name__
    try:
        return Array.from_torch(out)
    except TypeError:
        return f"a {out.dtype} tensor"


def attend(impl: Impl, fn: str, q: Any, k: Any, v: Any, causal: bool, transposed: bool = False,
           watch: WatchLevel = "aten") -> Array | str:
    """``attention(q, k, v, causal=causal)`` of the learner's ``fn`` ("module:function"), or of naive
    attention. ``transposed``: the inputs arrive as ``[B, L, H, D]`` and are handed over as
    ``[B, H, L, D]`` views (the strides of a real model's). ``watch``: ``"aten"`` watches torch
    functions and aten ops, ``"functions"`` torch functions, ``"none"`` nothing (timing)."""
    function = _function(impl, fn)
    if transposed:
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))
    with contextlib.ExitStack() as stack:
        if watch != "none" and impl == "learner":
            stack.enter_context(_watch().watching(aten=watch == "aten"))
        out = function(q, k, v, causal=causal)
    return _as_reply(out)


def hold(q: Any, k: Any, v: Any) -> None:
    """Keep the inputs of the memory measurement here, so the window opens after they arrived."""
    _state["held"] = (q, k, v)


def attend_held(impl: Impl, fn: str) -> Array | str:
    """The held inputs through the learner's ``fn`` (imported here, inside the measurer's memory
    window, under the function watch) or naive attention; non-causal."""
    q, k, v = _state.pop("held")
    function = _function(impl, fn)
    with contextlib.ExitStack() as stack:
        if impl == "learner":
            stack.enter_context(_watch().watching())
        out = function(q, k, v, causal=False)
    del q, k, v
    return _as_reply(out)


def warm_up() -> None:
    """Run, at a tiny size, the ops any attention uses, so their one-time costs (thread pools,
    kernel caches) fall before a measurement starts and count against nobody."""
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
    Array.from_torch(q)
