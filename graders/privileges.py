"""Who may look into whom during a sandboxed run (Linux; elsewhere every function does nothing).

A learner's code runs as the same user as the grader. Two kernel rules then decide whether it can
read a trusted process's memory (``/proc/<pid>/mem``) or re-open its descriptors
(``/proc/<pid>/fd/<n>`` — a pipe opened there is a new write end): the target must be *dumpable*,
or the reader must hold ``CAP_SYS_PTRACE``. So:

* every **trusted** process that holds a secret makes itself non-dumpable before it holds it —
  the tracker while it grades (it makes the channel key and reads the channel), the supervisor
  (the key passes through its stdin), a harness process (the key; a measurer's seed and expected
  values): :func:`make_undumpable`;
* every **learner** process starts without any capability and cannot regain one (securebits
  ``NOROOT``, an empty bounding set, ``no_new_privs`` — a root learner is an ordinary user here),
  and a learner worker gets a private mount namespace with ``/proc`` read-only, so it cannot reset
  the kernel's memory high-water mark of its own process (``/proc/self/clear_refs``) that the
  measurer reads from outside: :func:`confine_learner`, in the supervisor between fork and exec.

What does not change: signals (a learner process can still kill or stop the grader's processes of
the same user — a denial, never a forged result), ``/proc/<pid>/cmdline`` (world-readable; nothing
secret is passed on a command line), the file system (see docs/threat-model.md).

Standard library only (ctypes): the supervisor and the harness import it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from typing import Any

__all__ = ["confine_learner", "isolation", "make_undumpable"]

PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
SECBIT_NOROOT = 1 << 0
SECBIT_NOROOT_LOCKED = 1 << 1
SECBIT_NO_SETUID_FIXUP = 1 << 2
SECBIT_NO_SETUID_FIXUP_LOCKED = 1 << 3
SECBIT_KEEP_CAPS_LOCKED = 1 << 5
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC = 32, 4096, 16384
MS_NOATIME, MS_NODIRATIME, MS_RELATIME, MS_PRIVATE = 1024, 2048, 1 << 21, 1 << 18
_ST_RELATIME = 4096

_LINUX = sys.platform.startswith("linux")
_libc: Any = None


def _lib() -> Any:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def make_undumpable() -> bool:
    """Make this process non-dumpable (no ``/proc/<pid>/mem``, ``fd/``, ``environ`` for processes
    without ``CAP_SYS_PTRACE``; no core dumps). Idempotent; True when it holds. An ``exec`` undoes it,
    so every trusted process calls this itself, first thing."""
    if not _LINUX:
        return False
    lib = _lib()
    return bool(lib.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0)


def _readonly_proc(lib: Any) -> None:
    if lib.unshare(CLONE_NEWNS) != 0:
        return
    if lib.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return
    # A remount must keep the flags /proc already has (they may be locked).
    flags = os.statvfs("/proc").f_flag
    keep = flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME)
    if flags & _ST_RELATIME:
        keep |= MS_RELATIME
    lib.mount(b"/proc", b"/proc", None, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, None)


def _drop_capabilities(lib: Any) -> None:
    # Order matters: securebits and the bounding set need CAP_SETPCAP, which capset() then drops.
    lib.prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP
              | SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED, 0, 0, 0)
    for cap in range(64):
        if lib.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == 22:  # EINVAL: past the last
            break
    lib.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    lib.capset(ctypes.byref(header), data)


def confine_learner(*, readonly_proc: bool = False) -> None:
    """Run in a learner process between fork and exec (``preexec_fn``): with ``readonly_proc``, a
    private mount namespace whose ``/proc`` is read-only (needs ``CAP_SYS_ADMIN``: root, or the
    supervisor's own user namespace); then no capabilities and ``no_new_privs``. Best effort and
    silent — it must not raise between fork and exec; :func:`isolation` tells what holds."""
    if not _LINUX:
        return
    lib = _lib()
    with contextlib.suppress(OSError):
        if readonly_proc:
            _readonly_proc(lib)
    _drop_capabilities(lib)
    lib.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def isolation() -> dict[str, Any]:
    """What holds for this process: ``capabilities`` (effective set, hex), ``no_new_privs``,
    ``dumpable``, and ``proc_writable`` (can it open its own ``/proc/self/clear_refs``)."""
    facts: dict[str, Any] = {"platform": sys.platform}
    if not _LINUX:
        return facts
    with contextlib.suppress(OSError), open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("CapEff", "CapBnd", "NoNewPrivs"):
                facts[{"CapEff": "capabilities", "CapBnd": "bounding", "NoNewPrivs": "no_new_privs"}[key]] = \
                    value.strip()
    facts["dumpable"] = bool(_lib().prctl(3, 0, 0, 0, 0))  # PR_GET_DUMPABLE
    try:
        os.close(os.open("/proc/self/clear_refs", os.O_WRONLY))
        facts["proc_writable"] = True
    except OSError:
        facts["proc_writable"] = False
    return facts
