"""Grader kinds, discovered through the ``llm_sprint.graders`` entry-point group.

A package adds a kind by declaring, in its ``pyproject.toml``::

    [project.entry-points."llm_sprint.graders"]
    my-kind = "my_package.grader:MyGrader"

The entry-point *name* must equal the class's ``kind``. Loading a kind imports its module, so kind
modules keep heavy imports (torch, transformers) inside functions or in child-side code.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points

from graders.contract import Grader
from graders.errors import KindLoadError

__all__ = ["GROUP", "available_kinds", "fingerprint", "get_kind", "kinds"]

GROUP = "llm_sprint.graders"


@cache
def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def fingerprint() -> str:
    """Which kinds are installed, as text, without importing any: every entry point of the group
    (``name = module:Class``) with the name and version of the distribution that declares it, one a
    line, sorted. Installing, removing or upgrading a plugin (or llm-sprint, which declares the
    built-in kinds) changes it — what a cache of anything the kinds validated is keyed by."""
    versions: dict[int, str] = {}  # one metadata read per distribution, however many kinds it declares
    lines = []
    for name, ep in _entry_points().items():
        dist = ep.dist
        if dist is None:
            where = "?"
        elif id(dist) not in versions:
            where = versions[id(dist)] = f"{dist.name} {dist.version}"
        else:
            where = versions[id(dist)]
        lines.append(f"{name} = {ep.value} ({where})")
    return "\n".join(sorted(lines))


def available_kinds() -> list[str]:
    """Names of every registered kind, without importing any of them."""
    return sorted(_entry_points())


@cache
def get_kind(name: str) -> type[Grader] | None:
    """The grader class registered as ``name``, or None when no package provides it."""
    ep = _entry_points().get(name)
    if ep is None:
        return None
    try:
        obj = ep.load()
    except Exception as exc:  # a broken plugin must not take the tracker down
        raise KindLoadError(f"grader kind {name!r} ({ep.value}) failed to load: {exc}") from exc
    if not (isinstance(obj, type) and issubclass(obj, Grader)):
        raise KindLoadError(f"grader kind {name!r} ({ep.value}) is not a subclass of graders.Grader")
    if getattr(obj, "kind", None) != name:
        raise KindLoadError(f"grader kind {name!r} ({ep.value}) declares kind={getattr(obj, 'kind', None)!r}")
    return obj


def kinds() -> dict[str, type[Grader]]:
    """Every registered kind, loaded. Broken plugins raise KindLoadError."""
    return {name: kind for name in available_kinds() if (kind := get_kind(name)) is not None}
