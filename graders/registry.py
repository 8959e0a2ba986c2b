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

__all__ = ["GROUP", "available_kinds", "get_kind", "kinds"]

GROUP = "llm_sprint.graders"


@cache
def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


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
