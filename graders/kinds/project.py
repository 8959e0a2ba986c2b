"""Kind ``project``: a reproducible Python project — valid PEP 621 metadata, every dependency the
notebook needs declared, and a notebook that runs top to bottom in a fresh kernel.

* ``pep621_valid`` — ``pyproject.toml`` parses as TOML, has a ``[project]`` table (PEP 621; Poetry
  ≥ 2 reads it too — the Poetry-1-only ``[tool.poetry]`` layout is not PEP 621) and passes
  ``validate-pyproject`` (the PyPA JSON schemas: names, versions, PEP 508 requirement strings …).
  Checked here, in the grader's process: it is data, nothing of the learner's runs.
* ``deps_declared`` — every third-party top-level module the notebook's code cells import (read
  with ``ast``, IPython magics stripped; standard-library modules and the project's own modules
  and packages are skipped) maps to a declared distribution: ``sklearn`` → ``scikit-learn``,
  ``yaml`` → ``PyYAML`` … through the installed packages' metadata (else the module's own name).
  Declared means listed in ``[project] dependencies`` or ``optional-dependencies``,
  ``[dependency-groups]``, or Poetry's ``[tool.poetry.*dependencies]`` tables. Imports built at
  run time (``importlib.import_module(name)``) are not seen.
* ``notebook_runs`` / ``notebook_time`` — in a learner worker, nbclient runs every code cell in a
  fresh ``python3`` kernel (working directory: the run folder; the kernel is a child of the
  worker). ``notebook_time`` is the wall time of the cells, kernel start excluded, taken by the
  trusted measurer beside the worker (``graders.kinds.notebook_measure``) — plus any time the
  kernel keeps working after its last cell answered. ``notebook_runs`` is what the kernel reports
  about the cells it ran (a notebook can hide its own exceptions; docs/threat-model.md).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.faults import record_run_fault
from graders.kinds._notebook import imported_modules, missing_tools, read_cells

__all__ = ["ProjectGrader", "ProjectParams", "declared_distributions", "undeclared_imports"]

_NAME = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
#: Modules whose distribution name is not what the installed metadata says, or that several
#: distributions provide; any of the listed names counts as declared.
_ALIASES: dict[str, set[str]] = {
    "IPython": {"ipython", "ipykernel", "jupyter", "jupyterlab", "notebook"},
    "ipywidgets": {"ipywidgets", "jupyter", "jupyterlab"},
}


def _normalise(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


class ProjectParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    notebook: str = Field(default="notebook.ipynb", pattern=r"^[A-Za-z0-9_.-]+\.ipynb$")
    pyproject: str = Field(default="pyproject.toml", pattern=r"^[A-Za-z0-9_.-]+\.toml$")
    cell_timeout: float = Field(default=60.0, gt=0)
    total_timeout: float = Field(default=150.0, gt=0)


class ProjectGrader(Grader):
    kind: ClassVar[str] = "project"
    Params: ClassVar[type[BaseModel]] = ProjectParams
    timed: ClassVar[bool] = True  # thresholds on wall-clock speed
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("pep621_valid", "bool", "pyproject.toml has valid PEP 621 [project] metadata (validate-pyproject)"),
        Metric("deps_declared", "bool", "every third-party module the notebook imports is a declared dependency"),
        Metric("notebook_runs", "bool", "every cell runs in a fresh kernel without an error"),
        Metric("notebook_time", "seconds", "wall time of all cells (kernel start-up excluded)",
               higher_is_better=False),
    )

    def measure(self, ctx: GradeContext) -> Measurements:
        params = ctx.params
        assert isinstance(params, ProjectParams)
        m = Measurements()
        folder = ctx.learner_dir
        data = self._pyproject(folder / params.pyproject, m)

        nb_path = folder / params.notebook
        if not nb_path.is_file():
            m.fault(f"{params.notebook} is missing from exercises/{ctx.slug}/",
                    checks=("deps_declared", "notebook_runs", "notebook_time"), status="fail")
            return m
        try:
            cells = read_cells(nb_path)
        except ValueError as exc:
            m.fault(str(exc), checks=("deps_declared", "notebook_runs", "notebook_time"), status="fail")
            return m
        if data is not None:
            missing, note = undeclared_imports(cells, data, folder)
            m.set("deps_declared", not missing, note)

        if (absent := missing_tools()) is not None:
            m.skip("notebook_runs", absent)
            m.skip("notebook_time", absent)
            return m
        from graders.kinds.notebook_measure import NotebookJob, NotebookReport, settled_note
        from graders.measurer import expect

        job = NotebookJob(notebook=params.notebook, cell_timeout=params.cell_timeout,
                          total_timeout=params.total_timeout)
        with ctx.sandbox.workdir(folder) as work:
            run = ctx.sandbox.measure("graders.kinds.notebook_measure:run", job, workdir=work)
        m.log = run.log()
        if record_run_fault(m, run, checks=("notebook_runs", "notebook_time")):
            return m
        result = expect(run.result, NotebookReport, what="the notebook measurer's report")
        m.set("notebook_runs", result["runs"], result["failure"])
        if result["runs"]:
            m.set("notebook_time", result["seconds"], settled_note(result["settled_s"]))
        else:
            m.fault("not measured: the notebook did not run to the end", checks=("notebook_time",), status="fail")
        return m

    @staticmethod
    def _pyproject(path: Path, m: Measurements) -> dict[str, Any] | None:
        """Parse and validate; sets ``pep621_valid``. The parsed table, or None if unusable."""
        if not path.is_file():
            m.fault(f"{path.name} is missing", checks=("pep621_valid", "deps_declared"), status="fail")
            return None
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            m.set("pep621_valid", False, f"{path.name} is not valid TOML: {exc}")
            m.fault(f"{path.name} is not valid TOML, so its dependencies cannot be read", checks=("deps_declared",),
                    status="fail")
            return None
        try:
            problem = pep621_problem(data)
        except ImportError:
            m.skip("pep621_valid", "validate-pyproject is not installed here: pip install 'llm-sprint[notebook]'")
        else:
            m.set("pep621_valid", problem is None, problem or "")
        return data


def pep621_problem(data: dict[str, Any]) -> str | None:
    """None when ``data`` (a parsed pyproject.toml) is valid PEP 621, else what is wrong."""
    project = data.get("project")
    if not isinstance(project, dict):
        hint = (" — this is the Poetry-1 layout ([tool.poetry]); Poetry ≥ 2 reads the standard [project] table"
                if "poetry" in data.get("tool", {}) else "")
        return "no [project] table: PEP 621 metadata (name, version, dependencies …) is missing" + hint
    from validate_pyproject import api, errors

    try:
        api.Validator()(data)
    except errors.ValidationError as exc:
        return f"validate-pyproject: {getattr(exc, 'summary', '') or exc}"
    return None


def declared_distributions(data: dict[str, Any]) -> set[str]:
    """Normalised names of every dependency declared anywhere we accept (see the module docstring)."""
    specs: list[str] = []
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    assert isinstance(project, dict)
    if isinstance(project.get("dependencies"), list):
        specs += [s for s in project["dependencies"] if isinstance(s, str)]
    for group in (project.get("optional-dependencies") or {}).values():
        if isinstance(group, list):
            specs += [s for s in group if isinstance(s, str)]
    for group in (data.get("dependency-groups") or {}).values():
        if isinstance(group, list):
            specs += [s for s in group if isinstance(s, str)]
    names = {_normalise(match.group(1)) for s in specs if (match := _NAME.match(s))}
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    if isinstance(poetry, dict):
        tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
        tables += [g.get("dependencies") for g in (poetry.get("group") or {}).values() if isinstance(g, dict)]
        for table in tables:
            if isinstance(table, dict):
                names |= {_normalise(k) for k in table if k.lower() != "python"}
    return names


def _local_modules(folder: Path) -> set[str]:
    out = set()
    for entry in folder.iterdir():
        if entry.suffix == ".py":
            out.add(entry.stem)
        elif entry.is_dir() and ((entry / "__init__.py").exists() or any(entry.glob("*.py"))):
            out.add(entry.name)
    src = folder / "src"
    if src.is_dir():
        out |= {e.stem if e.suffix == ".py" else e.name for e in src.iterdir()}
    return out


def undeclared_imports(cells: list[tuple[str, str]], data: dict[str, Any], folder: Path) -> tuple[list[str], str]:
    """(modules imported but not declared, a note for the learner)."""
    from importlib.metadata import packages_distributions

    modules, unparsable = imported_modules(cells)
    third_party = sorted(modules - set(sys.stdlib_module_names) - _local_modules(folder) - {"__future__"})
    declared = declared_distributions(data)
    providers = packages_distributions()
    missing: list[str] = []
    hints: list[str] = []
    for module in third_party:
        candidates = set(providers.get(module, [])) | _ALIASES.get(module, set()) or {module}
        if not {_normalise(c) for c in candidates} & declared:
            missing.append(module)
            dist = sorted(providers.get(module, [module]))[0]
            hints.append(f"{module} (add {dist!r})" if dist != module else module)
    skipped = f"; code cells {', '.join(unparsable)} are not valid Python and were skipped" if unparsable else ""
    if missing:
        them = "them" if len(missing) > 1 else "it"
        return missing, (f"the notebook imports {', '.join(hints)}, not declared in pyproject.toml — list {them} "
                         f"under [project] dependencies{skipped}")
    shown = ", ".join(third_party) if third_party else "no third-party module"
    return [], f"the notebook imports {shown}; all declared{skipped}"
