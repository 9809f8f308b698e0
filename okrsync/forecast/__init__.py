"""Forecasts: where each KR will land at its cycle's end, from the team's own history
(mapping-language.md §10).

    add_forecasts(evaluation, files, snapshot, tz, series_of, ForecastSettings(seed=0))
    evaluation.key_result("ship-one-click").forecast  # {"p15": ..., "method": ...}
"""

from okrsync.forecast.forecasts import (
    ENDED,
    INSUFFICIENT,
    MONTE_CARLO,
    TREND,
    SeriesReader,
    add_forecasts,
)
from okrsync.forecast.history import DailyHistory, daily_history
from okrsync.forecast.settings import DEFAULT_SETTINGS, MIN_HISTORY_DAYS, ForecastSettings
from okrsync.forecast.simulate import Case, Outcome, simulate
from okrsync.forecast.trend import trend_forecast

__all__ = [
    "DEFAULT_SETTINGS",
    "ENDED",
    "INSUFFICIENT",
    "MIN_HISTORY_DAYS",
    "MONTE_CARLO",
    "TREND",
    "Case",
    "DailyHistory",
    "ForecastSettings",
    "Outcome",
    "SeriesReader",
    "add_forecasts",
    "daily_history",
    "simulate",
    "trend_forecast",
]
