"""Measurements + thresholds of the active profile → checks and an overall status.

Rules (SPEC §6):

* a metric not measured under the active profile is skipped entirely;
* a ``bool`` metric is a check that passes when true; any other metric is a check only where the
  roadmap gives it a threshold, otherwise its value is only reported in ``metrics``;
* a check whose metric was skipped (``Measurements.skip``) or needs CUDA that is absent is
  ``pending`` with the reason — never a silent pass, never a fail;
* a learner fault gives the checks it names (all, by default) its status and message;
* overall: any ``error`` → error, else any ``fail`` → fail, else any ``pending`` → pending, else pass.
"""

from __future__ import annotations

import math

from graders.contract import Check, GradeContext, Grader, GradeResult, Measurements, Metric, Status
from graders.thresholds import format_value

__all__ = ["evaluate", "overall_status"]

_SEVERITY: dict[Status, int] = {"pass": 0, "pending": 1, "fail": 2, "error": 3}


def overall_status(statuses: list[Status]) -> Status:
    if not statuses:
        return "error"
    return max(statuses, key=lambda s: _SEVERITY[s])


def _fault_for(m: Measurements, name: str) -> tuple[Status, str] | None:
    for checks, status, message in m.faults:
        if checks is None or name in checks:
            return status, message
    return None


def _check(metric: Metric, ctx: GradeContext, m: Measurements) -> Check:
    threshold = ctx.thresholds.get(metric.name)
    text = threshold.text if threshold else None
    if metric.name in m.pending:
        return Check(name=metric.name, status="pending", threshold=text, message=m.pending[metric.name])
    if metric.profiles == ("gpu",) and not ctx.cuda_available and metric.name not in m.values:
        return Check(name=metric.name, status="pending", threshold=text,
                     message="needs a CUDA GPU; this machine has none (grade with --profile gpu on a GPU machine)")
    fault = _fault_for(m, metric.name)
    if fault is not None and metric.name not in m.values:
        # The whole story is in the result's message; a check carries its first line.
        return Check(name=metric.name, status=fault[0], threshold=text, message=fault[1].splitlines()[0])
    if metric.name not in m.values:
        return Check(name=metric.name, status="error", threshold=text,
                     message="the grader could not measure this (see the log)")
    value = m.values[metric.name]
    note = m.notes.get(metric.name, "")
    if fault is not None:
        # Measured, but a fault still taints it (e.g. a forged value was detected).
        return Check(name=metric.name, status=fault[0], measured=value, threshold=text, message=fault[1])
    if metric.dimension == "bool" and threshold is None:
        ok = value is True
        return Check(name=metric.name, status="pass" if ok else "fail", measured=value,
                     display=format_value(value), message=note)
    if threshold is None:  # pragma: no cover - callers only build checks for thresholded metrics
        raise AssertionError(metric.name)
    if isinstance(value, bool):
        value = float(value)
    if not isinstance(value, (int, float)) or (isinstance(value, float) and math.isnan(value)):
        return Check(name=metric.name, status="fail", measured=None if value is None else str(value),
                     threshold=text, display=format_value(value),
                     message=note or "not a finite number")
    ok = threshold.holds(float(value))
    display = threshold.format(float(value))
    message = note or ("" if ok else f"measured {display}, needs {threshold.text}")
    return Check(name=metric.name, status="pass" if ok else "fail", measured=float(value),
                 threshold=text, display=display, message=message)


def evaluate(grader: Grader, ctx: GradeContext, m: Measurements) -> GradeResult:
    """Build the result of one attempt (without timing, hashes and hardware: the runner adds those)."""
    checks: list[Check] = []
    reported: dict[str, float | bool | str | None] = {}
    for metric in grader.metrics:
        if ctx.profile not in metric.profiles:
            continue
        if metric.name in m.values:
            reported[metric.name] = m.values[metric.name]
        if metric.dimension == "bool" or metric.name in ctx.thresholds:
            checks.append(_check(metric, ctx, m))
    statuses: list[Status] = [c.status for c in checks]
    whole = [(s, msg) for names, s, msg in m.faults if names is None]
    statuses += [s for s, _ in whole]
    status = overall_status(statuses)
    if whole:
        message = whole[0][1]
    elif status == "pass":
        message = f"all {len(checks)} checks passed"
    else:
        bad = [c for c in checks if c.status == status]
        message = "; ".join(f"{c.name}: {c.message}" if c.message else c.name for c in bad[:3])
    return GradeResult(slug=ctx.slug, kind=grader.kind, status=status, message=message, checks=checks,
                       metrics=reported, seed=ctx.seed, profile=ctx.profile, log=m.log)
