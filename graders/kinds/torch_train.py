"""Kind ``torch-train``: the learner trains a model on a device; the grader checks what it learned.

The learner's ``fit(x, y, device) -> torch.nn.Module`` gets training data drawn from fresh true
weights (seeded per run). A trusted measurer (``graders.kinds.torch_train_measure``) draws the
problem and keeps the held-out data and the true weights; ``fit`` runs in a separate learner worker,
where an adapter keeps the returned model and answers with its predictions on the held-out inputs
and its ``nn.Linear`` parameters. The measurer computes R², the error of the recovered weights
against the true ones, and where the model's parameters live. Under the gpu profile the device is
``cuda``; on a machine without CUDA that check is pending.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric
from graders.faults import record_run_fault

__all__ = ["TorchTrainGrader", "TorchTrainParams"]


class TorchTrainParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    module: str = Field(default="train", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    function: str = Field(default="fit", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    features: int = Field(default=8, ge=1, le=256)
    samples: int = Field(default=2000, ge=50, le=200_000)
    noise: float = Field(default=0.05, ge=0.0)


class TorchTrainGrader(Grader):
    kind: ClassVar[str] = "torch-train"
    Params: ClassVar[type[BaseModel]] = TorchTrainParams
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("r2", "number", "coefficient of determination on held-out data", higher_is_better=True),
        Metric("weight_error", "number", "max |learned − true| over weights and bias", higher_is_better=False),
        Metric("device_used", "bool", "the returned model's parameters live on the requested device"),
        Metric("fit_seconds", "seconds", "wall time of fit()"),
    )

    def measure(self, ctx: GradeContext) -> Measurements:
        params = ctx.params
        assert isinstance(params, TorchTrainParams)
        m = Measurements()
        device = "cuda" if ctx.profile == "gpu" else "cpu"
        if device == "cuda" and not ctx.cuda_available:
            reason = "needs a CUDA GPU; this machine has none"
            for name in ("r2", "weight_error", "device_used"):
                m.skip(name, reason)
            return m
        if ctx.missing_learner_file(f"{params.module}.py", m):
            return m
        from graders.kinds.torch_train_measure import TorchTrainJob, TorchTrainReport
        from graders.measurer import expect

        job = TorchTrainJob(module=params.module, function=params.function, features=params.features,
                            samples=params.samples, noise=params.noise, seed=ctx.seed, device=device)
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = ctx.sandbox.measure("graders.kinds.torch_train_measure:measure", job, workdir=work,
                                      preload=("torch",))  # a warm start's zygote imports it (graders.zygote)
        m.log = run.log()
        if record_run_fault(m, run):
            return m
        report = expect(run.result, TorchTrainReport, what="the torch-train measurer's report")
        m.set("fit_seconds", report["fit_seconds"])
        if report["r2"] is None:
            m.fault(report["r2_note"], checks=("r2",), status="fail")
        else:
            m.set("r2", report["r2"])
        if report["weight_error"] is None:
            m.fault(report["weight_note"], checks=("weight_error",), status="fail")
        else:
            m.set("weight_error", report["weight_error"])
        m.set("device_used", report["device_ok"], report["device_note"])
        return m
