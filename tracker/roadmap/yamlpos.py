"""YAML → plain data, remembering where every key and value sits in the file.

PyYAML's ``compose`` gives nodes with marks; we build the data from those nodes ourselves so that
(1) duplicate keys are reported instead of silently overwritten, (2) every path such as
``("quarters", 0, "sprints", 2, "id")`` maps to a 1-based line and column, and (3) unquoted ids
that YAML would read as numbers (``id: 3.10``) keep the text the author wrote.

The nodes are composed by libyaml (PyYAML's ``CSafeLoader``) where PyYAML was built with it — about
ten times faster — and by the pure-Python composer where not: the same nodes with the same marks.
A document libyaml refuses is composed again by the pure-Python composer, so bad syntax is reported
with the same message and position on every installation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

__all__ = ["Located", "Position", "load_located"]

Path = tuple[str | int, ...]
# Keys whose scalar values are identifiers: "3.10" must not become the float 3.1.
_TEXT_KEYS = {"id", "release"}
#: libyaml's composer when PyYAML has it, else None
FAST_LOADER: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None) if yaml.__with_libyaml__ else None


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass
class Located:
    """Plain data plus positions: ``values[path]`` is where the value starts, ``keys[path]`` its key."""

    data: Any
    values: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)
    duplicates: list[tuple[Path, Position]] = field(default_factory=list)

    def position(self, path: Path, *, key: bool = False) -> Position:
        """The best position for ``path``: itself, else its nearest ancestor that exists."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if not key and probe in self.keys:
                return self.keys[probe]
            probe = probe[:-1]
        return self.values.get((), Position(1, 1))


def _pos(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def load_located(text: str, *, fast: bool = True) -> Located:
    """Parse one YAML document. Raises ``yaml.YAMLError`` (with marks) on bad syntax, as the
    pure-Python composer reports it. ``fast=False`` skips libyaml (tests compare the two)."""
    if fast and FAST_LOADER is not None:
        try:
            return _load(text, FAST_LOADER)
        except yaml.YAMLError:
            pass  # reported below, by the composer whose messages and marks every installation has
    return _load(text, yaml.SafeLoader)


def _load(text: str, loader_class: type[yaml.SafeLoader]) -> Located:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        located = Located(data=None)
        if node is None:
            return located
        located.data = _build(node, (), loader, located)
        return located
    finally:
        loader.dispose()


def _build(node: yaml.Node, path: Path, loader: yaml.SafeLoader, out: Located) -> Any:
    out.values[path] = _pos(node)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolve "<<: *anchor" merges
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                key = str(key)
            child = (*path, key)
            if key in result:
                out.duplicates.append((child, _pos(key_node)))
                continue
            out.keys[child] = _pos(key_node)
            result[key] = _build(value_node, child, loader, out)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), loader, out) for i, item in enumerate(node.value)]
    value = loader.construct_object(node, deep=True)
    if path and path[-1] in _TEXT_KEYS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(node.value)
    return value
