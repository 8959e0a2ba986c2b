"""Where built models live, and how an entry appears there exactly once.

Layout (``<root>`` is :func:`cache_dir`)::

    <root>/tinymodels/
        <key>/                 a complete entry — appears in one atomic rename, never half-written
            config.json  generation_config.json  model.safetensors
            tokenizer.json  tokenizer_config.json
            recipe.json  metrics.json
        <key>.lock             fcntl lock held while someone builds <key>
        .tmp-<key>-<pid>-<rand>/   a build in progress (or the debris of a killed one)

Protocol (:func:`ensure_entry`): a complete entry is returned at once, without locking. Otherwise
take the key's lock (blocking — a second process waits for the first), look again (the first may
just have finished), clear debris of killed builds, build into a fresh temporary folder, and
``rename`` it into place. ``rename`` within one file system is atomic, so readers see nothing or
everything. The lock is an OS lock on an open file: it dies with its process, so a killed builder
never blocks the next one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from graders.paths import cache_dir  # the one user cache folder (LLM_SPRINT_CACHE, XDG_CACHE_HOME, ~/.cache)

__all__ = ["ENTRY_MARKER", "BuiltEntry", "cache_dir", "ensure_entry", "entries_root", "entry_summary", "is_complete"]

#: The file written last into an entry; an entry without it is not complete.
ENTRY_MARKER = "metrics.json"


class BuiltEntry(Protocol):
    """What a builder returns for a complete entry (graders.tinymodels.build.BuiltModel, .encoder.BuiltEncoder)."""

    @property
    def path(self) -> Path: ...
    @property
    def recipe_hash(self) -> str: ...
    @property
    def built_now(self) -> bool: ...
    @property
    def metrics(self) -> dict[str, Any]: ...


def entry_summary(built: BuiltEntry) -> dict[str, object]:
    """The JSON both build commands print for an entry (``--json``)."""
    return {"path": str(built.path), "recipe_hash": built.recipe_hash, "built_now": built.built_now,
            "metrics": built.metrics}


def entries_root() -> Path:
    return cache_dir() / "tinymodels"


def is_complete(entry: Path) -> bool:
    return (entry / ENTRY_MARKER).is_file()


@contextlib.contextmanager
def _locked(lock_path: Path, on_wait: Callable[[], None] | None) -> Iterator[None]:
    with open(lock_path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)  # blocks until the other builder is done
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_entry(
    key: str,
    build_into: Callable[[Path], None],
    on_wait: Callable[[], None] | None = None,
) -> tuple[Path, bool]:
    """Return ``(entry folder, built_now)``, calling ``build_into(tmp)`` only if no entry exists.

    ``build_into`` must write a complete entry (ending with :data:`ENTRY_MARKER`) into the empty
    folder it is given. If it raises, its folder is removed and the exception propagates.
    """
    root = entries_root()
    entry = root / key
    if is_complete(entry):
        return entry, False
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root / f"{key}.lock", on_wait):
        if is_complete(entry):
            return entry, False  # another process built it while we waited
        # We hold the lock: any temporary folder for this key is debris of a killed build, and an
        # incomplete entry folder can only come from outside tampering. Clear both.
        for debris in root.glob(f".tmp-{key}-*"):
            shutil.rmtree(debris, ignore_errors=True)
        if entry.exists():
            shutil.rmtree(entry)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{key}-{os.getpid()}-", dir=root))
        try:
            build_into(tmp)
            if not is_complete(tmp):
                raise RuntimeError(f"build wrote no {ENTRY_MARKER}; refusing to publish {tmp}")
            # mkdtemp makes 0700 folders and some writers 0600 files; an entry is ordinary data.
            tmp.chmod(0o755)
            for f in tmp.iterdir():
                f.chmod(0o644)
            os.rename(tmp, entry)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return entry, True
