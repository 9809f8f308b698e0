"""Trend charts, their axes, and the alignment tree, checked against coordinates worked
out by hand. The plot area runs x 52…464 and y 214 (bottom) … 28 (top)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from report_data import AS_OF, CYCLE, daily, edge_cases, kr, objective
from report_dom import Element, parse, polyline_points

from okrsync.report._axes import date_ticks, value_range, value_ticks
from okrsync.report._chart import series, trend_chart
from okrsync.report._tree import alignment_tree, walk


def chart_of(kr_id: str) -> Element:
    doc, histories, cycles = edge_cases()
    result = next(k for k in doc["key_results"] if k["id"] == kr_id)
    svg = trend_chart(result, histories.get(kr_id, []), cycles[kr_id], AS_OF, UTC)
    return parse(svg).find("svg", "chart")


def test_a_downward_kr_draws_its_expected_line_from_baseline_down_to_target() -> None:
    chart = chart_of("cycle-time")
    # Values 6 … 3.8 and 4.5, baseline 6, target 3: the y range is 3 - 0.24 … 6 + 0.24.
    # y(6) = 214 - (3.24 / 3.48) * 186 = 40.8; y(3) = 214 - (0.24 / 3.48) * 186 = 201.2.
    assert polyline_points(chart.find("polyline", "expected")) == [(52.0, 40.8), (464.0, 201.2)]
    target = chart.find("line", "target")
    assert (target.attrs["y1"], target.attrs["y2"]) == ("201.2", "201.2")
    assert chart.find("text", "target-label").text() == "target 3"
    assert chart.find("text", "axis-unit").text() == "days"


def test_the_as_of_marker_sits_at_the_elapsed_share_of_the_cycle() -> None:
    today = chart_of("cycle-time").find("line", "today")
    # Feb 15 12:00 is 45.5 of the cycle's 90 days: 52 + 412 * 45.5 / 90 = 260.3.
    assert today.attrs["x1"] == today.attrs["x2"] == "260.3"


def test_recorded_and_back_filled_points_are_drawn_apart() -> None:
    chart = chart_of("stretch")
    # 45 daily points and this run's value; days 0, 7, … 42 were runs.
    assert len(polyline_points(chart.find("polyline", "series"))) == 46
    assert len(chart.find_all("circle", "pt-run")) == 7 + 1
    assert len(chart.find_all("circle", "pt-backfill")) == 38
    assert chart.find("circle", "pt-backfill").attrs["r"] == "2.6"
    assert chart.find("circle", "pt-run").attrs["r"] == "4.0"
    first = chart.find("circle", "pt-run").find("title").text()
    assert first == "Jan 1: 0 items (recorded run)"


def test_a_day_without_a_value_breaks_the_line() -> None:
    lines = chart_of("gappy").find_all("polyline", "series")
    # [1, 2], gap, [3, 4, 5] and this run's 5.
    assert [len(polyline_points(line)) for line in lines] == [2, 4]


def test_a_point_at_the_reports_own_time_is_not_drawn_twice() -> None:
    history = daily([1.0, 2.0])
    history[-1]["as_of"] = AS_OF
    svg = trend_chart(kr("k", value=2.0), history, CYCLE, AS_OF, UTC)
    chart = parse(svg).find("svg", "chart")
    assert len(polyline_points(chart.find("polyline", "series"))) == 2
    now = chart.find("circle", "pt-now")
    assert now.attrs["cx"] == "260.3"


def test_a_kr_without_a_target_has_no_plan_lines() -> None:
    result = kr("k", target=None, progress=None)
    chart = parse(trend_chart(result, daily([1.0, 2.0]), CYCLE, AS_OF, UTC)).find("svg")
    assert not chart.find_all("polyline", "expected")
    assert not chart.find_all("line", "target")


def test_without_a_cycle_the_time_axis_spans_the_points() -> None:
    history = daily([1.0, 2.0, 3.0])
    chart = parse(trend_chart(kr("k"), history, None, AS_OF, UTC)).find("svg")
    points = polyline_points(chart.find("polyline", "series"))
    assert points[0][0] == 52.0 and points[-1][0] == 464.0
    assert not chart.find_all("polyline", "expected")


def test_percent_ticks_carry_the_sign_and_counts_stay_whole() -> None:
    result = kr("k", unit="%", value=40.0, target=100.0)
    chart = parse(trend_chart(result, daily([10.0, 40.0]), CYCLE, AS_OF, UTC)).find("svg")
    values = [t.text() for t in chart.find_all("text", "tick") if "%" in t.text()]
    assert values == ["0%", "25%", "50%", "75%", "100%"]
    assert not chart.find_all("text", "axis-unit")


@pytest.mark.parametrize(
    ("low", "high", "integral", "expected"),
    [
        (0, 10.8, False, [0, 2.5, 5, 7.5, 10]),
        (0, 10.8, True, [0, 5, 10]),
        (0, 1.16, True, [0, 1]),
        (2.6, 14.2, False, [5, 7.5, 10, 12.5]),
        (-3, 7, False, [-2, 0, 2, 4, 6]),
    ],
)
def test_value_ticks_are_round(
    low: float, high: float, integral: bool, expected: list[float]
) -> None:
    assert value_ticks(low, high, integral=integral) == expected


def test_value_range_starts_at_zero_when_zero_is_near() -> None:
    assert value_range([2.0, 10.0]) == (0.0, 10.8)
    low, high = value_range([95.0, 100.0])
    assert (round(low, 2), round(high, 2)) == (94.6, 100.4)
    assert value_range([]) == (0.0, 1.0)
    assert value_range([0.0]) == (0.0, 1.0)
    assert value_range([4.0]) == (3.6, 4.4)


def test_date_ticks_are_months_for_a_quarter_and_mondays_for_a_sprint() -> None:
    assert [t.date().isoformat() for t in date_ticks(*CYCLE)] == [
        "2027-01-01",
        "2027-02-01",
        "2027-03-01",
        "2027-04-01",
    ]
    start = datetime(2027, 1, 6, tzinfo=UTC)  # a Wednesday
    ticks = date_ticks(start, start + timedelta(days=14))
    assert [t.date().isoformat() for t in ticks] == ["2027-01-11", "2027-01-18"]


def test_the_alignment_tree_nests_children_and_survives_a_loop() -> None:
    objectives = [
        objective("child", [], aligns_to="root"),
        objective("root", [], aligned=["child"]),
        objective("grandchild", [], aligns_to="child"),
        objective("orphan", [], aligns_to="missing"),
        objective("a", [], aligns_to="b"),
        objective("b", [], aligns_to="a"),
    ]
    shape = [(node.objective["id"], depth) for node, depth in walk(alignment_tree(objectives))]
    assert shape == [
        ("root", 0),
        ("child", 1),
        ("grandchild", 2),
        ("orphan", 0),
        ("a", 0),
        ("b", 1),
    ]


def test_a_report_never_plots_points_after_its_own_instant() -> None:
    start = datetime(2027, 1, 1, tzinfo=UTC)
    history = [
        {"as_of": start + timedelta(days=day), "value": float(day), "backfilled": True}
        for day in range(10)
    ]
    instant = start + timedelta(days=4, hours=12)
    points = series({"value": 4.5}, history, instant)
    # Days 0..4 recorded, then the report's own value at its instant; days 5..9 are later.
    assert [p.value for p in points] == [0.0, 1.0, 2.0, 3.0, 4.0, 4.5]
    assert max(p.moment for p in points) == instant
