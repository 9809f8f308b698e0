"""The forecast band and a plan's cycles on a KR's trend chart, checked against
coordinates worked out by hand. The plot area runs x 52…464 and y 214 (bottom) … 28
(top); y(v) = 214 - (v - low) / (high - low) * 186."""

from __future__ import annotations

from datetime import UTC, datetime

from report_data import AS_OF, CYCLE, daily, document, kr, objective
from report_dom import parse, polyline_points

from okrsync.report import render_report
from okrsync.report._chart import trend_chart

FORECAST = {
    "p15": 7.0,
    "p50": 9.5,
    "p85": 12.0,
    "probability_of_target": 0.6,
    "method": "monte_carlo_throughput",
    "based_on_days": 45,
    "trials": 10_000,
    "status": "likely",
    "seed": 0,
    "based_on": {"from": "2027-01-01", "to": "2027-02-14"},
}


def test_the_band_runs_from_the_value_now_to_the_forecast_at_the_cycle_end() -> None:
    result = kr("k", value=5.0, forecast=FORECAST)
    svg = trend_chart(result, daily([2.0, 4.0]), CYCLE, AS_OF, UTC)
    chart = parse(svg).find("svg", "chart")
    # Values 0 … 12 (P85 above the target 10): the range is 0 … 12 + 0.96 = 12.96.
    # Now is Feb 15 12:00, 45.5 of the cycle's 90 days: x = 52 + 412 * 45.5 / 90 = 260.3;
    # the cycle ends at x 464. y(5) = 214 - 5 / 12.96 * 186 = 142.2, y(12) = 41.8,
    # y(7) = 113.5, y(9.5) = 77.7.
    band = polyline_points(chart.find("polygon", "forecast-band"))
    assert band == [(260.3, 142.2), (464.0, 41.8), (464.0, 113.5)]
    assert polyline_points(chart.find("polyline", "forecast-p50")) == [
        (260.3, 142.2),
        (464.0, 77.7),
    ]
    # Read back through the axis, the band's ends are the forecast's P85 and P15.
    low, high = 0.0, 12.96
    ends = [low + (214 - y) / 186 * (high - low) for _, y in band[1:]]
    assert [round(v, 1) for v in ends] == [FORECAST["p85"], FORECAST["p15"]]
    title = chart.find("polygon", "forecast-band").find("title").text()
    assert title == "forecast at the cycle's end: P15 7 items, P50 9.5 items, P85 12 items"


def test_the_legend_names_the_band_only_where_there_is_one() -> None:
    page = parse(
        render_report(
            document(
                [objective("obj", ["with", "without"])],
                [kr("with", forecast=FORECAST), kr("without")],
            ),
            {},
            {"with": CYCLE, "without": CYCLE},
        )
    )
    assert "forecast P15–P85" in page.by_id("kr-with").find("figcaption", "legend").text()
    assert "forecast" not in page.by_id("kr-without").find("figcaption", "legend").text()


def test_no_band_without_forecast_numbers_or_after_the_cycle() -> None:
    short = kr("k", forecast={"p50": None, "method": "insufficient_history"})
    chart = parse(trend_chart(short, daily([1.0]), CYCLE, AS_OF, UTC)).find("svg")
    assert chart.find_all("polygon", "forecast-band") == []
    after = datetime(2027, 4, 2, tzinfo=UTC)
    chart = parse(trend_chart(kr("k", forecast=FORECAST), [], CYCLE, after, UTC)).find("svg")
    assert chart.find_all("polygon", "forecast-band") == []


PLAN = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 7, 1, tzinfo=UTC))
CYCLES = [
    {"cycle": "2027-Q1", "start": "2027-01-01", "end": "2027-03-31", "target": 4.5},
    {"cycle": "2027-Q2", "start": "2027-04-01", "end": "2027-06-30", "target": 10.0},
]


def test_a_plan_marks_where_each_cycle_ends_and_its_target() -> None:
    result = kr("k", cycle="2027-H1", cycles=CYCLES)
    chart = parse(trend_chart(result, [], PLAN, AS_OF, UTC)).find("svg", "chart")
    # H1 is 181 days; Q1 ends after 90: x = 52 + 412 * 90 / 181 = 256.9. Values 0 … 10:
    # the range is 0 … 10.8, y(4.5) = 214 - 4.5 / 10.8 * 186 = 136.5, y(10) = 41.8.
    (boundary,) = chart.find_all("line", "cycle-boundary")
    assert boundary.attrs["x1"] == boundary.attrs["x2"] == "256.9"
    targets = [
        (line.attrs["data-cycle"], line.attrs["x1"], line.attrs["x2"], line.attrs["y1"])
        for line in chart.find_all("line", "cycle-target")
    ]
    assert targets == [
        ("2027-Q1", "52.0", "256.9", "136.5"),
        ("2027-Q2", "256.9", "464.0", "41.8"),
    ]
    assert [t.text() for t in chart.find_all("text", "cycle-label")] == ["2027-Q1", "2027-Q2"]
