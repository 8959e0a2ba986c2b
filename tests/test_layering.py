"""Imports follow the layers of docs/architecture.md: graders below tracker, status pure, boards below
sync, nothing but ``__main__`` importing the CLI, the dashboard's screens seeing only a state.

The rules are the ```layers block of docs/architecture.md, read here (one list, kept where people
read it). Every import of a ``tracker``/``graders`` module counts: at the top of a file, inside a
function (a lazy import is still a dependency) and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import REPO

OURS = ("tracker", "graders")
NOTHING = "—"


@dataclass(frozen=True)
class Rule:
    row: str  # the module (or package) the row names
    allowed: tuple[str, ...]  # the modules (or packages) it may import, besides its own


def parse_rules(text: str) -> list[Rule]:
    """The rows of the first ```layers block of ``text``: ``module  allowed allowed …  # comment``."""
    block = re.search(r"^```layers\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    if block is None:
        raise AssertionError("docs/architecture.md has no ```layers block")
    rules = []
    for line in block.group(1).splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            rules.append(Rule(words[0], tuple(w for w in words[1:] if w != NOTHING)))
    return rules


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, module: str, known: set[str]) -> set[str]:
    """Our modules ``source`` imports, each resolved to the longest known module it names.

    A relative import resolves to ``<relative>``, which no row allows: write it absolute.
    """
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                names.append("<relative>")
                continue
            base = node.module or ""
            names += [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
    found = set()
    for name in names:
        if name != "<relative>" and name.split(".")[0] not in OURS:
            continue
        while name not in known and "." in name:
            name = name.rpartition(".")[0]
        found.add(name)
    return found - {module}


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def governs(rule: Rule, module: str) -> bool:
    """``pkg.__init__`` names the package module alone; any other row, a module and those below it."""
    if rule.row.endswith(".__init__"):
        return module == rule.row.removesuffix(".__init__")
    return under(module, rule.row)


def governing(module: str, rules: Iterable[Rule]) -> Rule | None:
    """The longest row that governs ``module``."""
    return max((r for r in rules if governs(r, module)), key=lambda r: len(r.row), default=None)


def allows(rule: Rule, target: str) -> bool:
    own = () if rule.row.endswith(".__init__") else (rule.row,)
    return any(under(target, prefix) for prefix in (*own, *rule.allowed))


def violations(rules: list[Rule], imports: Mapping[str, set[str]]) -> list[str]:
    """Every import the rules do not allow, and every module no row governs, one line each."""
    out = []
    for module in sorted(imports):
        rule = governing(module, rules)
        if rule is None:
            out.append(f"{module}: no row of the layers table governs it")
            continue
        for target in sorted(t for t in imports[module] if not allows(rule, t)):
            out.append(f"{module} imports {target}: row {rule.row!r} allows only "
                       f"{', '.join(rule.allowed) or 'its own modules'}")
    return out


def our_imports(root: Path) -> dict[str, set[str]]:
    files = {module_name(p, root): p for top in OURS for p in (root / top).rglob("*.py")}
    known = set(files)
    return {m: imported(p.read_text(encoding="utf-8"), m, known) for m, p in files.items()}


RULES = parse_rules((REPO / "docs" / "architecture.md").read_text(encoding="utf-8"))


def test_every_import_goes_the_way_the_layers_allow() -> None:
    problems = violations(RULES, our_imports(REPO))
    assert not problems, "imports against docs/architecture.md's layers:\n" + "\n".join(problems)


def test_every_row_names_a_module_that_exists() -> None:
    modules = set(our_imports(REPO))
    for rule in RULES:
        name = rule.row.removesuffix(".__init__")
        assert name in modules, f"layers row {rule.row!r}: no such module"
        for allowed in rule.allowed:
            assert allowed in modules, f"layers row {rule.row!r} allows {allowed!r}: no such module"


# ---- the checker itself can fail: each of the crossings, planted in a small tree -----------

PLANTED = {
    "graders.paths": {"tracker.errors"},  # graders → tracker
    "tracker.status": {"tracker.boards.local"},  # the pure status → a board backend
    "tracker.boards.local": {"tracker.db", "tracker.sync.apply"},  # a board → the sync
    "tracker.job_summary": {"tracker.cli.common"},  # anything → the CLI
    "tracker.tui.widgets.board": {"tracker.db"},  # a dashboard widget → the database
    "tracker.shiny_new": set(),  # a module nobody placed in the table
}


@pytest.mark.parametrize("module", sorted(PLANTED))
def test_a_planted_crossing_is_caught(module: str) -> None:
    problems = violations(RULES, {module: PLANTED[module]})
    assert problems and all(p.startswith(module) for p in problems), problems


def test_the_allowed_directions_pass() -> None:
    assert violations(RULES, {"tracker.sync.apply": {"tracker.boards.base", "tracker.board_model"},
                              "tracker.status": {"tracker.board_model", "graders.contract"},
                              "tracker.__main__": {"tracker.cli"},
                              "tracker.tui.context": {"tracker.sync.local"}}) == []


def test_lazy_type_checking_and_relative_imports_count() -> None:
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from tracker.cli.common import Session\n"
              "def f():\n    import tracker.sync.apply\n    from . import local\n")
    known = {"tracker.cli.common", "tracker.sync.apply", "tracker.boards.local"}
    got = imported(source, "tracker.boards.local", known)
    assert got == {"tracker.cli.common", "tracker.sync.apply", "<relative>"}
    assert len(violations(RULES, {"tracker.boards.local": got})) == 3
