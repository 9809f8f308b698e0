"""Scoring (mapping-language.md §5): progress against baseline and target, the
progress expected by now, a status, and weighted roll-ups for objectives."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from okrsync.evaluate.results import Status
from okrsync.mapping.cycle import Cycle
from okrsync.mapping.models import Override

# Progress and expected are fractions computed in floating point; a value a person
# would call "exactly on the boundary" must land on the kind side of it.
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Margins:
    """How far behind the expected progress a KR may be: on track within
    ``on_track``, at risk within ``at_risk``, off track beyond."""

    on_track: float = 0.10
    at_risk: float = 0.25


DEFAULT_MARGINS = Margins()


def progress(
    value: float | None, baseline: float, target: float | None, stretch: bool = False
) -> float | None:
    """``(value - baseline) / (target - baseline)``, clamped to [0, 1] (stretch: [0, ∞)).

    The same formula serves KRs that go down: with target below baseline both the
    numerator and the denominator turn negative as the value improves.
    """
    if value is None or target is None or target == baseline:
        return None
    fraction = (value - baseline) / (target - baseline)
    fraction = max(0.0, fraction)
    return fraction if stretch else min(1.0, fraction)


def expected(cycle: Cycle, at: datetime, tz: ZoneInfo) -> float:
    """The elapsed fraction of the cycle: 0 before it starts, 1 after it ends."""
    return cycle.elapsed_fraction(at, tz)


def score(progress_value: float | None) -> float | None:
    """Progress on Google's 0.0-1.0 scale: a stretch beyond its target scores 1.0."""
    return None if progress_value is None else min(1.0, progress_value)


def status(
    progress_value: float | None,
    at: datetime,
    cycle: Cycle,
    tz: ZoneInfo,
    margins: Margins = DEFAULT_MARGINS,
) -> Status:
    if at < cycle.start(tz):
        return Status.NOT_STARTED
    if at >= cycle.end(tz):
        return Status.CLOSED
    if progress_value is None:
        return Status.NO_DATA
    behind = expected(cycle, at, tz) - progress_value
    if behind <= margins.on_track + _TOLERANCE:
        return Status.ON_TRACK
    if behind <= margins.at_risk + _TOLERANCE:
        return Status.AT_RISK
    return Status.OFF_TRACK


def override_active(override: Override | None, at: datetime, tz: ZoneInfo) -> bool:
    """An override applies through its ``until`` date, as a day in the configured zone."""
    return override is not None and at.astimezone(tz).date() <= override.until


def overridden_progress(override: Override, stretch: bool) -> float:
    return override.value if stretch else min(1.0, override.value)


def weighted_mean(parts: Iterable[tuple[float | None, float]]) -> float | None:
    """The weighted mean of the parts that have a value; None when none has."""
    total = weights = 0.0
    for value, weight in parts:
        if value is not None:
            total += value * weight
            weights += weight
    return total / weights if weights > 0 else None
