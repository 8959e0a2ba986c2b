"""Kind ``dataset``: the learner streams a folder of ``.txt`` files with 🤗 datasets; the grader counts
every record and watches the memory from outside.

The learner writes ``load(folder) -> datasets.IterableDataset`` — a streaming pipeline (``map``,
``filter``) whose records are ``{"text", "n_words", "source"}`` by the rules of the exercise's README
(:mod:`graders.kinds.dataset_corpus` holds them as code). A trusted measurer
(:mod:`graders.kinds.dataset_measure`) writes a fresh corpus per run from the seed, pulls every
record through the worker's adapter and measures:

* ``records`` — records yielded exactly once with the right columns / (expected + unexpected), over
  a small corpus full of traps and, when that one is exact, a large one;
* ``peak_memory`` — the learner process's peak RSS while ``load`` builds and iterates the large
  corpus, above its RSS before (read by the measurer from outside, see graders.measurer.PeakMemory);
  not measured (a ``fail`` that says why) while the small corpus's records are wrong;
* ``corpus_size`` and ``throughput`` (MB/s of the large corpus through ``load`` and the iteration,
  the time of the worker's calls as the measurer saw them) — reported.

The gpu profile is the seed's scale: the large corpus is ``gpu_large_mb`` (1 GB) — it needs no GPU,
so it is measured on any machine, with its own wall-clock budget.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.faults import record_run_fault
from graders.sandbox import Limits

__all__ = ["DatasetGrader", "DatasetParams"]

MB = 1 << 20


class DatasetParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field(default="loader", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    function: str = Field(default="load", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    large_mb: int = Field(default=128, ge=1, le=16_384, description="the large corpus under the cpu profile (MiB)")
    gpu_large_mb: int = Field(default=1024, ge=1, le=65_536, description="the large corpus under the gpu profile")
    gpu_time_budget: float = Field(default=900.0, gt=0.0, description="wall clock of a gpu-profile run (s)")


class DatasetGrader(Grader):
    kind: ClassVar[str] = "dataset"
    Params: ClassVar[type[BaseModel]] = DatasetParams
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("records", "ratio", "records yielded exactly once with the right columns / (expected + unexpected)",
               higher_is_better=True),
        Metric("peak_memory", "bytes", "peak RSS while loading and iterating the large corpus, above the RSS before",
               higher_is_better=False),
        Metric("corpus_size", "bytes", "size of the large corpus"),
        Metric("throughput", "number", "MB/s of the large corpus through load() and the iteration",
               higher_is_better=True),
    )

    def measure(self, ctx: GradeContext) -> Measurements:
        from graders.kinds.dataset_measure import DatasetJob, DatasetReport
        from graders.measurer import expect

        params = ctx.params
        assert isinstance(params, DatasetParams)
        m = Measurements()
        if ctx.missing_learner_file(f"{params.module}.py", m):
            return m
        limits: Limits | None = None
        large_mb = params.large_mb
        if ctx.profile == "gpu":
            large_mb = params.gpu_large_mb
            base = ctx.sandbox.limits
            limits = Limits(wall_s=params.gpu_time_budget, memory_bytes=base.memory_bytes,
                            output_bytes=base.output_bytes)
        threshold = ctx.thresholds.get("peak_memory")
        stop_above = int(2 * threshold.value) if threshold is not None and threshold.op in ("<=", "<") else 0
        job = DatasetJob(module=params.module, function=params.function, seed=ctx.seed, large_bytes=large_mb * MB,
                         stop_above=stop_above)
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = ctx.sandbox.measure("graders.kinds.dataset_measure:measure", job, workdir=work, limits=limits)
        m.log = run.log()
        if record_run_fault(m, run):
            return m
        report = expect(run.result, DatasetReport, what="the dataset measurer's report")
        problems = report["problems"]
        size = report["large_bytes"]
        if report["large_measured"]:
            m.set("corpus_size", float(size),
                  f"{report['large_files']} files, the largest {report['largest_file'] / 1e6:.0f} MB")
            before = (report["peak_rss"] - report["peak_extra"]) / 1e6
            read = f"after reading {report['stopped_at'] / 1e6:.0f} MB of it — reading stopped there, over twice " \
                   "the threshold" if report["stopped_at"] else "read to the end"
            m.set("peak_memory", float(report["peak_extra"]),
                  f"{report['peak_extra'] / 1e6:.0f} MB above the {before:.0f} MB the process held before, for a "
                  f"{size / 1e6:.0f} MB corpus {read} (peak RSS {report['peak_rss'] / 1e6:.0f} MB; "
                  f"{report['memory_method']})")
            if report["seconds"] > 0 and not report["stopped_at"]:
                m.set("throughput", size / 1e6 / report["seconds"],
                      f"{size / 1e6:.0f} MB in {report['seconds']:.1f} s, records sent to the grader included")
        else:
            m.fault("not measured: the large corpus is read once the records of the small one are right (see records)",
                    checks=("peak_memory",), status="fail")
        if report["stopped_at"]:
            m.fault(f"not measured to the end: reading the {size / 1e6:.0f} MB corpus stopped when the process held "
                    f"over twice the memory threshold (see peak_memory); {report['small_matched']:,} records of the "
                    "small corpus were right", checks=("records",), status="fail")
            return m
        expected = report["small_expected"] + report["large_expected"]
        matched = report["small_matched"] + report["large_matched"]
        unexpected = report["small_unexpected"] + report["large_unexpected"]
        note = "; ".join(problems[:4]) if problems else (
            f"{matched:,} records: {report['small_matched']:,} of a {report['small_bytes'] / 1e6:.1f} MB corpus with "
            f"every trap, {report['large_matched']:,} of {size / 1e6:.0f} MB")
        m.set("records", matched / (expected + unexpected) if expected + unexpected else 0.0, note)
        return m
