"""The public surfaces: ``graders`` for grader authors, ``tracker`` for scripts — exactly what they
declare, every name reachable, cheap to import, and the author's guide using nothing else."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from types import ModuleType

import pytest

from tests.helpers import REPO

PACKAGES = ("graders", "tracker")


def _type_checking_names(package: str) -> set[str]:
    """The names the package's ``if TYPE_CHECKING:`` block imports (what type checkers and IDEs see)."""
    tree = ast.parse((REPO / package / "__init__.py").read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING")
    return {alias.asname or alias.name for node in block.body if isinstance(node, ast.ImportFrom)
            for alias in node.names}


@pytest.mark.parametrize("package", PACKAGES)
def test_the_surface_is_exactly_what_all_declares(package: str) -> None:
    module: ModuleType = importlib.import_module(package)
    declared = set(module.__all__) - {"__version__"}  # a constant, imported at once (tracker/_version.py)
    assert _type_checking_names(package) == declared
    assert set(module._WHERE) | ({"gpu"} if package == "graders" else set()) == declared
    for name in sorted(declared):
        value = getattr(module, name)
        assert value is not None, name
        if name != "gpu":
            assert getattr(importlib.import_module(module._WHERE[name]), name) is value
    with pytest.raises(AttributeError):
        module.no_such_name  # noqa: B018


@pytest.mark.parametrize("package", PACKAGES)
def test_the_surface_points_at_no_application_module(package: str) -> None:
    """The surfaces are libraries: the command line and the dashboard stand on them, not under them."""
    module = importlib.import_module(package)
    assert not [w for w in module._WHERE.values() if w.startswith(("tracker.cli", "tracker.tui"))]


@pytest.mark.parametrize("package", PACKAGES)
def test_importing_the_package_loads_nothing_until_a_name_is_used(package: str) -> None:
    """graders: the sandbox's own processes import it; tracker: `sprint status` and every pytest session."""
    code = f"import sys, {package}; print(sorted(m for m in ('pydantic', 'yaml', 'sqlite3') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True,
                         cwd=REPO, timeout=60).stdout
    assert out.strip() == "[]"


def test_the_gpu_helpers_are_one_module_whatever_the_path() -> None:
    """Tests set ``gpu.DEVICE`` to run the CUDA path on a CPU: every importer must see the same module."""
    import graders
    import graders.gpu

    assert graders.gpu is importlib.import_module("graders.gpu") is graders.__getattr__("gpu")


def test_the_authors_guide_imports_only_the_surface() -> None:
    import graders

    text = (REPO / "docs" / "writing-a-grader.md").read_text(encoding="utf-8")
    code = "\n".join(re.findall(r"```python\n(.*?)```", text, re.DOTALL))
    imports = re.findall(r"^\s*(?:from (\S+) import (.+)|import (\S+))", code, re.MULTILINE)
    from_graders = [names for module, names, _ in imports if module == "graders"]
    assert from_graders, "the guide shows what to import"
    assert not [m for m, _, plain in imports if (m or plain).startswith("graders.")], "a private module in the guide"
    named = {n.split("#")[0].strip() for names in from_graders for n in names.split("#")[0].split(",")}
    assert named <= set(graders.__all__), named - set(graders.__all__)
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    assert "graders.kinds._" not in prose  # no private helper module sent to authors
