"""The Monte-Carlo forecast on hand-made daily histories: constant days give the plain
arithmetic, draws are reproducible for a seed, and probabilities match hand counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from okrsync.forecast import Case, DailyHistory, ForecastSettings, simulate


def history(
    completed: list[float],
    *,
    added: list[float] | None = None,
    done: float,
    total: float,
    days_left: int,
) -> DailyHistory:
    first = date(2027, 1, 1)
    return DailyHistory(
        days=tuple(first + timedelta(days=n) for n in range(len(completed))),
        completed=tuple(completed),
        added=tuple(added or [0.0] * len(completed)),
        done=done,
        total=total,
        days_left=days_left,
    )


def completion(days: DailyHistory, target: float = 100.0) -> Case:
    return Case("completion", days, 100 * days.done / days.total, target, rising=True)


def test_constant_throughput_gives_the_arithmetic() -> None:
    # 2 items a day for 20 more days: 20 + 40 = 60 of 100 done in every trial.
    steady = history([2.0] * 10, done=20, total=100, days_left=20)
    (outcome,) = simulate([completion(steady)], ForecastSettings())
    assert (outcome.p15, outcome.p50, outcome.p85) == (60.0, 60.0, 60.0)
    assert outcome.probability_of_target == 0.0
    (reached,) = simulate([completion(steady, target=60.0)], ForecastSettings())
    assert reached.probability_of_target == 1.0


def test_scope_growth_is_added_every_day() -> None:
    # 1 done and 1 added a day: 110 + 80 = 190 in scope, 10 + 80 = 90 done at the end.
    growing = history([1.0] * 10, added=[1.0] * 10, done=10, total=110, days_left=80)
    (outcome,) = simulate([completion(growing)], ForecastSettings())
    assert outcome.p15 == outcome.p85 == pytest.approx(100 * 90 / 190)


def test_nothing_is_finished_beyond_the_scope() -> None:
    fast = history([10.0] * 10, done=50, total=100, days_left=30)
    (outcome,) = simulate([Case("done", fast, 50, 100, rising=True)], ForecastSettings())
    assert (outcome.p15, outcome.p85, outcome.probability_of_target) == (100.0, 100.0, 1.0)


def test_count_grows_by_the_additions() -> None:
    added = history([0.0] * 5, added=[3.0] * 5, done=0, total=7, days_left=4)
    (outcome,) = simulate([Case("count", added, 7, None, rising=True)], ForecastSettings())
    assert (outcome.p50, outcome.probability_of_target) == (7 + 12, None)


UNEVEN = history([0, 1, 4, 0, 2, 7, 0, 0, 3, 1], done=18, total=120, days_left=30)


def test_a_seeded_forecast_is_reproducible() -> None:
    first = simulate([completion(UNEVEN)], ForecastSettings(seed=7))
    again = simulate([completion(UNEVEN)], ForecastSettings(seed=7))
    other = simulate([completion(UNEVEN)], ForecastSettings(seed=8))
    assert first == again
    assert first != other
    assert first[0].p15 < first[0].p50 < first[0].p85


def test_a_forecast_does_not_depend_on_the_other_krs() -> None:
    alone = simulate([completion(UNEVEN)], ForecastSettings())
    steady = history([2.0] * 10, done=20, total=100, days_left=30)
    together = simulate([completion(steady), completion(UNEVEN)], ForecastSettings())
    assert together[1] == alone[0]


def test_probability_of_target_matches_the_hand_count() -> None:
    # Two days left, each drawn from five days of which two finished one item: the
    # target of 2 more is reached only when both draws hit those, 0.4 * 0.4 = 0.16.
    # 0 more: 0.6 * 0.6 = 0.36; 1 more: 0.48. So P15 is 0 and P50 is 1.
    few = history([0, 0, 0, 1, 1], done=0, total=10, days_left=2)
    (outcome,) = simulate([Case("done", few, 0, 2, rising=True)], ForecastSettings())
    assert outcome.probability_of_target == pytest.approx(0.16, abs=0.015)  # 4 sigma
    assert (outcome.p15, outcome.p50) == (0.0, 1.0)


def test_a_falling_target_is_reached_at_or_below_it() -> None:
    steady = history([0.0] * 5, added=[1.0] * 5, done=0, total=3, days_left=2)
    (outcome,) = simulate([Case("count", steady, 3, 5, rising=False)], ForecastSettings())
    assert (outcome.p50, outcome.probability_of_target) == (5.0, 1.0)


def test_whole_daily_numbers_are_multiplied_exactly_in_integers() -> None:
    import numpy as np

    from okrsync.forecast.simulate import _exact_product, _whole_numbers, day_counts

    settings = ForecastSettings(trials=500)
    counts = day_counts(5, 7, settings)
    # Each trial draws 7 of the 5 past days: its counts add up to 7.
    assert counts.sum(axis=1).tolist() == [7.0] * 500
    whole = np.array([[3.0, 0.0, 1.0, 2.0, 5.0]])
    assert _whole_numbers(whole, 7) and not _whole_numbers(whole + 0.1, 7)
    # The integer product is the floating-point one's very numbers: each trial's total
    # is what it finished on the days it drew, as often as it drew them.
    product = _exact_product(whole, 5, 7, settings)
    assert product.dtype == np.float64
    assert np.array_equal(product, whole @ counts.T)
    first = [int(n) for n in counts[0]]
    assert product[0, 0] == 3 * first[0] + 1 * first[2] + 2 * first[3] + 5 * first[4]
    # Sums of estimates keep the floating-point product.
    estimates = whole + 0.1
    assert np.array_equal(_exact_product(estimates, 5, 7, settings), estimates @ counts.T)
