"""Kind ``notebook``: the learner's notebook runs clean, what it defines matches a reference, and
its prose explains what it should.

1. **Runs** (``notebook_runs``, ``notebook_time``): in a learner worker, nbclient executes every
   code cell in a fresh ``python3`` kernel whose working directory is the run folder (the kernel is
   a child of the worker, so every limit applies to it). A cell has ``cell_timeout`` seconds, the
   notebook ``total_timeout``; the first cell that raises or runs out of time is named in the
   message. The time is taken by the trusted measurer beside the worker
   (``graders.kinds.notebook_measure``), not by anything in the kernel.
2. **Matches** (``max_abs_error``): the learner's objects are taken *from the executed namespace*
   — after the last cell, one more cell, ``PROBE`` from the exercise's ``.meta/<probes>.py``, runs
   in the same kernel. The measurer draws the hidden inputs from the run's seed and sends them only
   then; the probe calls the learner's functions and modules on them and writes the raw outputs,
   which come back as data (``graders.wire``: nothing executes on load) and are compared *in the
   measurer* with ``expected(inputs)`` → the largest absolute difference. The kernel never sees
   the seed or the reference, and never reports an error figure.
3. **Explains** (``explains_complexity``): a *loose heuristic* over the markdown cells, read here
   without running anything: every group of ``EXPLANATION`` (name → regular expressions) must be
   matched by some markdown cell. It checks that the explanation is there, not that it is right.
"""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.faults import record_run_fault
from graders.kinds._meta import load_meta_module
from graders.kinds._notebook import missing_tools, read_cells

__all__ = ["NotebookGrader", "NotebookParams", "explanation_gaps"]


class NotebookParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    notebook: str = Field(pattern=r"^[A-Za-z0-9_.-]+\.ipynb$", description="the learner's notebook")
    probes: str = Field(default="probes", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                        description="the .meta/ module with make_inputs, PROBE, expected, EXPLANATION")
    cell_timeout: float = Field(default=120.0, gt=0)
    total_timeout: float = Field(default=240.0, gt=0)


class NotebookGrader(Grader):
    kind: ClassVar[str] = "notebook"
    Params: ClassVar[type[BaseModel]] = NotebookParams
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("notebook_runs", "bool", "every cell runs in a fresh kernel without an error"),
        Metric("max_abs_error", "number", "max |learner − reference| of the probed objects on hidden inputs",
               higher_is_better=False),
        Metric("explains_complexity", "bool", "a markdown cell explains what the exercise asks (heuristic)"),
        Metric("notebook_time", "seconds", "wall time of all cells (kernel start-up excluded)",
               higher_is_better=False),
    )

    @classmethod
    def meta_files(cls, params: BaseModel) -> tuple[str, ...]:
        assert isinstance(params, NotebookParams)
        return (f"{params.probes}.py",)

    def measure(self, ctx: GradeContext) -> Measurements:
        params = ctx.params
        assert isinstance(params, NotebookParams)
        m = Measurements()
        path = ctx.learner_dir / params.notebook
        if ctx.missing_learner_file(params.notebook, m):
            return m
        try:
            cells = read_cells(path)
        except ValueError as exc:
            m.fault(str(exc), status="fail")
            return m
        (probes_module,) = self.meta_files(params)  # what it declares is what it reads
        probes_path = ctx.meta_dir / probes_module
        probes = load_meta_module(probes_path)
        gaps = explanation_gaps(cells, probes.EXPLANATION)
        m.set("explains_complexity", not gaps,
              ("heuristic, not graded exactly: found no markdown about " + " or ".join(gaps)) if gaps else
              "heuristic: the markdown mentions " + ", ".join(probes.EXPLANATION))

        if (missing := missing_tools()) is not None:
            for name in ("notebook_runs", "max_abs_error", "notebook_time"):
                m.skip(name, missing)
            return m
        from graders.kinds.notebook_measure import NotebookJob, NotebookReport, settled_note
        from graders.measurer import expect

        job = NotebookJob(notebook=params.notebook, probes_path=str(probes_path), seed=ctx.seed,
                          cell_timeout=params.cell_timeout, total_timeout=params.total_timeout)
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = ctx.sandbox.measure("graders.kinds.notebook_measure:run", job, workdir=work)
        m.log = run.log()
        if record_run_fault(m, run, checks=("notebook_runs", "max_abs_error", "notebook_time")):
            return m
        data = expect(run.result, NotebookReport, what="the notebook measurer's report")
        m.set("notebook_runs", data["runs"], data["failure"])
        if data["runs"]:
            m.set("notebook_time", data["seconds"], settled_note(data["settled_s"]))
        if not data["runs"]:
            m.fault(f"not measured: the notebook stopped — {data['failure'] or 'it did not run'}",
                    checks=("max_abs_error",), status="fail")
        elif data["probe_problem"]:
            m.fault(f"the grader's probe could not use your notebook's objects: {data['probe_problem']}",
                    checks=("max_abs_error",), status="fail")
        else:
            problems = data["problems"]
            note = "; ".join(problems[:4]) + (f" (and {len(problems) - 4} more)" if len(problems) > 4 else "")
            m.set("max_abs_error", data["max_abs_error"], note)
        return m



def explanation_gaps(cells: list[tuple[str, str]], groups: dict[str, list[str]]) -> list[str]:
    """Names of the groups no markdown cell matches (case-insensitive regular expressions).
    Heading lines (``# …``) are left out: a section title alone is not an explanation."""
    text = "\n".join(line for kind, source in cells if kind == "markdown" for line in source.splitlines()
                     if not line.lstrip().startswith("#"))
    return [name for name, patterns in groups.items()
            if not any(re.search(p, text, flags=re.IGNORECASE) for p in patterns)]
