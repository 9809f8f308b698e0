"""The report's forecast on each KR card: the line, its colour and its basis."""

from __future__ import annotations

from report_data import document, kr, objective
from report_dom import parse

from okrsync.report import render_report

SIMULATED = {
    "p15": 6.0,
    "p50": 8.0,
    "p85": 9.0,
    "probability_of_target": 0.1,
    "method": "monte_carlo_throughput",
    "based_on_days": 46,
    "trials": 10_000,
    "status": "unlikely",
    "seed": 3,
    "based_on": {"from": "2027-01-01", "to": "2027-02-15"},
}
SHORT = {"p50": None, "method": "insufficient_history", "reason": "only 2 whole days"}


def page_of(*krs: dict) -> str:
    ids = [k["id"] for k in krs]
    return render_report(document([objective("obj", ids)], list(krs)), {}, {})


def test_a_card_shows_where_the_kr_will_land_and_from_what() -> None:
    page = parse(page_of(kr("sim", forecast=SIMULATED), kr("short", forecast=SHORT)))
    made = page.by_id("kr-sim").find("div", "forecast")
    assert "forecast-unlikely" in made.classes
    assert made.find("b").text() == (
        "Forecast: likely to end at 6–9 items, 10% chance of reaching the target — "
        "unlikely to reach it"
    )
    assert made.find("span", "how").text() == (
        "Monte-Carlo, 10,000 trials (seed 3) over 46 whole days, 2027-01-01 to 2027-02-15"
    )
    short = page.by_id("kr-short").find("div", "forecast")
    assert short.text() == "Forecast: not made yet — only 2 whole days"


def test_a_card_without_a_forecast_has_none() -> None:
    page = parse(page_of(kr("plain")))
    assert page.by_id("kr-plain").find_all("div", "forecast") == []
