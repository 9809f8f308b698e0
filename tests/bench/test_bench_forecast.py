"""The forecast case of the benchmark: its made-up KRs, its timing and its section of
RESULTS.md."""

from __future__ import annotations

from bench.forecast import (
    ForecastTiming,
    forecast_section,
    made_up_cases,
    time_forecasts,
    with_section,
)


def test_made_up_krs_spread_over_the_shapes_asked_for() -> None:
    cases = made_up_cases(20, shapes=4)
    shapes = {(len(c.history.days), c.history.days_left) for c in cases}
    assert shapes == {(46, 44), (45, 45), (44, 46), (43, 47)}
    assert {c.measure for c in cases} == {"completion", "done", "count", "scope_added"}


def test_a_small_timing_reports_what_it_ran() -> None:
    timing = time_forecasts("small", krs=8, shapes=2, trials=200, repeats=1)
    assert (timing.krs, timing.trials, timing.groups) == (8, 200, 2)
    assert timing.seconds > 0


def test_the_section_replaces_its_earlier_self_only() -> None:
    timing = ForecastTiming("500 KRs of one cycle", 500, 10_000, 1, 0.1234, 0.1)
    section = forecast_section([timing], "python -m bench --forecast-only", ["Date: today"])
    assert "| 500 KRs of one cycle | 500 | 10,000 | 500 KRs | 0.123 s | 0.100 s | met |" in section
    results = "# okrsync pull benchmark\n\n## Goals\n\ngoals\n"
    once = with_section(results, section)
    assert once == results.rstrip("\n") + "\n\n" + section
    slower = forecast_section([ForecastTiming("x", 500, 10_000, 1, 0.9)], "cmd", [])
    twice = with_section(once + "\n## Later\n\nmore\n", slower)
    assert twice.count("## Forecasts") == 1
    assert "| x | 500 | 10,000 | 500 KRs | 0.900 s | 0.000 s | not met |" in twice
    assert twice.endswith("\n## Later\n\nmore\n") and twice.startswith(results.rstrip("\n"))
