"""The report page: what it shows for each objective and KR, and that it stays
self-contained and escaped."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from report_data import CYCLE, demo, document, edge_cases, item, kr, objective
from report_dom import Element, parse, polyline_points

from okrsync.report import render_report


@pytest.fixture(scope="module")
def demo_html() -> str:
    doc, histories, cycles = demo()
    return render_report(doc, histories, cycles, timezone=ZoneInfo("Europe/Berlin"))


@pytest.fixture(scope="module")
def edge_html() -> str:
    doc, histories, cycles = edge_cases()
    return render_report(doc, histories, cycles, title="Edge <cases>")


def card(page: Element, kr_id: str) -> Element:
    return page.by_id(f"kr-{kr_id}")


def test_every_kr_has_a_card_with_its_title_and_status(demo_html: str) -> None:
    doc, _, _ = demo()
    page = parse(demo_html)
    assert len(page.find_all("article", "kr")) == 11
    for result in doc["key_results"]:
        element = card(page, result["id"])
        assert f"status-{result['status']}" in element.classes
        assert element.find("h3").text() == result["title"]
        assert element.find("span", "pill").text() == result["status"].replace("_", " ")


def test_numbers_units_and_progress_of_a_kr(demo_html: str) -> None:
    page = parse(demo_html)
    cycle_time = card(page, "median-cycle-time")
    assert cycle_time.find(cls="value").text() == "8.71 days"
    assert cycle_time.find(cls="range").text() == "from 6 days to 3 days"
    assert cycle_time.find(cls="down").text() == "↓ lower is better"
    one_click = card(page, "ship-one-click")
    assert one_click.find(cls="value").text() == "75.48%"
    assert one_click.find(cls="pct").text() == "75%"
    assert one_click.find(cls="exp").text() == "expected 52%"
    assert one_click.find(cls="fill").attrs["style"] == "width:75.5%"
    assert one_click.find(cls="expected-mark").attrs["style"] == "left:51.9%"
    assert "weight 2" in one_click.find("p", "meta").text()
    assert one_click.find("ul", "warnings").text().startswith("2 unestimated items")


def test_header_counts_krs_by_status_and_shows_the_as_of_time(demo_html: str) -> None:
    page = parse(demo_html)
    chips = [chip.text() for chip in page.find(cls="chips").find_all("span", "chip")]
    # From the demo's table: 6 on track, 1 at risk (points-delivered), 4 off track.
    assert chips == ["6 on track", "1 at risk", "4 off track"]
    # 16:00 UTC is 17:00 in Berlin in February.
    assert page.find("p", "asof").find("time").text() == "16 Feb 2027, 17:00 CET"
    assert page.find(cls="totals").text() == "4 objectives · 11 key results"


def test_aligned_objectives_are_nested_under_their_parent(demo_html: str) -> None:
    page = parse(demo_html)
    parent = page.by_id("obj-grow-revenue")
    for child_id in ("faster-checkout", "payments-just-work"):
        child = page.by_id(f"obj-{child_id}")
        assert parent in list(child.ancestors())
        assert "depth-1" in child.classes
    top = [s.attrs["id"] for s in page.find("main").children if "objective" in s.classes]
    assert top == ["obj-grow-revenue", "obj-engineering-health"]
    rows = page.find("section", "overview").find_all("tr")[1:]
    names = [(row.find("a").text(), row.find("td").attrs["style"]) for row in rows]
    assert names == [
        ("Grow online revenue without growing support load", "padding-left:0.6rem"),
        ("Shoppers breeze through checkout", "padding-left:2.2rem"),
        ("Payments never get in the way", "padding-left:2.2rem"),
        ("Engineering stays healthy while we ship", "padding-left:0.6rem"),
    ]


def test_a_chart_per_kr_with_every_history_point(demo_html: str) -> None:
    page = parse(demo_html)
    for element in page.find_all("article", "kr"):
        chart = element.find("svg", "chart")
        # 46 daily points from Jan 1 to Feb 15, then this run's value on Feb 16.
        assert len(polyline_points(chart.find("polyline", "series"))) == 47
        # Mondays Jan 4 … Feb 15 were recorded runs, and so is this run's point.
        assert len(chart.find_all("circle", "pt-run")) == 8
        assert len(chart.find_all("circle", "pt-backfill")) == 39
        assert len(chart.find_all("circle", "pt-now")) == 1
        assert chart.find("text", "today-label").text() == "as of Feb 16"
        ticks = [t.text() for t in chart.find_all("text", "tick") if "Jan" in t.text()]
        assert ticks == ["Jan 1"]


def test_the_page_needs_no_network(demo_html: str) -> None:
    assert "http://" not in demo_html and "https://" not in demo_html
    for fetching in ("<script", "<link", " src=", "url(", "@import", "<iframe", "<object"):
        assert fetching not in demo_html
    assert demo_html.startswith("<!DOCTYPE html>")


def test_text_from_users_and_tools_is_escaped(edge_html: str) -> None:
    assert "<script" not in edge_html
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt; &amp; more" in edge_html
    assert "<img" not in edge_html and "&lt;img src=x onerror=alert(1)&gt;" in edge_html
    assert "<b>agreed</b>" not in edge_html
    assert "<title>Edge &lt;cases&gt; · " in edge_html
    page = parse(edge_html)
    assert card(page, "hostile").find("h3").text() == "<script>alert('title')</script> & more"
    assert page.by_id("obj-team").find("h2").text().startswith("Team <objective>")


def test_a_kr_without_a_value_says_no_data(edge_html: str) -> None:
    element = card(parse(edge_html), "no-value")
    assert element.find(cls="value").text() == "no data"
    assert "no-data" in element.find(cls="value").classes
    assert element.find(cls="pct").text() == "—"
    assert not element.find(cls="bar").find_all(cls="fill")
    # The two days with a value still draw; the empty ones do not.
    assert len(polyline_points(element.find("polyline", "series"))) == 2
    assert not element.find_all("circle", "pt-now")


def test_a_kr_without_history_shows_its_one_point(edge_html: str) -> None:
    element = card(parse(edge_html), "no-history")
    assert len(element.find_all("circle", "pt-now")) == 1
    assert "status-at_risk" in element.find("circle", "pt-now").classes
    assert element.find("p", "chart-note").text() == "No history yet: only this run's value."


def test_no_value_and_no_history_shows_a_placeholder_instead_of_a_chart() -> None:
    empty = kr("empty", value=None, progress=None, status="no_data")
    html = render_report(document([objective("o", ["empty"])], [empty]), {}, {"empty": CYCLE})
    element = card(parse(html), "empty")
    assert not element.find_all("svg")
    assert element.find(cls="no-history").text().startswith("No history yet")


def test_an_override_shows_value_reason_until_and_the_computed_progress(edge_html: str) -> None:
    override = card(parse(edge_html), "overridden").find(cls="override")
    assert override.find(cls="badge").text() == "override"
    assert override.find("b").text() == "50%"
    assert "until 2027-02-20" in override.text()
    assert override.find(cls="computed").text() == "computed 100% · value 100"
    assert override.find("q").text() == "Provider fix pending <b>agreed</b> in review"


def test_a_stretch_result_fills_the_bar_and_says_how_far_past(edge_html: str) -> None:
    element = card(parse(edge_html), "stretch")
    fill = element.find(cls="fill")
    assert fill.attrs["style"] == "width:100.0%" and "beyond" in fill.classes
    assert element.find(cls="pct").text() == "130%"
    assert element.find(cls="stretch").text() == "stretch"


def test_many_items_are_cut_with_a_count_of_the_rest(edge_html: str) -> None:
    evidence = card(parse(edge_html), "hostile").find("details", "evidence")
    assert evidence.find("summary").text() == "Evidence · 80 items, 60 done"
    assert len(evidence.find("tbody").find_all("tr")) == 25
    assert evidence.find("p", "more").text() == "and 55 more"
    first = [td.text() for td in evidence.find("tbody").find("tr").find_all("td")]
    assert first == ["SHOP-0", "In Progress", "—", "0", "<img src=x onerror=alert(1)>"]
    assert [c.text() for c in evidence.find_all(cls="count")] == ["80 selected", "60 done"]


def test_a_few_items_show_without_a_remainder() -> None:
    small = kr("k", evidence={"counts": {"done": 1}, "items": [item(1), item(2, done=False)]})
    html = render_report(document([objective("o", ["k"])], [small]), {}, {})
    evidence = card(parse(html), "k").find("details", "evidence")
    assert len(evidence.find("tbody").find_all("tr")) == 2
    assert not evidence.find_all("p", "more")
    assert evidence.find("summary").text() == "Evidence · 2 items, 1 done"


def test_long_titles_keep_their_full_text(edge_html: str) -> None:
    element = card(parse(edge_html), "long-title").find("h3")
    assert element.text().count("twelve markets") == 2
    assert element.attrs["title"] == element.text()


def test_a_kr_no_objective_lists_is_still_shown() -> None:
    stray = kr("stray")
    html = render_report(document([objective("o", [])], [stray]), {}, {})
    section = parse(html).by_id("obj-none")
    assert section.find("article", "kr").attrs["id"] == "kr-stray"


def test_objective_scores_statuses_and_expected_marks(edge_html: str) -> None:
    page = parse(edge_html)
    company = page.by_id("obj-company")
    assert "status-at_risk" in company.classes
    head = company.find(cls="obj-head")
    assert head.find(cls="score").text() == "45%"
    assert company.find(cls="expected-mark").attrs["style"] == "left:50.0%"
    assert company.find("p", "empty").text().startswith("No key results of its own")


def test_status_colours_are_defined_for_every_status(demo_html: str) -> None:
    style = parse(demo_html).find("style").text()
    for status in ("on_track", "at_risk", "off_track", "closed", "not_started", "no_data"):
        assert re.search(rf"\.status-{status}\b[^{{]*\{{[^}}]*--st:", style), status
    assert "@media print" in style
