"""Child side of kind ``torch-train``: draw a regression problem, call ``fit``, measure the model."""

from __future__ import annotations

import importlib
import time
from typing import Any

from graders.harness.channel import Channel


def run(args: dict[str, Any], channel: Channel) -> None:
    import torch

    gen = torch.Generator().manual_seed(int(args["seed"]))
    d, n = int(args["features"]), int(args["samples"])
    true_w = torch.randn(d, generator=gen)  # [d]
    # The intercept is always material (|b| in [1, 3]): a model without one must show it in R².
    sign = 1.0 if float(torch.rand(1, generator=gen)) < 0.5 else -1.0
    true_b = sign * (1.0 + 2.0 * float(torch.rand(1, generator=gen)))
    x = torch.randn(n + n // 4, d, generator=gen)  # [n + n/4, d]
    y = x @ true_w + true_b + float(args["noise"]) * torch.randn(x.shape[0], generator=gen)  # [n + n/4]
    x_train, y_train, x_test, y_test = x[:n], y[:n], x[n:], y[n:]

    module = importlib.import_module(args["module"])
    fit = getattr(module, args["function"], None)
    if not callable(fit):
        channel.fault(f"{args['module']}.py has no function {args['function']}()", status="fail")
        return
    device = args["device"]
    t0 = time.perf_counter()
    model = fit(x_train.clone(), y_train.clone(), device)
    fit_seconds = time.perf_counter() - t0
    if not isinstance(model, torch.nn.Module):
        channel.fault(f"fit() must return a torch.nn.Module, got {type(model).__name__}", status="fail")
        return

    model.eval()
    with torch.no_grad():
        pred = model(x_test.to(device)).reshape(-1).float().cpu()  # [n/4]
    ss_res = float(((y_test - pred) ** 2).sum())
    ss_tot = float(((y_test - y_test.mean()) ** 2).sum())
    result: dict[str, Any] = {"r2": 1.0 - ss_res / ss_tot, "fit_seconds": fit_seconds}

    linear = next((m for m in model.modules() if isinstance(m, torch.nn.Linear)
                   and m.in_features == d and m.out_features == 1), None)
    if linear is None:
        result["weight_note"] = f"no nn.Linear({d}, 1) in the returned model: the weights cannot be compared"
    else:
        w = linear.weight.detach().reshape(-1).float().cpu()
        b = float(linear.bias.detach().reshape(-1)[0]) if linear.bias is not None else 0.0
        result["weight_error"] = max(float((w - true_w).abs().max()), abs(b - true_b))

    devices = {p.device.type for p in model.parameters()}
    result["device_ok"] = devices == {torch.device(device).type}
    result["device_note"] = f"parameters on {', '.join(sorted(devices)) or 'nothing'}; asked for {device}"
    channel.result(**result)
