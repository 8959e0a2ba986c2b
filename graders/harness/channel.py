"""The result channel: authenticated JSON lines from the harness to the parent.

Every line is ``<hex HMAC-SHA256 of the JSON> <JSON>``. The key arrives on stdin before any learner
code is imported and never touches the environment or the file system, so text printed by the
learner — on stdout, stderr, this very descriptor, or written to files — cannot pass as a result.
Code running in the same process could still find the key in memory: that is why kinds that
measure the learner's code run it in a separate learner worker (graders.worker), away from the
process that holds this channel; see docs/threat-model.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
from typing import Any

from graders.faults import learner_traceback

__all__ = ["Channel", "LearnerExit", "learner_traceback", "sign", "verify_line"]


def sign(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def verify_line(key: bytes, line: str) -> dict[str, Any] | None:
    """The message carried by ``line`` if it is authentic, else None."""
    mac, _, body = line.partition(" ")
    if len(mac) != 64 or not hmac.compare_digest(mac, sign(key, body)):
        return None
    try:
        message = json.loads(body)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


class LearnerExit(Exception):
    """Raised by entry points when the learner's code ended the process early."""


class Channel:
    """Write side, used by child-side entry points (``channel.send(...)``)."""

    def __init__(self, fd: int, key: bytes) -> None:
        os.set_inheritable(fd, False)  # the learner's own subprocesses must not get it
        self._file = os.fdopen(fd, "w", buffering=1, encoding="utf-8", closefd=True)
        self._key = key

    def send(self, type_: str, **data: Any) -> None:
        body = json.dumps({"type": type_, **data}, default=_jsonable, allow_nan=True)
        self._file.write(f"{sign(self._key, body)} {body}\n")
        self._file.flush()

    def measure(self, name: str, value: Any, note: str = "") -> None:
        self.send("measure", name=name, value=value, note=note)

    def result(self, **data: Any) -> None:
        """Send the entry point's structured result (the parent reads the last one)."""
        self.send("result", data=data)

    def fault(self, message: str, *, status: str = "error", detail: str = "") -> None:
        self.send("fault", message=message, status=status, detail=detail)

    def close(self) -> None:
        self._file.close()


def _jsonable(obj: Any) -> Any:
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if isinstance(obj, (set, tuple)):
        return list(obj)
    return repr(obj)


def excepthook_guard() -> None:
    """Make sure nothing of ours is printed as if it were the learner's: flush and go."""
    sys.stdout.flush()
    sys.stderr.flush()
