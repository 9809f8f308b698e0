"""The trend forecast: a least-squares line and its prediction band, by hand."""

from __future__ import annotations

import math

import pytest

from okrsync.forecast import trend_forecast
from okrsync.forecast.trend import Z85


def test_values_on_a_line_extend_it_without_a_band() -> None:
    line = trend_forecast([1, 2, 3, 4, 5], [10, 8, 6, 4, 2], 10, target=0, rising=False)
    assert line.slope == pytest.approx(-2)
    outcome = line.outcome
    assert (outcome.p15, outcome.p50, outcome.p85) == pytest.approx((-8, -8, -8))
    assert outcome.probability_of_target == 1.0


def test_the_band_is_the_prediction_interval() -> None:
    # x̄ = 3, ȳ = 3, Sxx = 10, Sxy = 9: slope 0.9, intercept 0.3; residuals
    # -0.2, 0.9, -1.0, 0.1, 0.2 sum to 1.9 squared; at day 10 the line reads 9.3.
    line = trend_forecast([1, 2, 3, 4, 5], [1, 3, 2, 4, 5], 10, target=9.3, rising=True)
    error = math.sqrt(1.9 / 3) * math.sqrt(1 + 1 / 5 + (10 - 3) ** 2 / 10)
    outcome = line.outcome
    assert line.slope == pytest.approx(0.9)
    assert outcome.p50 == pytest.approx(9.3)
    assert outcome.p15 == pytest.approx(9.3 - Z85 * error)
    assert outcome.p85 == pytest.approx(9.3 + Z85 * error)
    assert outcome.probability_of_target == pytest.approx(0.5)
    # One error above the line is reached with the normal tail's 15.87%.
    above = trend_forecast([1, 2, 3, 4, 5], [1, 3, 2, 4, 5], 10, 9.3 + error, rising=True)
    assert above.outcome.probability_of_target == pytest.approx(0.158655, abs=1e-6)


def test_bounds_keep_a_percentage_within_0_and_100() -> None:
    line = trend_forecast([1, 2, 3], [80, 90, 100], 6, 100, True, bounds=(0.0, 100.0))
    assert (line.outcome.p50, line.outcome.probability_of_target) == (100.0, 1.0)
