"""One bad KR does not stop the others: a query Jira rejects, a push issue that does
not exist, a metric source that is down fail that KR alone. The other KRs are pulled,
scored, recorded and pushed; the run is recorded as partial and exits 1, with one
located line per failed KR; ``status`` shows each failed KR's last good value, stale."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from e2e_harness import SEARCH, Workspace, json_server, writes_of
from okrsync_sandbox import SandboxServer

from tests.table_text import table_rows

MAPPING = """\
version: 1
cycle: 2027-Q1
defaults: {source: jira}
objectives:
  - id: faster-checkout
    title: Shoppers breeze through checkout
    key_results:
      - id: ship-one-click
        title: Ship one-click checkout
        select: {query: parent = SHOP-100}
        measure: completion
        push: [{to: jira, issue: OKR-12, field: KR Progress}]
      - id: shop-items
        title: SHOP tracks 30 items
        select: {query: project = SHOP}
        measure: count
        target: 30
        push: [{to: jira, issue: OKR-9, field: {name: KR Progress, value: current}}]
      - id: one-click-done
        title: Ten one-click items done
        select: {query: parent = SHOP-100}
        measure: done
        target: 10
        push: [{to: jira, issue: OKR-5, comment: true}]
"""
# shop-items' query typed wrong (line 15, the query at column 25), and one-click-done
# pushing to an issue that does not exist (line 24, the issue at column 34).
BROKEN = MAPPING.replace("project = SHOP}", "project = = SHOP}").replace("OKR-5", "OKR-999")
FIELD = "customfield_10100"  # KR Progress


def runs_json(workspace: Workspace) -> list[dict[str, Any]]:
    listed = workspace.run("runs", "--json")
    assert listed.exit_code == 0, listed
    runs: list[dict[str, Any]] = listed.json["runs"]
    return runs


def by_id(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {entry["id"]: entry for entry in entries}


def test_a_rejected_query_and_a_missing_issue_fail_their_krs_alone(
    fresh: Workspace, fresh_site: SandboxServer
) -> None:
    path = fresh.use_mapping("checkout.yaml", MAPPING)
    first = fresh.run("sync")
    assert first.exit_code == 0, first
    # 7 of 9 one-click items done: 77.8%; SHOP has 17 items; 7 done of a target of 10.
    assert fresh_site.state.get("OKR-12").custom[FIELD] == 77.8
    assert fresh_site.state.get("OKR-9").custom[FIELD] == 17.0

    # SHOP-113 is done now (8 of 9: 88.9%), and the mapping breaks in two places.
    fresh_site.state.transition("SHOP-113", "Done")
    fresh.use_mapping("checkout.yaml", BROKEN)
    fresh_site.reset_log()

    second = fresh.run("sync")

    assert second.exit_code == 1, second
    query_line, push_line, summary = second.stderr.splitlines()
    assert query_line.startswith(
        f"{path}:15:25: error: KR shop-items: jira: Jira rejected the query: "
    ), second
    assert push_line.startswith(f"{path}:24:34: error: KR one-click-done: jira: "), second
    assert "OKR-999" in push_line
    assert summary.startswith("run 2 (sync) is partial: 2 key results failed"), second
    assert "1 write made" in second.stdout
    # The good KR was pulled, scored and pushed; nothing went to the failed KRs' issues.
    assert writes_of(fresh_site) == [("PUT", "/rest/api/3/issue/OKR-12")]
    assert fresh_site.state.get("OKR-12").custom[FIELD] == 88.9
    assert fresh.sql("SELECT run_id, kr_id, target FROM writes ORDER BY id") == [
        (1, "ship-one-click", "OKR-12"),
        (1, "shop-items", "OKR-9"),
        (1, "one-click-done", "OKR-5"),
        (2, "ship-one-click", "OKR-12"),
    ]
    # Run 2 recorded the good KR's result only, and its objective scored without the
    # failed KRs: 8/9 alone (run 1 had (7/9 + 17/30 + 7/10) / 3).
    assert fresh.sql("SELECT kr_id FROM kr_results WHERE run_id = 2") == [("ship-one-click",)]
    ((objective_progress,),) = fresh.sql(
        "SELECT json_extract(data, '$.progress') FROM objective_results WHERE run_id = 2"
    )
    assert objective_progress == pytest.approx(8 / 9)

    latest, earlier = runs_json(fresh)[:2]
    assert (latest["id"], latest["status"], latest["writes"]) == (2, "partial", 1)
    assert latest["errors"] == [query_line, push_line]
    assert [f["kr"] for f in latest["pulled"]["failures"]] == ["shop-items", "one-click-done"]
    assert (earlier["id"], earlier["status"]) == (1, "ok")

    status = fresh.run("status", "--json")
    assert status.exit_code == 0, status
    krs = by_id(status.json["key_results"])
    assert (krs["ship-one-click"]["value"], "stale" in krs["ship-one-click"]) == (
        pytest.approx(800 / 9),
        False,
    )
    # The failed KRs show their last good values, of run 1, marked stale.
    assert (krs["shop-items"]["value"], krs["shop-items"]["stale"]) == (17, True)
    assert krs["shop-items"]["failure"] == {
        "error": query_line.split("error: KR shop-items: ", 1)[1],
        "where": f"{path}:15:25",
        "run": 2,
    }
    assert (krs["one-click-done"]["value"], krs["one-click-done"]["stale"]) == (7, True)
    assert krs["one-click-done"]["failure"]["where"] == f"{path}:24:34"
    # The table marks them, and says why, at 80 columns.
    table = fresh.run("status", env={"COLUMNS": "80"})
    names = [row[0].strip() for row in table_rows(table.stdout, "objective")[1:]]
    assert "shop-items (stale) ⚠3" in names and "one-click-done (stale) ⚠3" in names, table
    assert "stale: shop-items shows its last good value; run 2 failed it at" in table.stdout
    (objective,) = status.json["objectives"]
    assert objective["failed_key_results"] == ["shop-items", "one-click-done"]
    assert objective["key_results"] == ["ship-one-click", "shop-items", "one-click-done"]

    # plan --json lists the failures beside the results of the KRs that worked.
    planned = fresh.run("plan", "--json")
    assert planned.exit_code == 1, planned
    assert [k["id"] for k in planned.json["key_results"]] == ["ship-one-click"]
    assert [(f["kr"], f["where"]) for f in planned.json["failures"]] == [
        ("shop-items", f"{path}:15:25"),
        ("one-click-done", f"{path}:24:34"),
    ]

    # Fixed, the next run is whole again and the failed KRs are current.
    fresh.use_mapping("checkout.yaml", MAPPING)
    fixed = fresh.run("sync")
    assert fixed.exit_code == 0, fixed
    assert runs_json(fresh)[0]["status"] == "ok"
    healed = by_id(fresh.run("status", "--json").json["key_results"])
    assert not any("stale" in kr for kr in healed.values())
    assert healed["one-click-done"]["value"] == 8


def test_a_site_down_for_every_query_still_fails_the_run(
    fresh: Workspace, fresh_site: SandboxServer
) -> None:
    fresh.use_mapping("checkout.yaml", MAPPING)
    fresh_site.faults.server_error(SEARCH, times=1000)

    failed = fresh.run("sync")

    assert failed.exit_code == 1, failed
    error, summary = failed.stderr.splitlines()
    assert error.startswith("error: jira: Jira answered 503 to POST /rest/api/3/search/jql")
    assert summary == (
        "run 1 (sync) failed while pulling: 0 of 2 queries stored "
        "(not stored: jira: parent = SHOP-100, jira: project = SHOP); no write made"
    )
    assert fresh_site.writes == []
    assert runs_json(fresh)[0]["status"] == "failed"


# --- a metric source that is down -------------------------------------------------------

# The shared conversion KR (its metric on line 10, at column 27), and a Jira KR beside it.
OUTCOMES = (
    (Path(__file__).parents[1] / "data" / "conversion_kr.yaml").read_text()
    + """\
      - id: ship-one-click
        title: Ship one-click checkout
        select: {query: parent = SHOP-100, source: jira}
        measure: completion
        push: [{to: jira, issue: OKR-12, field: KR Progress}]
"""
)


def analytics(url: str) -> str:
    return (
        "  analytics:\n"
        "    type: http_json\n"
        f"    url: {url}\n"
        "    metrics:\n"
        "      checkout_conversion: /data/conversion_rate\n"
    )


@contextmanager
def unavailable() -> Iterator[str]:
    """A metrics endpoint that answers 503 to everything."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test output stays readable."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/metrics.json"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def refusing() -> Iterator[str]:
    """A metrics URL whose port nothing listens on: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield f"http://127.0.0.1:{port}/metrics.json"


@pytest.fixture(params=["503", "refused"])
def down(request: pytest.FixtureRequest) -> Iterator[str]:
    with unavailable() if request.param == "503" else refusing() as url:
        yield url


def test_a_metric_source_that_is_down_fails_only_its_kr(
    fresh: Workspace, fresh_site: SandboxServer, down: str
) -> None:
    path = fresh.use_mapping("outcomes.yaml", OUTCOMES)
    with json_server({"data": {"conversion_rate": 2.55}}) as up:
        fresh.write_config(extra=analytics(up))
        first = fresh.run("sync")
    assert first.exit_code == 0, first
    fresh.write_config(extra=analytics(down))
    fresh_site.state.transition("SHOP-113", "Done")
    fresh_site.reset_log()

    second = fresh.run("sync")

    assert second.exit_code == 1, second
    failure, summary = second.stderr.splitlines()
    assert failure.startswith(f"{path}:10:27: error: KR conversion: analytics: "), second
    assert summary.startswith("run 2 (sync) is partial: 1 key result failed"), second
    # The Jira KR went on: pulled, scored (8 of 9 done) and pushed.
    assert writes_of(fresh_site) == [("PUT", "/rest/api/3/issue/OKR-12")]
    assert fresh_site.state.get("OKR-12").custom[FIELD] == 88.9
    status = fresh.run("status", "--json")
    krs = by_id(status.json["key_results"])
    assert (krs["conversion"]["value"], krs["conversion"]["stale"]) == (2.55, True)
    assert krs["conversion"]["failure"]["where"] == f"{path}:10:27"
    assert krs["conversion"]["failure"]["run"] == 2
    assert "stale" not in krs["ship-one-click"]
