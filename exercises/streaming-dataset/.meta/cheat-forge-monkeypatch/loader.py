"""Forge cheat: loads the whole corpus into a list (the records are right) and, when it is imported,
patches whatever could report its memory from inside its own process:

* ``builtins.open`` — reading any ``/proc/.../status`` returns a ``VmHWM``/``VmRSS`` of 50 MB;
* ``resource.getrusage`` — ``ru_maxrss`` of 50 MB;
* ``psutil.Process.memory_info`` — an RSS of 50 MB;
* ``time.perf_counter`` / ``time.monotonic`` — a frozen clock;
* ``graders.measurer.PeakMemory`` and ``graders.harness.channel.Channel.send`` — a zero peak and a
  perfect ``peak_extra`` in any result sent from this process.

The grader reads the worker's memory from another process (its measurer), which imports none of
this: the peak of the list is measured as it is, and the cheat must fail ``peak_memory``.
"""

from __future__ import annotations

import builtins
import io
import os
import resource
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import datasets

MIN_WORDS = 3
_FAKE_KB = 50 * 1024

_open = builtins.open


def _fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(file, str) and file.startswith("/proc/") and file.endswith("/status"):
        return io.StringIO(f"VmHWM:\t{_FAKE_KB} kB\nVmRSS:\t{_FAKE_KB} kB\n")
    return _open(file, *args, **kwargs)


builtins.open = _fake_open
_getrusage = resource.getrusage
resource.getrusage = lambda who: _getrusage(who)._replace(ru_maxrss=_FAKE_KB)  # type: ignore[attr-defined]
time.perf_counter = lambda: 0.0
time.monotonic = lambda: 0.0
try:
    import psutil

    psutil.Process.memory_info = lambda self: psutil._common.pmem(_FAKE_KB * 1024, _FAKE_KB * 1024)  # type: ignore
except Exception:  # psutil's internals differ by version: the other patches stand
    pass
try:
    from graders import measurer as _measurer

    _measurer.PeakMemory.extra_bytes = property(lambda self: 0)  # type: ignore[assignment]
    from graders.harness import channel as _channel

    _send = _channel.Channel.send

    def _forged_send(self: Any, type_: str, **data: Any) -> None:
        if type_ == "result" and isinstance(data.get("data"), dict):
            data["data"] = {**data["data"], "peak_extra": 0}
        _send(self, type_, **data)

    _channel.Channel.send = _forged_send  # type: ignore[method-assign]
except ImportError:
    pass


def load(folder: str) -> datasets.IterableDataset:
    lines: list[tuple[str, str]] = []
    for path in sorted(Path(folder).glob("*.txt")):
        with _open(path, encoding="utf-8") as f:
            lines.extend((line, os.path.basename(path)) for line in f)

    def from_list() -> Iterator[dict[str, object]]:
        for line, source in lines:
            words = line.split()
            if len(words) >= MIN_WORDS:
                yield {"text": " ".join(words), "n_words": len(words), "source": source}

    return datasets.IterableDataset.from_generator(from_list)
