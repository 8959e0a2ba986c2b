"""Measurer of kind ``torch-train`` — trusted; runs beside the learner worker (see graders.measurer).

It draws the regression problem from the seed (:func:`draw_problem`), sends the worker only
``x_train``, ``y_train`` and the device — ``fit`` runs there, through the adapter
(graders.kinds.torch_train_adapter), which keeps the returned model in the learner's process — then
sends the held-back *inputs* and gets back the model's predictions, and asks for the parameters of
its ``nn.Linear(d, 1)``. R², the weight error and the device check are computed here, against the
held-back targets and the true weights the worker never sees; ``fit_seconds`` is the fit call as
this process sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from graders.faults import LearnerFault
from graders.harness.channel import Channel
from graders.kinds.torch_train_adapter import FitReply, LinearReply
from graders.measurer import Worker, expect
from graders.wire import Array

__all__ = ["Problem", "TorchTrainJob", "TorchTrainReport", "draw_problem", "measure"]

ADAPTER = "graders.kinds.torch_train_adapter"


class TorchTrainJob(TypedDict):
    """What the parent (graders.kinds.torch_train) sends the measurer."""

    module: str
    function: str
    features: int
    samples: int
    noise: float
    seed: int
    device: str


class TorchTrainReport(TypedDict):
    """What the measurer sends back on the result channel."""

    fit_seconds: float
    r2: float | None
    r2_note: str
    weight_error: float | None
    weight_note: str
    device_ok: bool
    device_note: str


@dataclass
class Problem:
    x_train: Any  # [n, d]
    y_train: Any  # [n]
    x_test: Any  # [n/4, d]
    y_test: Any  # [n/4]
    true_w: Any  # [d]
    true_b: float


def draw_problem(seed: int, *, features: int, samples: int, noise: float) -> Problem:
    """The run's regression problem: fresh true weights, noisy samples, a quarter held back."""
    import torch

    gen = torch.Generator().manual_seed(int(seed))
    d, n = features, samples
    true_w = torch.randn(d, generator=gen)  # [d]
    # The intercept is always material (|b| in [1, 3]): a model without one must show it in R².
    sign = 1.0 if float(torch.rand(1, generator=gen)) < 0.5 else -1.0
    true_b = sign * (1.0 + 2.0 * float(torch.rand(1, generator=gen)))
    x = torch.randn(n + n // 4, d, generator=gen)  # [n + n/4, d]
    y = x @ true_w + true_b + float(noise) * torch.randn(x.shape[0], generator=gen)  # [n + n/4]
    return Problem(x[:n], y[:n], x[n:], y[n:], true_w, true_b)


def measure(args: dict[str, Any], channel: Channel, worker: Worker) -> None:
    import torch

    job = expect(args, TorchTrainJob, what="the torch-train kind's job")
    p = draw_problem(job["seed"], features=job["features"], samples=job["samples"], noise=job["noise"])
    fn, device = f"{job['module']}:{job['function']}", job["device"]
    worker.load(fn)
    fit = worker.adapter(f"{ADAPTER}:fit", fn, Array.from_torch(p.x_train), Array.from_torch(p.y_train), device,
                         returns=FitReply)
    fit_seconds = worker.last_seconds
    if not fit["is_module"]:
        raise LearnerFault(f"{job['function']}() must return a torch.nn.Module, got {fit['returned']}", status="fail")

    r2: float | None = None
    r2_note = ""
    pred = worker.adapter(f"{ADAPTER}:predict", Array.from_torch(p.x_test), returns=Array)
    if pred.dtype != "float32" or pred.shape != tuple(p.y_test.shape):
        r2_note = (f"the model gave {list(pred.shape)} outputs for {p.x_test.shape[0]} inputs: one prediction "
                   "per row is needed")
    else:
        y_hat = pred.to_torch()  # [n/4]
        ss_res = float(((p.y_test - y_hat) ** 2).sum())
        ss_tot = float(((p.y_test - p.y_test.mean()) ** 2).sum())
        r2 = 1.0 - ss_res / ss_tot

    d = job["features"]
    weight_error: float | None = None
    weight_note = f"no nn.Linear({d}, 1) in the returned model: the weights cannot be compared"
    lin = worker.adapter(f"{ADAPTER}:linear", d, returns=LinearReply)
    if lin["found"] and lin["weight"] is not None and lin["weight"].shape == (d,):
        w = lin["weight"].to_torch()  # [d]
        b = lin["bias"] if lin["bias"] is not None else 0.0
        weight_error, weight_note = max(float((w - p.true_w).abs().max()), abs(b - p.true_b)), ""

    wanted = torch.device(device).type
    channel.result(**TorchTrainReport(
        fit_seconds=fit_seconds, r2=r2, r2_note=r2_note, weight_error=weight_error, weight_note=weight_note,
        device_ok=fit["devices"] == [wanted],
        device_note=f"parameters on {', '.join(fit['devices']) or 'nothing'}; asked for {device}"))
