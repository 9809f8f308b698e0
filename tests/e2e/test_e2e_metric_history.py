"""Outcome metrics are kept as a series: every pull records what the source answers, and
any instant is evaluated from the store, with the source unreachable."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import time_machine
from e2e_harness import Workspace

from tests.table_text import table_rows

MAPPING = (Path(__file__).parents[1] / "data" / "conversion_kr.yaml").read_text()
FIRST_PULL = datetime(2027, 2, 10, 12, 0, tzinfo=UTC)
SECOND_PULL = datetime(2027, 2, 14, 12, 0, tzinfo=UTC)


class Analytics:
    """A loopback metrics endpoint whose answer the test changes between pulls."""

    def __init__(self) -> None:
        self.rate = 2.3
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                body = json.dumps({"data": {"conversion_rate": outer.rate}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test output stays readable."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/metrics.json"

    def __enter__(self) -> Analytics:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def analytics() -> Iterator[Analytics]:
    with Analytics() as server:
        yield server


def metric_workspace(folder: Path, metrics_url: str) -> Workspace:
    # Jira is configured but never used: nothing selects from it or pushes to it.
    workspace = Workspace(folder, "http://127.0.0.1:9")
    workspace.use_mapping("outcomes.yaml", MAPPING)
    workspace.write_config(
        extra=(
            "  analytics:\n"
            "    type: http_json\n"
            f"    url: {metrics_url}\n"
            "    metrics:\n"
            "      checkout_conversion: /data/conversion_rate\n"
        )
    )
    return workspace


def conversion(workspace: Workspace, *args: str) -> dict[str, Any]:
    outcome = workspace.run("plan", "--no-pull", "--json", *args)
    assert outcome.exit_code == 0, outcome  # nothing is pushed anywhere
    (kr,) = outcome.json["key_results"]
    assert isinstance(kr, dict)
    return kr


def test_each_pull_records_a_value_and_plans_read_the_one_of_their_instant(
    tmp_path: Path, analytics: Analytics
) -> None:
    workspace = metric_workspace(tmp_path, analytics.url)
    with time_machine.travel(FIRST_PULL, tick=True):
        never = conversion(workspace)
        assert never["value"] is None and never["status"] == "no_data"
        assert never["warnings"] == [
            "no value of metric 'checkout_conversion' from source 'analytics' recorded yet: "
            "run okrsync pull"
        ]
        assert analytics.requests == 0  # --no-pull reads no metric either

        first = workspace.run("pull")
        assert first.exit_code == 0, first
        assert first.stdout.strip() == "recorded 1 metric value"
    analytics.rate = 2.55
    with time_machine.travel(SECOND_PULL, tick=True):
        second = workspace.run("pull")
        assert second.exit_code == 0, second
        assert analytics.requests == 2

        rows = workspace.sql("SELECT source, name, at, value FROM metric_values ORDER BY at")
        assert [(s, n, v) for s, n, _, v in rows] == [
            ("analytics", "checkout_conversion", 2.3),
            ("analytics", "checkout_conversion", 2.55),
        ]
        assert rows[0][2].startswith("2027-02-10 12:00:0")
        assert rows[1][2].startswith("2027-02-14 12:00:0")

        # Now: the latest value. (2.55 - 2.1) / (3.0 - 2.1) = 0.5
        latest = conversion(workspace)
        assert (latest["value"], latest["progress"]) == (2.55, pytest.approx(0.5))
        assert latest["warnings"] == []
        # Between the two pulls: the older value. (2.3 - 2.1) / 0.9 = 0.2222
        between = conversion(workspace, "--as-of", "2027-02-12")
        assert (between["value"], between["progress"]) == (2.3, pytest.approx(0.2 / 0.9))
        # Before the first pull: no value, and why.
        before = conversion(workspace, "--as-of", "2027-02-09")
        assert before["value"] is None
        assert before["warnings"] == [
            "no value of metric 'checkout_conversion' from source 'analytics' recorded at or "
            "before this instant: the first was recorded at 2027-02-10 12:00 UTC"
        ]
        assert analytics.requests == 2  # none of these plans asked the source


def test_explain_report_status_and_backfill_need_no_source(
    tmp_path: Path, analytics: Analytics
) -> None:
    workspace = metric_workspace(tmp_path, analytics.url)
    with time_machine.travel(FIRST_PULL, tick=True):
        assert workspace.run("pull").exit_code == 0
    analytics.rate = 2.55
    with time_machine.travel(SECOND_PULL, tick=True):
        synced = workspace.run("sync")
        assert synced.exit_code == 0, synced
        asked = analytics.requests
        assert asked == 2
        # The source goes away: everything below reads the store.
        workspace.write_config(
            extra=(
                "  analytics:\n"
                "    type: http_json\n"
                "    url: http://127.0.0.1:9/metrics.json\n"
                "    metrics:\n"
                "      checkout_conversion: /data/conversion_rate\n"
            )
        )

        explained = workspace.run("explain", "conversion", "--as-of", "2027-02-12")
        assert explained.exit_code == 0, explained
        assert "progress = (value 2.3 − baseline 2.1) / (target 3 − baseline 2.1) = 0.2222" in (
            explained.stdout
        )
        status = workspace.run("status", "--json")
        assert status.exit_code == 0, status
        assert status.json["key_results"][0]["value"] == 2.55

        report = tmp_path / "report.html"
        written = workspace.run("report", "--out", str(report), "--as-of", "2027-02-12")
        assert written.exit_code == 0, written
        assert report.is_file() and "Checkout conversion from 2.1% to 3%" in report.read_text()

        # The series allows a back-fill: from the first day that ended after the first
        # value (Feb 10, at midnight in Berlin: 23:00 UTC) to Feb 13, then now.
        filled = workspace.run("backfill", "conversion")
        assert filled.exit_code == 0, filled
        (row,) = table_rows(filled.stdout, "key result")[1:]
        assert row[:3] == ["conversion", "5", "2027-02-11 00:00"]  # midnight in Berlin
        points = workspace.sql(
            "SELECT substr(as_of, 1, 16), value FROM kr_results WHERE backfilled ORDER BY as_of"
        )
        assert points == [
            ("2027-02-10 23:00", 2.3),
            ("2027-02-11 23:00", 2.3),
            ("2027-02-12 23:00", 2.3),
            ("2027-02-13 23:00", 2.3),
            (points[-1][0], 2.55),
        ]
        assert points[-1][0].startswith("2027-02-14 12:0")
        assert analytics.requests == asked
