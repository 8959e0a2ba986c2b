"""What the flash-attention monkeypatch cheats do when their module is imported: patch every
instrument they can reach in their own process.

* the clocks: ``time.perf_counter``, ``perf_counter_ns``, ``monotonic`` and ``process_time`` frozen;
* the grader's memory instruments as they were when they ran next to the learner's code
  (``graders.kinds.attention_child.PeakMemory``: every peak reads 2 MB) and as they are in the
  measurer's module (``graders.measurer.PeakMemory``) — imported here, in this process;
* the grader's result channel (``Channel.send``: every ``extra_bytes`` becomes 2 MB);
* the fused-kernel watch, old and new (``FusedKernelWatch.watching`` watches nothing, ``record``
  records nothing, ``findings`` finds nothing, the import blocker lets everything through);
* ``torch.cuda.max_memory_allocated`` and ``reset_peak_memory_stats``.

:func:`reset_high_water_mark` also tries to reset the kernel's memory high-water mark of this
process (``/proc/self/clear_refs``), which a measurer reading it from outside would then miss.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

FORGED_BYTES = 2_000_000

time.perf_counter = lambda: 1000.0
time.perf_counter_ns = lambda: 1_000_000_000_000
time.monotonic = lambda: 1000.0
time.process_time = lambda: 1.0

try:  # the memory measurement when it ran in this process (before issue 13)
    from graders.kinds import attention_child as _old

    _old.PeakMemory.stop = lambda self: FORGED_BYTES  # type: ignore[method-assign]
    _old.FusedKernelWatch.record = lambda self, name: None  # type: ignore[method-assign]
    _old.FusedKernelWatch.watching = lambda self, aten=False: contextlib.nullcontext()  # type: ignore[method-assign]
    _old._Blocker.find_spec = lambda self, *a, **k: None  # type: ignore[method-assign]
except ImportError:
    pass

try:  # the measurer's instruments (the copy in this process: the measurer has its own)
    from graders import measurer as _measurer

    _measurer.PeakMemory.extra_bytes = property(lambda self: FORGED_BYTES)  # type: ignore[assignment,method-assign]
    _measurer.Worker.last_seconds = 0.001  # type: ignore[misc]
except ImportError:
    pass

try:  # the fused-kernel watch where it runs now (in this process, the learner worker)
    from graders.kinds import attention_adapter as _adapter

    _adapter.FusedKernelWatch.record = lambda self, name: None  # type: ignore[method-assign]
    _adapter.FusedKernelWatch.watching = lambda self, aten=False: contextlib.nullcontext()  # type: ignore[method-assign]
    _adapter._Blocker.find_spec = lambda self, *a, **k: None  # type: ignore[method-assign]
    _adapter.FusedKernelWatch.findings = lambda self: {}  # type: ignore[method-assign]  # well-shaped: nothing seen
except ImportError:
    pass

try:
    from graders.harness import channel as _channel

    _send = _channel.Channel.send

    def _forged_send(self: Any, type_: str, **data: Any) -> None:
        result = data.get("data")
        if type_ == "result" and isinstance(result, dict) and "extra_bytes" in result:
            result.update(extra_bytes=FORGED_BYTES, fused={}, imports=[])
        _send(self, type_, **data)

    _channel.Channel.send = _forged_send  # type: ignore[method-assign]
except ImportError:
    pass

import torch  # noqa: E402

torch.cuda.max_memory_allocated = lambda *a, **k: FORGED_BYTES  # type: ignore[assignment]
torch.cuda.reset_peak_memory_stats = lambda *a, **k: None  # type: ignore[assignment]


def reset_high_water_mark() -> str:
    """Reset this process's VmHWM after a peak, as the old in-process measurement allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return "reset"
    except OSError as exc:
        return f"refused ({exc.strerror})"
