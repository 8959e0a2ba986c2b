"""Kind ``function``: call the learner's function on hidden cases and compare with a reference.

The exercise's ``.meta/<cases>.py`` (trusted library code) provides::

    generate(seed: int) -> list[Case]        # Case (graders.kinds.function_measure): name, files, args,
                                             # expected, outputs
    compare(case, returned, outputs) -> str | None   # None when correct, else what differs

Cases are drawn from the run's seed, so they differ on every attempt. A trusted measurer
(``graders.kinds.function_measure``) draws them, calls the learner's function in a separate learner
worker, and compares its outputs; the learner's process never holds the seed or an expected value.
``compare`` receives what the function returned as data (JSON values, ``graders.wire.Array``, or a
``graders.wire.Opaque`` for an object that cannot be sent).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.faults import record_run_fault
from graders.kinds.function_measure import Case

__all__ = ["Case", "FunctionGrader"]


class FunctionParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="the learner's module, e.g. data_loader")
    function: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="the function to call")
    cases: str = Field(default="cases", description="the .meta/ module that generates hidden cases")


class FunctionGrader(Grader):
    kind: ClassVar[str] = "function"
    Params: ClassVar[type[BaseModel]] = FunctionParams
    timed: ClassVar[bool] = True  # thresholds on wall-clock speed
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("accuracy", "ratio", "fraction of hidden cases answered exactly like the reference",
               higher_is_better=True),
        Metric("runtime", "seconds", "wall time of the largest (timed) case", higher_is_better=False),
        Metric("cases", "number", "hidden cases drawn for this run"),
    )

    @classmethod
    def meta_files(cls, params: BaseModel) -> tuple[str, ...]:
        assert isinstance(params, FunctionParams)
        return (f"{params.cases}.py",)

    def measure(self, ctx: GradeContext) -> Measurements:
        from graders.kinds.function_measure import FunctionJob, FunctionReport
        from graders.measurer import expect

        params = ctx.params
        assert isinstance(params, FunctionParams)
        m = Measurements()
        (cases_module,) = self.meta_files(params)  # what it declares is what it reads (the measurer does)
        if ctx.missing_learner_file(f"{params.module}.py", m):
            return m
        job = FunctionJob(module=params.module, function=params.function, seed=ctx.seed,
                          cases_path=str(ctx.meta_dir / cases_module))
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = ctx.sandbox.measure("graders.kinds.function_measure:measure", job, workdir=work)
        m.log = run.log()
        if record_run_fault(m, run):
            return m
        report = expect(run.result, FunctionReport, what="the function measurer's report")
        problems = report["problems"]
        note = "; ".join(problems[:3]) + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else "")
        m.set("cases", float(report["cases"]))
        m.set("accuracy", report["correct"] / report["cases"] if report["cases"] else 0.0, note)
        if report["runtime_problem"]:
            m.fault(report["runtime_problem"], checks=("runtime",), status="fail")
        elif report["runtime"] is not None:
            m.set("runtime", report["runtime"])
        return m
