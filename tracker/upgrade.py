"""Which llm-sprint a workspace's GitHub workflow installs, and moving its workflow files to this one.

``sprint init`` pins the running llm-sprint in ``.github/sprint-requirements.txt``
(tracker/workflow.py), so the learner's CI grades with the grader they graded with locally. When
the two drift apart, :func:`version_note` is the one line ``sprint status`` shows, and
:func:`plan_upgrade` is what ``sprint upgrade`` writes: the workflow files as this version renders
them, with the learner's own lines of the requirements file kept and only the llm-sprint line
re-pinned. Bad input (a requirement that does not parse, a pin newer than the running llm-sprint,
llm-sprint installed from a URL) is a :class:`UsageError` raised before anything is written.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tracker._version import __version__
from tracker.errors import UsageError
from tracker.workflow import PACKAGE, REQUIREMENTS_PATH, requirement, workflow_files

if TYPE_CHECKING:
    from packaging.requirements import Requirement
    from packaging.version import Version

# `packaging` is imported by the functions that parse (about 15 ms): `sprint status` asks only
# whether the pin is the one this version writes, which :func:`_pins_running` answers without it.

__all__ = ["Change", "Pin", "apply", "plan_upgrade", "read_pin", "uncommitted", "version_note"]


@dataclass(frozen=True)
class Pin:
    """The llm-sprint line of a requirements file."""

    line: int  # 1-based
    requirement: Requirement

    @property
    def version(self) -> Version | None:
        """The exact version pinned with ``==`` (no wildcard), else None."""
        from packaging.version import InvalidVersion, Version

        specs = list(self.requirement.specifier)
        if len(specs) == 1 and specs[0].operator in ("==", "===") and not specs[0].version.endswith(".*"):
            try:
                return Version(specs[0].version)
            except InvalidVersion:
                return None
        return None

    @property
    def extras(self) -> str:
        return ",".join(sorted(self.requirement.extras))


def _requirement_lines(text: str) -> list[tuple[int, str]]:
    """(line number, requirement) of every line that names a requirement (comments and options skipped)."""
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].split("\t#", 1)[0].strip()
        if line and not line.startswith(("#", "-")):
            out.append((number, line))
    return out


def read_pin(root: Path) -> Pin | None:
    """The llm-sprint requirement of ``root``'s ``.github/sprint-requirements.txt``; None when the
    file or the line is absent. A line that does not parse is a :class:`UsageError` naming it."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    path = root / REQUIREMENTS_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot be read ({exc})") from None
    for number, line in _requirement_lines(text):
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            if canonicalize_name(line.split("[", 1)[0].split("=", 1)[0].split("@", 1)[0].strip()) == PACKAGE:
                reason = str(exc).splitlines()[0]
                raise UsageError(f"{path}:{number}: {line!r} is not a valid requirement ({reason}); write it as "
                                 f"{requirement()!r}") from None
            continue  # another package's line: not ours to judge
        if canonicalize_name(req.name) == PACKAGE:
            return Pin(number, req)
    return None


def version_note(root: Path, running: str = __version__) -> str | None:
    """One line for ``sprint status`` when the workspace's workflow installs another llm-sprint than
    the one running; None when they agree, or when the workspace has no workflow requirements."""
    if _pins_running(root, running):
        return None
    from packaging.version import Version

    try:
        pin = read_pin(root)
    except UsageError:
        return f"{REQUIREMENTS_PATH.as_posix()}: its llm-sprint line does not parse (`sprint upgrade` shows where)"
    if pin is None or pin.requirement.url:
        return None
    now = Version(running)
    pinned = pin.version
    if pinned is None:
        return f"CI installs {pin.requirement} (no version pinned), you run {running}: `sprint upgrade` pins it"
    if pinned < now:
        return f"CI installs llm-sprint {pinned}, you run {running}: `sprint upgrade` moves CI to {running}"
    if pinned > now:
        return (f"CI installs llm-sprint {pinned}, newer than your {running}: "
                f"pip install -U 'llm-sprint[{pin.extras or 'all'}]=={pinned}'")
    return None


# PEP 508: a requirement starts with the project's name; PEP 503: names compare lower-cased, runs of
# - _ . as one dash (what packaging.utils.canonicalize_name does)
_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_EXACT_PIN = re.compile(r"llm-sprint(?:\[([a-z0-9,-]*)\])?==(\S+)")


def _pins_running(root: Path, running: str) -> bool:
    """Is the first llm-sprint line of the requirements file exactly the one ``sprint init`` and
    ``sprint upgrade`` write for ``running`` (``llm-sprint[<extras>]==<running>``)? Then
    :func:`read_pin` would find that pin and :func:`version_note` has nothing to say. Any other
    line — another version, a range, a marker, a URL, a typo — answers False: parse it properly."""
    try:
        text = (root / REQUIREMENTS_PATH).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    for _, line in _requirement_lines(text):
        name = _NAME.match(line)
        if name and re.sub(r"[-_.]+", "-", name.group()).lower() == PACKAGE:
            exact = _EXACT_PIN.fullmatch(line)
            return exact is not None and exact.group(2) == running
    return False


@dataclass(frozen=True)
class Change:
    """One workflow file as ``sprint upgrade`` writes it (``old`` is None for a file it creates)."""

    path: Path  # relative to the workspace
    old: str | None
    new: str


def _upgraded_requirements(root: Path, pin: Pin | None, running: str) -> str:
    path = root / REQUIREMENTS_PATH
    if not path.is_file():
        return workflow_files(running)[REQUIREMENTS_PATH]
    lines = path.read_text(encoding="utf-8").splitlines()
    if pin is None:  # the line was removed: put it back, keep everything else
        return "\n".join([*lines, requirement(running)]) + "\n"
    extras = pin.extras or ""
    marker = f" ; {pin.requirement.marker}" if pin.requirement.marker else ""
    lines[pin.line - 1] = requirement(running, extras) + marker
    return "\n".join(lines) + "\n"


def plan_upgrade(root: Path, running: str = __version__) -> list[Change]:
    """The workflow files that differ from what ``running`` writes; [] when the workspace is up to date.

    Raises :class:`UsageError` (nothing written) for a requirements line that does not parse, for
    llm-sprint installed from a URL, and for a pin newer than ``running`` (upgrade llm-sprint instead).
    """
    from packaging.version import Version

    where = root / REQUIREMENTS_PATH
    pin = read_pin(root)
    if pin is not None and pin.requirement.url:
        raise UsageError(f"{where}:{pin.line}: llm-sprint is installed from {pin.requirement.url}; sprint upgrade "
                         f"only moves version pins: edit that line yourself (e.g. {requirement(running)!r})")
    if pin is not None and pin.version is not None and pin.version > Version(running):
        raise UsageError(f"{where}:{pin.line}: the workflow installs llm-sprint {pin.version}, newer than the "
                         f"{running} you run; upgrade llm-sprint itself (pip install -U "
                         f"'llm-sprint[{pin.extras or 'all'}]=={pin.version}') instead of moving the workspace back")
    wanted = workflow_files(running)
    wanted[REQUIREMENTS_PATH] = _upgraded_requirements(root, pin, running)
    changes = []
    for rel, new in wanted.items():
        path = root / rel
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        if old != new:
            changes.append(Change(rel, old, new))
    return changes


def uncommitted(root: Path, paths: list[Path]) -> list[Path]:
    """Those of ``paths`` (relative to ``root``) that hold work git has not committed: changed since
    HEAD, or untracked. [] outside a git repository."""

    def git(*args: str) -> set[str] | None:
        try:
            proc = subprocess.run(["git", "-C", str(root), *args, "--", *(p.as_posix() for p in paths)],
                                  capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return set(proc.stdout.splitlines()) if proc.returncode == 0 else None

    untracked = git("ls-files", "--others", "--exclude-standard")
    if untracked is None:  # not a repository (or no git): nothing to compare with
        return []
    changed = git("diff", "--name-only", "--relative", "HEAD") or set()  # None: no commit yet
    return [p for p in paths if p.as_posix() in untracked | changed]


def apply(root: Path, changes: list[Change]) -> None:
    """Write every change: each file to a temporary sibling first, then all renamed into place."""
    staged: list[tuple[Path, Path]] = []
    try:
        for change in changes:
            target = root / change.path
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(change.new)
            os.chmod(name, target.stat().st_mode & 0o777 if target.exists() else 0o644)  # mkstemp makes it 0600
            staged.append((Path(name), target))
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
