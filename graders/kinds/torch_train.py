"""Kind ``torch-train``: the learner trains a model on a device; the grader checks what it learned.

The learner's ``fit(x, y, device) -> torch.nn.Module`` gets training data drawn from fresh true
weights (seeded per run). The grader — in the sandbox, right after the call — measures R² on
held-out data it kept back, the error of the recovered weights against the true ones, and where
the returned model's parameters live. Under the gpu profile the device is ``cuda``; on a machine
without CUDA that check is pending.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from graders.contract import GradeContext, Grader, Measurements, Metric, Status

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
        if not (ctx.learner_dir / f"{params.module}.py").is_file():
            m.fault(f"{params.module}.py is missing from exercises/{ctx.slug}/", status="fail")
            return m
        with ctx.sandbox.workdir(ctx.learner_dir) as work:
            run = ctx.sandbox.call("graders.kinds.torch_train_child:run",
                                   {**params.model_dump(), "seed": ctx.seed, "device": device}, workdir=work)
        m.log = run.log()
        if run.fault:
            fault = run.learner_fault
            status: Status = "fail" if fault and fault.get("status") == "fail" else "error"
            m.fault(run.fault, status=status)
            return m
        data = run.result or {}
        m.set("fit_seconds", data.get("fit_seconds"))
        m.set("r2", data.get("r2"))
        if data.get("weight_error") is None:
            m.fault(data.get("weight_note", "no nn.Linear found in the returned model"), checks=("weight_error",),
                    status="fail")
        else:
            m.set("weight_error", data["weight_error"])
        m.set("device_used", bool(data.get("device_ok")), data.get("device_note", ""))
        return m
