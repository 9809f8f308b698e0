"""The forecast as people read it: the comment's line and the table's cell."""

from __future__ import annotations

from typing import Any

from okrsync.cli.tables import forecast_cell, legend_lines
from okrsync.summary import forecast_line

MADE: dict[str, Any] = {
    "p15": 61.6,
    "p50": 68.0,
    "p85": 74.4,
    "probability_of_target": 0.2204,
    "method": "monte_carlo_throughput",
    "status": "unlikely",
}


def test_the_pushed_line_reads_as_the_contract_says() -> None:
    assert forecast_line(MADE, "%") == (
        "Forecast: likely to end at 62–74%, 22% chance of reaching the target — "
        "unlikely to reach it"
    )


def test_an_agreeing_band_is_one_value_with_its_unit() -> None:
    steady = {**MADE, "p15": 4.0, "p50": 4.0, "p85": 4.0, "probability_of_target": None}
    assert forecast_line({**steady, "status": None}, "items") == (
        "Forecast: likely to end at 4 items"
    )
    assert forecast_cell({**steady, "status": None}, "items").plain == "4"


def test_too_little_history_says_why() -> None:
    short = {"p50": None, "method": "insufficient_history", "reason": "only 2 whole days"}
    assert forecast_line(short) == "Forecast: not made yet — only 2 whole days"
    assert forecast_cell(short, "%").plain == "—"


def test_an_ended_cycle_has_no_forecast_line() -> None:
    assert forecast_line({"p50": None, "method": "cycle_ended"}) is None
    assert forecast_line(None) is None


def test_the_cell_is_the_chance_coloured_by_the_forecast_status() -> None:
    cell = forecast_cell(MADE, "%")
    assert (cell.plain, str(cell.style)) == ("22%", "red")


def test_narrow_tables_list_the_chances_under_the_table() -> None:
    document = {
        "key_results": [
            {"id": "a", "forecast": MADE},
            {"id": "b", "forecast": {"p50": None}},
            {"id": "c", "forecast": None},
        ]
    }
    narrow = legend_lines(document, "okrsync explain KR", width=80)
    assert "chance of reaching the target by the cycle's end: a 22%" in narrow
    wide = legend_lines(document, "okrsync explain KR", width=120)
    assert "forecast: the chance of reaching the target by the cycle's end" in wide
