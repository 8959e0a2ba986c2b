"""Adapter of kind ``lora`` — trusted grader code that runs *in the learner worker*: the gpu
profile's peak-VRAM window around ``finetune``. ``torch.cuda`` counts what this process allocated;
it is the learner's process's own account, which its code can patch (docs/threat-model.md)."""

from __future__ import annotations

from graders.gpu import peak_bytes, reset_peak

__all__ = ["vram_peak", "vram_window"]

_state: dict[str, object] = {}


def vram_window(device: str) -> int:
    """Open the window (before the learner's module is imported): the bytes already allocated."""
    baseline = reset_peak(device)
    _state.update(device=device, baseline=baseline)
    return baseline


def vram_peak() -> int | None:
    """Peak VRAM since :func:`vram_window`, less what was allocated then; None off CUDA."""
    baseline = _state.get("baseline", 0)
    return peak_bytes(str(_state.get("device", "cpu")), baseline if isinstance(baseline, int) else 0)
