"""Axis ranges and tick positions for the trend charts."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

# A chart this small reads best with four to six labels per axis.
_TARGET_TICKS = 5
_MAX_DATE_TICKS = 7


def value_range(values: Iterable[float]) -> tuple[float, float]:
    """A y range holding every value with a little air, starting at zero when the values
    are positive and zero is not far away (so bars of small changes are not magnified)."""
    numbers = [v for v in values if math.isfinite(v)]
    if not numbers:
        return 0.0, 1.0
    low, high = min(numbers), max(numbers)
    if low >= 0 and low <= 0.4 * high:
        low = 0.0
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        return low - pad if low != 0 else 0.0, high + pad
    pad = (high - low) * 0.08
    return (low if low == 0 else low - pad), high + pad


def nice_step(span: float, count: int = _TARGET_TICKS, *, integral: bool = False) -> float:
    """1, 2, 2.5 or 5 times a power of ten, near ``span / count``; whole numbers of at
    least 1 when the measure counts things (no "2.5 items")."""
    raw = span / max(count, 1)
    if integral and raw <= 1:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    factors = (1, 2, 5, 10) if integral and magnitude < 10 else (1, 2, 2.5, 5, 10)
    for factor in factors:
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def value_ticks(low: float, high: float, *, integral: bool = False) -> list[float]:
    """Round values between ``low`` and ``high`` (both included when round)."""
    step = nice_step(high - low, integral=integral)
    first = math.ceil(low / step - 1e-9) * step
    ticks: list[float] = []
    tick = first
    while tick <= high + step * 1e-9:
        ticks.append(round(tick, 10) + 0.0)  # + 0.0 turns -0.0 into 0.0
        tick += step
    return ticks


def date_ticks(start: datetime, end: datetime) -> list[datetime]:
    """Midnights (in ``start``'s zone) on the first of each month, or on Mondays for short
    cycles, thinned to a handful."""
    zone = start.tzinfo
    days = (end - start).days
    first_day = start.date()
    candidates: list[date]
    if days <= 45:
        monday = first_day + timedelta(days=(7 - first_day.weekday()) % 7)
        candidates = [monday + timedelta(weeks=n) for n in range(days // 7 + 2)]
    else:
        candidates = []
        year, month = first_day.year, first_day.month
        while date(year, month, 1) <= end.date():
            candidates.append(date(year, month, 1))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    moments = [datetime.combine(day, time(), zone) for day in candidates]
    inside = [m for m in moments if start <= m <= end]
    stride = max(1, math.ceil(len(inside) / _MAX_DATE_TICKS))
    return inside[::stride]
