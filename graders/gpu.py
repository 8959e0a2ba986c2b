"""Helpers for a kind's gpu profile: what the model kinds (``lora``, ``quantization``) share, and
what a third-party kind with a gpu profile may use (``from graders import gpu``; public, see
docs/writing-a-grader.md).

Parent side: the learner's model folder (:func:`model_folder`), the limits of a gpu run
(:func:`gpu_limits`), a cheap fingerprint of a folder (:func:`fingerprint`).

Child side: the only CUDA calls the children make (:func:`reset_peak`, :func:`peak_bytes`,
:func:`release`), isolated here so everything else in the gpu children is ordinary code that takes a
``device`` and runs on a CPU, with the tiny model standing in for the 8B / 7B one (the tests do
exactly that). Importing this module imports neither torch nor transformers.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from graders.contract import GradeContext, Measurements, gpu_model_env
from graders.harness.channel import Channel
from graders.sandbox import Limits

_T = TypeVar("_T")

__all__ = ["DEVICE", "EVAL_BATCH", "fingerprint", "gpu_limits", "load_or_fault", "load_or_raise", "model_folder",
           "peak_bytes", "release", "reset_peak"]

# Where the gpu children put the models. Always "cuda" when grading; the tests set "cpu" to run the
# very same parent and child code on a machine without a GPU.
DEVICE = "cuda"
# Perplexity batch on the GPU: its logits ([B, 256, vocab] in float32 — 0.5 GB at B = 16 for a
# 32k vocabulary, 2 GB for Llama 3's 128k) would otherwise dominate a 6 GB budget.
EVAL_BATCH = 4


def _hf_model_problem(folder: Path) -> str | None:
    if not (folder / "config.json").is_file():
        return "has no config.json, so it is not a Hugging Face model folder (config.json, *.safetensors, tokenizer)"
    return None


def model_folder(ctx: GradeContext, m: Measurements, checks: tuple[str, ...], example: str, *,
                 holding: str = "a local Hugging Face folder (config.json, *.safetensors weights, tokenizer files)",
                 problem: Callable[[Path], str | None] = _hf_model_problem) -> Path | None:
    """The learner's model folder for ``ctx.slug``'s gpu profile, when it can be used.

    None when it cannot, after recording why on ``checks``: ``pending`` when no folder is
    configured (nobody's fault: say where to put one — ``holding`` says what it holds), ``error``
    when the configured path is no folder or ``problem(folder)`` says what it lacks (by default:
    not a Hugging Face model folder) — a setup mistake the learner fixes in sprint.toml, not a code
    fault. ``example`` names a fitting folder, e.g. ``"Meta-Llama-3-8B"``.
    """
    where = (f"sprint.toml under [grading.gpu_models] as {ctx.slug} = \"/path/to/{example}\" "
             f"(or the environment variable {gpu_model_env(ctx.slug)})")
    folder = ctx.gpu_model
    if folder is None:
        for name in checks:
            m.skip(name, f"no model folder is configured for the gpu profile: put {holding} in {where}")
        return None
    found = problem(folder) if folder.is_dir() else "is not a folder" if folder.exists() else "does not exist"
    if found:
        m.fault(f"the gpu model folder {folder} {found}; set the right folder in {where}", checks=checks,
                status="error")
        return None
    return folder


def gpu_limits(ctx: GradeContext, wall_s: float, memory_bytes: int | None) -> Limits:
    """Limits of one gpu-profile run. GPU memory is not limited by the sandbox (the metrics hold it
    to its budget); host memory is, and a 7B model handed over in fp16 alone takes ≈ 15 GB of it —
    so the default is this machine's RAM rather than the exercise's cpu-profile limit."""
    if memory_bytes is None:
        import psutil

        memory_bytes = int(psutil.virtual_memory().total)
    return Limits(wall_s=wall_s, cpu_s=None, memory_bytes=memory_bytes, output_bytes=ctx.sandbox.limits.output_bytes)


def fingerprint(folder: Path) -> list[tuple[str, int, int]]:
    """(relative path, size, mtime in ns) of every file under ``folder``, symlinks followed.

    Cheap where hashing 16 GB of weights is not; it catches a base model rewritten by a learner's
    run (which would corrupt the base perplexity the adapter is compared with), though not one
    rewritten and then given its old mtime back on purpose.
    """
    out = []
    for root, _dirs, files in os.walk(folder, followlinks=True):
        for name in files:
            path = Path(root, name)
            try:
                stat = path.stat()
            except OSError:  # a dangling link: still part of the picture
                out.append((str(path.relative_to(folder)), -1, -1))
                continue
            out.append((str(path.relative_to(folder)), stat.st_size, stat.st_mtime_ns))
    return sorted(out)


# -- child side: the CUDA-only calls ------------------------------------------------------------


def reset_peak(device: str) -> int:
    """Open a peak-memory window on every CUDA device: the bytes still allocated at its start,
    summed over the devices (0 elsewhere), for :func:`peak_bytes` to leave out."""
    if device != "cuda":
        return 0
    import torch

    for index in range(torch.cuda.device_count()):
        torch.cuda.reset_peak_memory_stats(index)
    return sum(int(torch.cuda.memory_allocated(index)) for index in range(torch.cuda.device_count()))


def peak_bytes(device: str, baseline: int = 0) -> int | None:
    """Peak bytes allocated through PyTorch since :func:`reset_peak`, summed over every CUDA device
    (a model spread over two GPUs is not smaller), less ``baseline`` — what was already allocated
    when the window opened, not the learner's (e.g. a reference model not yet fully released).
    None when ``device`` is not CUDA.

    ``torch.cuda.max_memory_allocated``: tensors, bitsandbytes' included; not the CUDA context nor
    the allocator's cached free blocks, so ``nvidia-smi`` shows more.
    """
    if device != "cuda":
        return None
    import torch

    torch.cuda.synchronize()
    peak = sum(int(torch.cuda.max_memory_allocated(index)) for index in range(torch.cuda.device_count()))
    return peak - baseline


def release(device: str) -> None:
    """Give memory of dropped models back (the caller has deleted its references)."""
    import gc

    gc.collect()
    if device == "cuda":
        import torch

        torch.cuda.empty_cache()


def load_or_fault(channel: Channel, path: str, load: Callable[[], _T]) -> _T | None:
    """``load()``, or None after a fault naming the folder: a model that does not load is a setup
    problem of the learner's configured folder, told in words, not a traceback of ours."""
    try:
        return load()
    except Exception as exc:  # transformers raises OSError, ValueError, KeyError … for a bad folder
        channel.fault(_unloadable(path, exc), status="error")
        return None


def load_or_raise(path: str, load: Callable[[], _T]) -> _T:
    """``load()``; a folder that does not load raises a :class:`~graders.faults.LearnerFault`
    (``error``) naming it — for a measurer, where an uncaught learner fault ends the run."""
    from graders.faults import LearnerFault

    try:
        return load()
    except Exception as exc:  # transformers raises OSError, ValueError, KeyError … for a bad folder
        raise LearnerFault(_unloadable(path, exc), status="error") from None


def _unloadable(path: str, exc: Exception) -> str:
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    return (f"the model in {path} could not be loaded ({type(exc).__name__}: {first}); check the folder set in "
            "[grading.gpu_models] of sprint.toml: a causal LM with config.json, *.safetensors and its tokenizer")
