"""The report's inputs from a real project (the example mappings) and a SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from report_data import AS_OF, document, kr, objective
from report_dom import parse, polyline_points

from okrsync.project import Project, load_project
from okrsync.report import build_report, kr_cycles, kr_histories
from okrsync.store import Store

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("REPORT_TEST_TOKEN", "not-used")
    config = tmp_path / "okrsync.yaml"
    config.write_text(
        f"database: sqlite:///{tmp_path / 'okrsync.db'}\n"
        f"mappings: [{MAPPINGS / 'checkout.yaml'}, {MAPPINGS / 'company.yaml'}, "
        f"{MAPPINGS / 'payments.yaml'}]\n"
        "timezone: Europe/Berlin\n"
        "connectors:\n"
        "  jira:\n"
        "    type: jira\n"
        "    url: http://127.0.0.1:9\n"
        "    email: bot@example.com\n"
        "    token: ${REPORT_TEST_TOKEN}\n"
    )
    return load_project(str(config))


@pytest.fixture
def store(project: Project) -> Iterator[Store]:
    opened = Store.open(project.database_url)
    yield opened
    opened.close()


def at(day: int, month: int = 1) -> datetime:
    return datetime(2027, month, day, 6, tzinfo=UTC)


def record_history(store: Store) -> None:
    """A run on Feb 1, and back-filled points on Jan 5, 6 and 7."""
    run = store.start_run("sync", at(1, 2))
    store.record_results(run, at(1, 2), [kr("ship-one-click", value=40.0)], [])
    store.record_backfill(
        "ship-one-click", [(at(day), kr("ship-one-click", value=float(day))) for day in (5, 6, 7)]
    )


def test_cycles_are_the_kr_cycles_in_the_project_time_zone(project: Project) -> None:
    cycles = kr_cycles(project)
    # 2027-Q1 in Berlin: midnight Jan 1 (CET, UTC+1) to midnight Apr 1 (CEST, UTC+2).
    assert cycles["ship-one-click"] == (
        datetime(2026, 12, 31, 23, tzinfo=UTC),
        datetime(2027, 3, 31, 22, tzinfo=UTC),
    )
    assert set(cycles) == {ref.id for ref in project.key_results()}


def test_histories_hold_runs_and_back_filled_points(project: Project, store: Store) -> None:
    record_history(store)
    histories = kr_histories(project, store)
    points = histories["ship-one-click"]
    assert [(p["as_of"].day, p["value"], p["backfilled"]) for p in points] == [
        (5, 5.0, True),
        (6, 6.0, True),
        (7, 7.0, True),
        (1, 40.0, False),
    ]
    assert histories["median-cycle-time"] == []


def test_build_report_draws_the_stored_history(project: Project, store: Store) -> None:
    record_history(store)
    current = kr("ship-one-click", objective="faster-checkout", value=60.0, unit="%")
    doc = document([objective("faster-checkout", ["ship-one-click"])], [current])
    page = parse(build_report(project, store, doc, title="Checkout"))
    chart = page.by_id("kr-ship-one-click").find("svg", "chart")
    # Three back-filled days, the Feb 1 run, and this report's value on Feb 15.
    assert len(polyline_points(chart.find("polyline", "series"))) == 5
    assert len(chart.find_all("circle", "pt-backfill")) == 3
    assert len(chart.find_all("circle", "pt-run")) == 2
    # AS_OF is 12:00 UTC: 13:00 in Berlin.
    assert page.find("time").text() == f"{AS_OF.day} Feb 2027, 13:00 CET"
