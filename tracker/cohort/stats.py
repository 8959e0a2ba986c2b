"""Pure: the summary of one metric across a cohort — median, spread, and who is an outlier.

Quartiles are the "inclusive" ones (linear interpolation between order statistics, as
``statistics.quantiles(method="inclusive")``), the spread is the interquartile range, and an outlier
lies beyond Tukey's fences (1.5 × IQR outside the quartiles). Fewer than :data:`MIN_FOR_OUTLIERS`
values name no outlier: with three learners, "unusual" means nothing.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Literal

__all__ = ["MIN_FOR_OUTLIERS", "Outlier", "Summary", "summarize"]

MIN_FOR_OUTLIERS = 4
TUKEY_K = 1.5


@dataclass(frozen=True)
class Outlier:
    who: str
    value: float
    side: Literal["low", "high"]


@dataclass(frozen=True)
class Summary:
    n: int
    median: float
    q1: float
    q3: float
    low: float
    high: float
    outliers: tuple[Outlier, ...]

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1


def summarize(values: list[tuple[str, float]]) -> Summary | None:
    """``values``: (who, value). None when empty."""
    if not values:
        return None
    xs = sorted(v for _, v in values)
    if len(xs) == 1:
        q1 = q3 = xs[0]
    else:
        q1, _, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    outliers: list[Outlier] = []
    if len(xs) >= MIN_FOR_OUTLIERS:
        lo_fence, hi_fence = q1 - TUKEY_K * (q3 - q1), q3 + TUKEY_K * (q3 - q1)
        for who, v in sorted(values, key=lambda p: (p[1], p[0])):
            if v < lo_fence:
                outliers.append(Outlier(who, v, "low"))
            elif v > hi_fence:
                outliers.append(Outlier(who, v, "high"))
    return Summary(len(xs), statistics.median(xs), q1, q3, xs[0], xs[-1], tuple(outliers))
