"""Notebooks for the ``notebook`` and ``project`` kinds: read them (parent side), run them (worker side).

Parent side — safe on untrusted files, nothing is executed, standard library only:

* :func:`read_cells` — the cells of an ``.ipynb`` as ``(cell_type, source)`` pairs;
* :func:`imported_modules` — the top-level modules the code cells import (``ast``, magics stripped).

Worker side — :class:`NotebookRun`, used *inside the learner worker* (``graders.kinds.notebook_adapter``,
driven by the trusted ``graders.kinds.notebook_measure``). It executes the notebook with nbclient in
a fresh ``python3`` ipykernel whose working directory is the run folder, so the kernel is a child of
the worker: the sandbox's wall-clock, CPU and memory limits and its network isolation cover it. The
kernel talks to nbclient over Unix sockets in a private temporary folder (IPC transport), not TCP.
Each cell has ``cell_timeout`` seconds and the whole notebook ``total_timeout``; a cell that
raises stops the run and is reported with its number, the exception and the line that raised.
After the notebook, the kernel stays up until the ``with`` block ends, so a grader can run its
own probe cells in the learner's namespace (:meth:`NotebookRun.run_probe`).
"""

from __future__ import annotations

import ast
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["CellFailure", "NotebookRun", "NotebookUnreadable", "imported_modules", "missing_tools", "read_cells"]


# --------------------------------------------------------------------------------------------
# Parent side: reading
# --------------------------------------------------------------------------------------------


def read_cells(path: Path) -> list[tuple[str, str]]:
    """``(cell_type, source)`` of every cell. Raises ``ValueError`` with a readable reason when the
    file is not a notebook (bad JSON, no ``cells`` list)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path.name} is not a readable notebook: {exc}") from None
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise ValueError(f"{path.name} is not a Jupyter notebook (no list of cells)")
    out = []
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        out.append((str(cell.get("cell_type", "")), text))
    return out


def _python_only(source: str) -> str:
    """Cell source with IPython-only lines (``%magic``, ``!shell``, ``%%cell`` magics) blanked."""
    if source.lstrip().startswith("%%"):
        return ""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        lines.append("" if stripped.startswith(("%", "!")) else line)
    return "\n".join(lines)


def imported_modules(cells: list[tuple[str, str]]) -> tuple[set[str], list[str]]:
    """Top-level module names imported by the code cells (``import a.b`` → ``a``; relative imports
    are skipped), and the numbers of cells that are not valid Python (they are skipped)."""
    modules: set[str] = set()
    unparsable: list[str] = []
    code_index = 0
    for cell_type, source in cells:
        if cell_type != "code":
            continue
        code_index += 1
        try:
            tree = ast.parse(_python_only(source))
        except SyntaxError:
            unparsable.append(str(code_index))
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update(alias.name.partition(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module.partition(".")[0])
    return modules, unparsable


def missing_tools() -> str | None:
    """Why notebooks cannot be run here (the ``notebook`` extra is not installed), or None."""
    import importlib.util

    absent = [m for m in ("nbclient", "nbformat", "ipykernel") if importlib.util.find_spec(m) is None]
    if absent:
        return f"{', '.join(absent)} not installed here: pip install 'llm-sprint[notebook]'"
    return None


# --------------------------------------------------------------------------------------------
# Worker side: running
# --------------------------------------------------------------------------------------------


class NotebookUnreadable(Exception):
    """The file is not a notebook nbformat can read (the learner's fault, not ours)."""


@dataclass
class CellFailure:
    """Why the notebook stopped: ``cell`` is the 1-based number among *all* cells."""

    cell: int
    ename: str
    evalue: str
    line: str = ""
    timed_out: bool = False

    def describe(self) -> str:
        if self.timed_out:
            return f"cell {self.cell} did not finish in time ({self.evalue})"
        where = f" at `{self.line}`" if self.line else ""
        return f"cell {self.cell} raised {self.ename}: {self.evalue}{where}"


@dataclass
class NotebookRun:
    """Execute a notebook in a fresh kernel (worker side; see the module docstring).

    Usage::

        with NotebookRun(path, cwd=run_folder, cell_timeout=60, total_timeout=90) as nb:
            ok = nb.execute()        # False when a cell raised or timed out: see nb.failure
            seconds = nb.seconds     # wall time of the cells (kernel start-up excluded)
            out = nb.run_probe(code) # (ok, stdout text, failure) of grader code in that kernel
    """

    path: Path
    cwd: Path
    cell_timeout: float = 60.0
    total_timeout: float = 120.0
    kernel_name: str = "python3"
    seconds: float = 0.0
    failure: CellFailure | None = None
    cells_run: int = 0
    _client: Any = field(default=None, repr=False)
    _kernel_cm: Any = field(default=None, repr=False)
    _nb: Any = field(default=None, repr=False)
    _km: Any = field(default=None, repr=False)
    _sockets: Path | None = field(default=None, repr=False)

    def __enter__(self) -> NotebookRun:
        import tempfile

        import nbformat
        from jupyter_client.manager import AsyncKernelManager
        from nbclient import NotebookClient

        try:
            self._nb = nbformat.read(str(self.path), as_version=4)  # type: ignore[no-untyped-call]
        except Exception as exc:  # bad JSON, an unknown nbformat version, a schema violation …
            raise NotebookUnreadable(f"{self.path.name} is not a notebook nbformat can read: "
                                     f"{type(exc).__name__}: {str(exc)[:300]}") from None
        # IPC (Unix sockets in a private temporary folder) rather than TCP: no port, no network
        # needed, and nothing else on the machine can connect to the learner's kernel.
        self._sockets = Path(tempfile.mkdtemp(prefix="kernel-"))
        km = self._km = AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc",
                                           ip=str(self._sockets / "k"))
        self._client = NotebookClient(
            self._nb, km=km, timeout=int(max(1, self.cell_timeout)), kernel_name=self.kernel_name,
            allow_errors=False, record_timing=False, shutdown_kernel="immediate",
            resources={"metadata": {"path": str(self.cwd)}},
        )
        self._kernel_cm = self._client.setup_kernel(cwd=str(self.cwd))
        self._kernel_cm.__enter__()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        import shutil

        from jupyter_core.utils import run_sync

        try:
            if self._kernel_cm is not None:
                self._kernel_cm.__exit__(exc_type, exc, tb)
                self._kernel_cm = None
        finally:
            # nbclient shuts down only a kernel manager it created itself; this one is ours.
            if self._km is not None and self._km.has_kernel:
                run_sync(self._km.shutdown_kernel)(now=True)
            self._km = None
            if self._sockets is not None:
                shutil.rmtree(self._sockets, ignore_errors=True)
                self._sockets = None

    def execute(self) -> bool:
        """Run every code cell in order; stop at the first that raises or runs out of time."""
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

        start = time.monotonic()
        deadline = start + self.total_timeout
        try:
            for index, cell in enumerate(self._nb.cells):
                if cell.cell_type != "code":
                    continue
                left = deadline - time.monotonic()
                if left <= 0:
                    self.failure = CellFailure(index + 1, "Timeout", f"the notebook took over "
                                               f"{self.total_timeout:.0f} s in all", timed_out=True)
                    return False
                self._client.timeout = int(max(1, min(self.cell_timeout, left)))
                try:
                    self._client.execute_cell(cell, index)
                except CellTimeoutError:
                    self.failure = CellFailure(index + 1, "Timeout", f"limit {self._client.timeout} s",
                                               timed_out=True)
                    return False
                except DeadKernelError as exc:
                    self.failure = CellFailure(index + 1, "DeadKernelError", f"the kernel died ({exc})")
                    return False
                except CellExecutionError as exc:
                    self.failure = _failure_from(index + 1, cell, exc)
                    return False
                self.cells_run += 1
            return True
        finally:
            self.seconds = time.monotonic() - start

    def run_probe(self, code: str, timeout: float = 60.0) -> tuple[bool, str, CellFailure | None]:
        """Run grader code as one more cell in the learner's kernel: ``(ok, stdout, failure)``."""
        import nbformat
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

        cell = nbformat.v4.new_code_cell(code)  # type: ignore[no-untyped-call]
        self._nb.cells.append(cell)
        index = len(self._nb.cells) - 1
        self._client.timeout = int(max(1, timeout))
        try:
            self._client.execute_cell(cell, index)
        except CellTimeoutError:
            return False, "", CellFailure(index + 1, "Timeout", f"limit {int(timeout)} s", timed_out=True)
        except DeadKernelError as exc:
            return False, "", CellFailure(index + 1, "DeadKernelError", f"the kernel died ({exc})")
        except CellExecutionError as exc:
            return False, _stdout(cell), _failure_from(index + 1, cell, exc)
        return True, _stdout(cell), None


def _stdout(cell: Any) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stdout")


def _failure_from(number: int, cell: Any, exc: Exception) -> CellFailure:
    ename = str(getattr(exc, "ename", "") or type(exc).__name__)
    evalue = str(getattr(exc, "evalue", "") or "")
    line = ""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            ename, evalue = output.get("ename", ename), output.get("evalue", evalue)
            line = _raising_line(cell.get("source", ""), output.get("traceback", []))
    return CellFailure(number, ename, evalue[:300], line)


def _raising_line(source: str, traceback_lines: list[str]) -> str:
    """The source line of the cell that raised, from IPython's coloured traceback (best effort)."""
    import re

    plain = [re.sub(r"\x1b\[[0-9;]*m", "", t) for t in traceback_lines]
    numbers = re.findall(r"^-*>\s*(\d+)", "\n".join(plain), flags=re.M)
    lines = source.splitlines()
    if numbers:
        n = int(numbers[0])
        if 1 <= n <= len(lines):
            return lines[n - 1].strip()[:160]
    return ""
