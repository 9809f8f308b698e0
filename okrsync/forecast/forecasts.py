"""Every KR's forecast of its value at the cycle's end, as of T: Monte-Carlo over the
team's own days for item KRs (``simulate``), a trend line for the others (``trend``),
and a plain "not enough history" where there is too little to go on.

Each forecast is a JSON-ready document (mapping-language.md §10): ``p15``, ``p50``,
``p85`` and ``probability_of_target`` (None when the KR has none to offer),
``method``, ``based_on_days``, ``trials``, with ``status`` (likely, at_risk, unlikely),
the ``seed``, the ``days_left`` and which days it was ``based_on`` beside them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from okrsync.evaluate.context import MeasureContext, MeasureSpec
from okrsync.evaluate.results import Evaluation, KrResult
from okrsync.evaluate.snapshot import Snapshot
from okrsync.forecast.history import (
    SIMULATED_MEASURES,
    DailyHistory,
    daily_history,
    days_left,
    history_days,
)
from okrsync.forecast.settings import DEFAULT_SETTINGS, ForecastSettings
from okrsync.forecast.simulate import Case, Outcome, simulate
from okrsync.forecast.trend import trend_forecast
from okrsync.mapping.cycle import Cycle
from okrsync.mapping.models import KeyResult, MappingFile

MONTE_CARLO = "monte_carlo_throughput"
TREND = "linear_trend"
INSUFFICIENT = "insufficient_history"
ENDED = "cycle_ended"

# A KR's recorded and back-filled values: (instant, value), oldest first.
SeriesReader = Callable[[str], Sequence[tuple[datetime, float | None]]]


def add_forecasts(
    evaluation: Evaluation,
    files: Sequence[MappingFile],
    snapshot: Snapshot,
    tz: ZoneInfo,
    series_of: SeriesReader,
    settings: ForecastSettings = DEFAULT_SETTINGS,
) -> None:
    """Set the ``forecast`` of every KR of ``evaluation`` (evaluated over ``snapshot``)."""
    evaluated = {result.id: result for result in evaluation.key_results}
    cases: list[tuple[KrResult, Case]] = []
    for mapping in files:
        ctx = MeasureContext(snapshot, mapping.cycle_span, tz)
        for objective in mapping.objectives:
            for kr in objective.key_results:
                result = evaluated.get(kr.id)
                if result is None:
                    continue  # failed this run: nothing was evaluated
                made = _forecast(result, kr, mapping, ctx, series_of, settings)
                if isinstance(made, Case):
                    cases.append((result, made))
                else:
                    result.forecast = made
    outcomes = simulate([case for _, case in cases], settings)
    for (result, case), outcome in zip(cases, outcomes, strict=True):
        history = case.history
        result.forecast = document(
            outcome,
            MONTE_CARLO,
            history.days,
            settings.trials,
            settings,
            days_left=history.days_left,
            daily={"completed": _numbers(history.completed), "added": _numbers(history.added)},
        )


def _forecast(
    result: KrResult,
    kr: KeyResult,
    mapping: MappingFile,
    ctx: MeasureContext,
    series_of: SeriesReader,
    settings: ForecastSettings,
) -> Case | dict[str, Any]:
    """A simulation to run for the KR, or its forecast made already."""
    if days_left(ctx.cycle, ctx.tz, ctx.at) == 0:
        return _not_made(ENDED, "the cycle has ended: its value is final")
    if kr.measure_name in SIMULATED_MEASURES and kr.selections():
        spec = MeasureSpec.of_key_result(kr, mapping.defaults.source)
        return _case(result, daily_history(spec, ctx), settings)
    return _trend(result, kr, ctx.cycle, ctx.tz, ctx.at, series_of, settings)


def _case(
    result: KrResult, history: DailyHistory, settings: ForecastSettings
) -> Case | dict[str, Any]:
    if result.value is None:
        return _not_made(INSUFFICIENT, "the KR has no value now to forecast from")
    if len(history.days) < settings.min_history_days:
        return _too_short(len(history.days), settings)
    if result.measure == "completion" and history.total <= 0:
        return _not_made(INSUFFICIENT, "nothing is in scope yet to complete")
    target = result.target
    return Case(
        measure=result.measure,
        history=history,
        value=result.value,
        target=target,
        rising=target is None or target >= result.baseline,
    )


def _trend(
    result: KrResult,
    kr: KeyResult,
    cycle: Cycle,
    tz: ZoneInfo,
    at: datetime,
    series_of: SeriesReader,
    settings: ForecastSettings,
) -> dict[str, Any]:
    """The trend of the KR's last value on each whole day of the cycle so far."""
    whole_days = set(history_days(cycle, tz, at, None))
    last_of_day: dict[date, float] = {}
    for instant, value in series_of(kr.id):
        # A point at midnight is the value at the end of the day before (a back-fill's).
        day = (instant.astimezone(tz) - timedelta(microseconds=1)).date()
        if value is not None and day in whole_days and instant < at:
            last_of_day[day] = value
    days = sorted(last_of_day)
    if len(days) < settings.min_history_days:
        return _too_short(len(days), settings)
    # A day's value holds at its end: day n of the cycle ends n days after its start.
    offsets = [(day - cycle.first_day).days + 1 for day in days]
    end = (cycle.last_day - cycle.first_day).days + 1
    rising = result.target is None or result.target >= result.baseline
    values = [last_of_day[d] for d in days]
    line = trend_forecast(offsets, values, end, result.target, rising, _bounds(values, result))
    return document(
        line.outcome,
        TREND,
        tuple(days),
        None,
        settings,
        days_left=days_left(cycle, tz, at),
        slope_per_day=round(line.slope, 4),
    )


def _bounds(values: Sequence[float], result: KrResult) -> tuple[float | None, float | None]:
    """Where a line may not lead: below 0 for a measure never below 0 (durations,
    counts), above 100 for a percentage."""
    low = 0.0 if min(values) >= 0 else None
    high = 100.0 if result.unit == "%" and max(values) <= 100 else None
    return low, high


def document(
    outcome: Outcome,
    method: str,
    days: tuple[date, ...],
    trials: int | None,
    settings: ForecastSettings,
    **details: Any,
) -> dict[str, Any]:
    probability = outcome.probability_of_target
    return {
        "p15": round(outcome.p15, 2),
        "p50": round(outcome.p50, 2),
        "p85": round(outcome.p85, 2),
        "probability_of_target": None if probability is None else round(probability, 3),
        "method": method,
        "based_on_days": len(days),
        "trials": trials,
        "status": settings.status(probability),
        "seed": settings.seed,
        "based_on": {"from": days[0].isoformat(), "to": days[-1].isoformat()},
        **details,
    }


def _too_short(days: int, settings: ForecastSettings) -> dict[str, Any]:
    needed = settings.min_history_days
    reason = f"only {days} whole day{'' if days == 1 else 's'} of history; forecasts need {needed}"
    return {**_not_made(INSUFFICIENT, reason), "based_on_days": days}


def _not_made(method: str, reason: str) -> dict[str, Any]:
    return {
        "p15": None,
        "p50": None,
        "p85": None,
        "probability_of_target": None,
        "method": method,
        "reason": reason,
        "based_on_days": 0,
        "trials": None,
        "status": None,
    }


def _numbers(values: Sequence[float]) -> list[float]:
    return [round(v, 4) for v in values]
