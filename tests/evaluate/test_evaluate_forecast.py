"""Forecasts of evaluated KRs, from boards whose days are easy to count by hand.

Each board holds stories of the SHOP project created 2026-12-15 (committed scope) unless
said otherwise; a story done on day N of January was done at 09:00 UTC (10:00 in
Berlin), so each falls on its own local day. The cycle is 2027-Q1 in Berlin.
"""

from __future__ import annotations

from typing import Any

import pytest
from evaluate_fixtures import (
    BERLIN,
    DONE,
    QUERY,
    SOURCE,
    TODO,
    FakeData,
    _item,
    _status_changes,
    one_kr,
    utc,
)

from okrsync.evaluate import KrResult, evaluate
from okrsync.evaluate.snapshot import Snapshot
from okrsync.forecast import ForecastSettings, add_forecasts
from okrsync.items import Change, Item, ItemType

# T: 2027-01-11 12:00 UTC, so the whole days are Jan 1..10 and 80 days are left
# (Jan 11 to Mar 31, Jan 11 included).
T = "2027-01-11 12:00"
DAYS_LEFT = 80


def board(
    stories: int, done_days: list[int], created: str = "2026-12-15 09:00", added_days: int = 0
) -> FakeData:
    """``stories`` committed stories, the first ones done on the given January days, and
    one more story created on each of the first ``added_days`` days of January."""
    items: list[Item] = []
    history: dict[tuple[str, str], list[Change]] = {}
    for n in range(stories):
        key = f"SHOP-{n + 1}"
        finished = n < len(done_days)
        items.append(_item(key, ItemType.STORY, created, DONE if finished else TODO))
        if finished:
            at = f"2027-01-{done_days[n]:02d} 09:00"
            history[(SOURCE, key)] = _status_changes(key, [(at, DONE)])
    for day in range(1, added_days + 1):
        key = f"SHOP-{stories + day}"
        items.append(_item(key, ItemType.STORY, f"2027-01-{day:02d} 09:00", TODO))
    return FakeData(queries={(SOURCE, QUERY): items}, history=history, sprints={})


def forecast(data: FakeData, at: str = T, **kr: Any) -> KrResult:
    files = [one_kr(**kr)]
    snapshot = Snapshot(data, utc(at))
    evaluation = evaluate(files, data, utc(at), BERLIN)
    add_forecasts(evaluation, files, snapshot, BERLIN, lambda kr_id: [], ForecastSettings())
    return evaluation.key_results[0]


def test_one_story_a_day_forecasts_the_arithmetic() -> None:
    # 10 of 100 done, one a day for 10 days: 80 more days finish 80 more -> 90%.
    result = forecast(board(100, list(range(1, 11))), measure="completion")
    assert result.value == 10.0
    assert result.forecast is not None
    assert result.forecast | {"daily": None} == {
        "p15": 90.0,
        "p50": 90.0,
        "p85": 90.0,
        "probability_of_target": 0.0,
        "method": "monte_carlo_throughput",
        "based_on_days": 10,
        "trials": 10_000,
        "status": "unlikely",
        "seed": 0,
        "based_on": {"from": "2027-01-01", "to": "2027-01-10"},
        "days_left": DAYS_LEFT,
        "daily": None,
    }
    assert result.forecast["daily"] == {"completed": [1.0] * 10, "added": [0.0] * 10}


def test_scope_added_in_the_cycle_grows_the_scope() -> None:
    # One story added a day as well: 110 + 80 in scope, 10 + 80 done -> 90/190.
    data = board(100, list(range(1, 11)), added_days=10)
    result = forecast(data, measure="completion")
    assert result.forecast is not None
    assert result.forecast["p50"] == round(100 * 90 / 190, 2)
    assert result.forecast["daily"]["added"] == [1.0] * 10


def test_done_reaches_its_target_when_the_pace_holds() -> None:
    result = forecast(board(100, list(range(1, 11))), measure="done", target=90)
    assert result.forecast is not None
    assert (result.forecast["p50"], result.forecast["probability_of_target"]) == (90.0, 1.0)
    assert result.forecast["status"] == "likely"


def test_two_days_of_history_are_not_enough() -> None:
    # The stories exist since Jan 9: the whole days are Jan 9 and 10.
    data = board(10, [9, 10], created="2027-01-09 08:00")
    result = forecast(data, measure="completion")
    assert result.forecast is not None
    assert result.forecast["method"] == "insufficient_history"
    assert result.forecast["based_on_days"] == 2
    assert result.forecast["p50"] is None
    assert "only 2 whole days of history; forecasts need 5" in result.forecast["reason"]


def test_an_ended_cycle_is_not_forecast() -> None:
    result = forecast(board(10, [1, 2]), at="2027-04-02 12:00", measure="done", target=10)
    assert result.forecast is not None
    assert result.forecast["method"] == "cycle_ended"


def test_other_measures_follow_their_recorded_trend() -> None:
    data = board(10, [1, 2])
    cycle_time = {"cycle_time": {"percentile": 50, "window": "28d"}}
    files = [one_kr(measure=cycle_time, baseline=12, target=1)]
    series = [(utc(f"2027-01-0{d} 23:30"), 11.0 - d) for d in range(1, 7)]
    series.append((utc("2027-01-11 08:00"), 0.0))  # T's own day: not a whole day yet
    evaluation = evaluate(files, data, utc(T), BERLIN)
    add_forecasts(evaluation, files, Snapshot(data, utc(T)), BERLIN, lambda _: series)
    made = evaluation.key_results[0].forecast
    # 10, 9, ... 5 on Jan 1..6 (each day's value holds at its end): one less a day, so
    # at the end of day 90 the line reads 11 - 90; durations stay at 0 or above.
    assert made is not None
    assert (made["method"], made["based_on_days"], made["trials"]) == ("linear_trend", 6, None)
    assert made["slope_per_day"] == pytest.approx(-1)
    assert (made["p15"], made["p50"], made["p85"]) == (0.0, 0.0, 0.0)
    assert made["probability_of_target"] == 1.0
