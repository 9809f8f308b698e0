"""The trend forecast of KRs not made of completions (metrics, formulas, durations,
flow measures): a least-squares line through the KR's daily values so far, extended to
the cycle's end, with a band from how far the days strayed from the line.

The band is the line's prediction interval under normal residuals: P15 and P85 lie
1.036 standard errors either side of the extended line, and the probability of the
target is the normal probability beyond it. A series that lies exactly on a line gives
a band of width 0 and a probability of 0 or 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from okrsync.forecast.simulate import Outcome

# The standard normal quantile of 0.85: P15 and P85 lie this many errors from P50.
Z85 = 1.0364333894937898
# Residuals this small, relative to the values, are floating-point noise.
_ON_THE_LINE = 1e-9


@dataclass(frozen=True)
class Trend:
    outcome: Outcome
    slope: float  # change per day


def trend_forecast(
    days: Sequence[float],
    values: Sequence[float],
    end: float,
    target: float | None,
    rising: bool,
    bounds: tuple[float | None, float | None] = (None, None),
) -> Trend:
    """The line through (day, value) points, read at day ``end``. Needs three points
    or more on at least two different days. The percentiles stay within ``bounds``
    (low, high: None for none): a percentage does not end above 100."""
    x = np.asarray(days, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    slope, intercept = np.polyfit(x, y, 1)
    predicted = float(slope * end + intercept)
    residuals = y - (slope * x + intercept)
    n = len(x)
    spread = float(np.sqrt(np.sum(residuals**2) / (n - 2)))
    if spread <= _ON_THE_LINE * max(1.0, float(np.abs(y).max())):
        spread = 0.0  # rounding noise of a series that lies on a line
    lever = (end - x.mean()) ** 2 / float(np.sum((x - x.mean()) ** 2))
    error = spread * math.sqrt(1 + 1 / n + lever)
    probability = None if target is None else _beyond(target, predicted, error, rising)
    low, high = bounds
    band = [predicted - Z85 * error, predicted, predicted + Z85 * error]
    p15, p50, p85 = np.clip(band, low, high)
    outcome = Outcome(float(p15), float(p50), float(p85), probability)
    return Trend(outcome, float(slope))


def _beyond(target: float, predicted: float, error: float, rising: bool) -> float:
    """The probability that the value ends at or beyond the target."""
    if error == 0:
        reached = predicted >= target if rising else predicted <= target
        return 1.0 if reached else 0.0
    below = 0.5 * (1 + math.erf((target - predicted) / (error * math.sqrt(2))))
    return 1 - below if rising else below
