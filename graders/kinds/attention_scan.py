"""Static scan for kind ``attention``: does the learner's source name a library attention kernel?

Read by the grader's own process — the learner's files are parsed (``ast``), never run — before the
learner's code is graded and again after each run over the run's folder (a file written at run time
is code too). It is the half of the ``no_fused_kernel`` check the learner's code cannot tamper with;
the other half, :class:`graders.kinds.attention_adapter.FusedKernelWatch`, watches the calls inside
the learner's process, where code can switch it off. A finding is one of:

* an import of a fused-kernel package (``flash_attn``, ``xformers`` …) or of ``torch.nn.attention``;
* an attribute that is a library kernel (``F.scaled_dot_product_attention``,
  ``torch._scaled_dot_product_flash_attention_for_cpu``, ``nn.MultiheadAttention``, ``flex_attention``…),
  except ``self.<name>`` where the learner's files define ``<name>`` (a learner may call their own
  function ``flash_attention``), and such a bare name that the learner's files do not define or bind;
* such a name in a string that could be looked up (``getattr(F, "scaled_dot_product_attention")``) —
  docstrings and prose are not looked up and do not count;
* code the scan cannot follow: ``exec``/``eval``/``compile``/``__import__``, ``getattr`` with a
  computed name, ``importlib``, ``ctypes``, ``cffi``, ``marshal``, ``pickle``, ``runpy``,
  ``torch.utils.cpp_extension``, ``torch.ops.load_library``, and compiled files (``.so``, ``.pyc`` …).

An attention needs none of these. The scan is a text check: a name built from pieces at run time
gets past it, which is why it is combined with the in-process watch (docs/threat-model.md).

Standard library only.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

__all__ = ["BLOCKED_MODULES", "FUSED_PATTERN", "scan_file", "scan_folder"]

#: Python-level names and aten ops that are a library attention kernel. A match anywhere in a
#: called function's name (the in-process watch) or an aten op's name counts as a call.
FUSED_PATTERN = re.compile(
    r"scaled_dot_product|flash_attention|efficient_attention|cudnn_attention|fused_attention"
    r"|multi_head_attention|flex_attention|triton_scaled_dot|triton_multi_head"
)
#: Packages that ship fused attention kernels.
BLOCKED_MODULES = ("flash_attn", "flash_attn_interface", "flash_attn_2_cuda", "xformers", "flashinfer",
                   "sageattention", "flex_attention")
# What the static scan flags besides FUSED_PATTERN: the nn.Module that wraps the fused kernel.
_STATIC_NAMES = re.compile(FUSED_PATTERN.pattern + r"|^MultiheadAttention$")
_BLOCKED_IMPORTS = (*BLOCKED_MODULES, "torch.nn.attention")
_DYNAMIC_CALLS = {"exec", "eval", "compile", "__import__"}
_DYNAMIC_MODULES = ("importlib", "ctypes", "cffi", "marshal", "pickle", "dill", "cloudpickle", "runpy", "code",
                    "codeop", "torch.utils.cpp_extension")
_DYNAMIC_ATTRIBUTES = {"load_library", "load_inline"}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
COMPILED_SUFFIXES = (".so", ".pyd", ".dylib", ".dll", ".pyc", ".pyo")
_SKIPPED_DIRS = {"__pycache__", ".git", ".ipynb_checkpoints", ".pytest_cache", ".mypy_cache", ".sprint"}


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are statements of their own (docstrings, prose)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            out.add(id(node.value))
    return out


def _defined(tree: ast.AST) -> tuple[set[str], set[str]]:
    """(functions and classes the file defines, other names it binds: assignments, arguments)."""
    defs: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defs.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
    return defs, bound


def _imported(module: str, names: tuple[str, ...]) -> bool:
    return any(module == n or module.startswith(n + ".") for n in names)


def scan_file(path: Path, rel: str) -> list[str]:
    """Findings in one Python file on its own (``rel``: its name for the learner). Unparsable files
    have none: they cannot be imported either."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"), filename=rel)
    except (SyntaxError, ValueError, OSError):
        return []
    defs, bound = _defined(tree)
    return list(_findings(tree, rel, defs, bound))


def _own_method(node: ast.Attribute, defs: set[str]) -> bool:
    """``self.flash_attention`` where the learner's files define ``flash_attention``: their own."""
    return isinstance(node.value, ast.Name) and node.value.id in ("self", "cls") and node.attr in defs


def _findings(tree: ast.AST, rel: str, defs: set[str], bound: set[str]) -> Iterator[str]:
    prose = _docstrings(tree)
    for node in ast.walk(tree):
        where = f"{rel} line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _imported(alias.name, _BLOCKED_IMPORTS):
                    yield f"{where} imports {alias.name}"
                elif _imported(alias.name, _DYNAMIC_MODULES):
                    yield f"{where} imports {alias.name} (code the grader cannot follow)"
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if _imported(node.module, _BLOCKED_IMPORTS):
                yield f"{where} imports from {node.module}"
            elif _imported(node.module, _DYNAMIC_MODULES):
                yield f"{where} imports from {node.module} (code the grader cannot follow)"
            for alias in node.names:
                if _STATIC_NAMES.search(alias.name):
                    yield f"{where} imports {alias.name} from {node.module}"
        elif isinstance(node, ast.Attribute):
            if _STATIC_NAMES.search(node.attr) and not _own_method(node, defs):
                yield f"{where} uses .{node.attr}"
            elif node.attr in _DYNAMIC_ATTRIBUTES:
                yield f"{where} uses .{node.attr} (compiled code the grader cannot follow)"
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if _STATIC_NAMES.search(node.id) and node.id not in defs | bound:
                yield f"{where} uses {node.id}"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in _DYNAMIC_CALLS:
                yield f"{where} calls {node.func.id}() (code the grader cannot follow)"
            elif node.func.id == "getattr" and len(node.args) >= 2 and not isinstance(node.args[1], ast.Constant):
                yield f"{where} calls getattr() with a computed name (code the grader cannot follow)"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            text = node.value.strip()
            if _IDENTIFIER.fullmatch(text) and (_STATIC_NAMES.search(text.rpartition(".")[2])
                                                or _imported(text, BLOCKED_MODULES)):
                yield f"{where} names {text!r}"


def _python_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if any(part in _SKIPPED_DIRS for part in path.relative_to(folder).parts[:-1]):
            continue
        if path.is_file() and not path.is_symlink():
            yield path


def scan_folder(folder: Path, *, only: set[Path] | None = None) -> list[str]:
    """Findings in every Python file under ``folder`` (or, with ``only``, in those files), and every
    compiled file there. Names are relative to ``folder``."""
    files = [p for p in _python_files(folder) if only is None or p in only]
    trees: list[tuple[Path, ast.AST]] = []
    found: list[str] = []
    for path in files:
        rel = path.relative_to(folder).as_posix()
        if path.suffix.lower() in COMPILED_SUFFIXES:
            found.append(f"{rel} is compiled code the grader cannot read")
        elif path.suffix == ".py":
            try:
                trees.append((path, ast.parse(path.read_text(encoding="utf-8", errors="replace"))))
            except (SyntaxError, ValueError, OSError):
                continue
    defs: set[str] = set()
    bound: set[str] = set()
    for _, tree in trees:
        d, b = _defined(tree)
        defs |= d
        bound |= b
    for path, tree in trees:
        found += _findings(tree, path.relative_to(folder).as_posix(), defs, bound)
    return found
