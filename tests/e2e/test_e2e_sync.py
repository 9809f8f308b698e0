"""``okrsync sync`` records a snapshot; ``status``, ``history`` and ``explain`` read it
back from the store without a single request to Jira."""

from __future__ import annotations

import pytest
from e2e_harness import EXAMPLE_KR_IDS as KR_IDS
from e2e_harness import Outcome, Workspace
from okrsync_sandbox import API_TOKEN, SandboxServer

from tests.table_text import table_rows

AVERAGE = 29 / 7  # the average estimate of the one-click items (see test_e2e_plan)
SHIP_NOW = (24 + AVERAGE) / (29 + 2 * AVERAGE) * 100  # 75.4789...
SHIP_FEB_1 = (18 + AVERAGE) / (29 + 2 * AVERAGE) * 100  # 59.3870...


@pytest.fixture(scope="module")
def synced(workspace: Workspace, site: SandboxServer) -> Outcome:
    outcome = workspace.run("sync")
    assert outcome.exit_code == 0, outcome
    return outcome


def test_sync_pulls_scores_pushes_and_records(
    synced: Outcome, workspace: Workspace, site: SandboxServer
) -> None:
    rows = {cells[0].split()[0]: cells for cells in table_rows(synced.stdout, "objective")}
    assert rows["ship-one-click"][1] == "75.5%"  # 75.48%, rounded for people
    assert "10 writes made" in synced.stdout
    assert workspace.sql("SELECT command, status FROM runs") == [("sync", "ok")]
    assert workspace.sql("SELECT count(*) FROM kr_results WHERE NOT backfilled") == [(11,)]
    # A fresh store: every KR is back-filled with the end of each day of 2027-Q1 so far
    # (Jan 1 .. Feb 15 in Berlin: 46 days); the run itself holds the value of now.
    per_kr = "SELECT kr_id, count(*) FROM kr_results WHERE backfilled GROUP BY kr_id"
    assert sorted(workspace.sql(per_kr)) == sorted((kr, 46) for kr in KR_IDS)
    assert workspace.sql("SELECT count(*) FROM objective_results") == [(4,)]
    assert workspace.sql("SELECT count(*) FROM writes") == [(10,)]
    ((value,),) = workspace.sql(
        "SELECT value FROM kr_results WHERE kr_id = 'ship-one-click' AND NOT backfilled"
    )
    assert value == pytest.approx(SHIP_NOW, abs=1e-3)
    assert API_TOKEN.encode() not in workspace.stored_bytes()


def test_status_shows_the_snapshot_without_a_request(
    synced: Outcome, workspace: Workspace, site: SandboxServer
) -> None:
    site.reset_log()
    table = workspace.run("status")
    assert table.exit_code == 0, table
    rows = [row for row in table_rows(table.stdout, "objective") if "ship-one-click" in row[0]]
    assert len(rows) == 1 and rows[0][1] == "75.5%" and rows[0][5] == "on track"
    assert table.stdout.startswith("OKRs as of 2027-02-16 17:00 CET (Europe/Berlin)")

    as_json = workspace.run("status", "--json")
    assert as_json.exit_code == 0, as_json
    document = as_json.json
    assert document["as_of"].startswith("2027-02-16T16:")
    # The order of the mapping files, as plan and sync show them.
    assert [o["id"] for o in document["objectives"]] == [
        "faster-checkout",
        "grow-revenue",
        "engineering-health",
        "payments-just-work",
    ]
    krs = {kr["id"]: kr for kr in document["key_results"]}
    assert len(krs) == 11
    ship = krs["ship-one-click"]
    assert ship["value"] == pytest.approx(SHIP_NOW, abs=1e-3)
    assert {"objective", "baseline", "target", "progress", "expected", "status"} <= set(ship)
    assert ship["evidence"]["counts"]["done"] == 7
    # A snapshot's pushes are the writes its sync made, the created issue's key included.
    assert [(p["what"], p["target"], p["new"]) for p in ship["pushes"]] == [
        ("field", "OKR-12", 75.5),
        ("comment", "OKR-12", ship["pushes"][1]["new"]),
        ("property", "OKR-12", ship["pushes"][2]["new"]),
    ]
    assert ship["pushes"][1]["new"].startswith("Ship one-click checkout\nValue: 75.48%")
    assert [(p["what"], p["target"]) for p in krs["checkout-velocity"]["pushes"]] == [
        ("create", "OKR-13"),
        ("comment", "OKR-13"),
    ]
    assert len(site.log) == 0  # status reads the store only


def test_status_works_with_jira_unreachable(
    synced: Outcome, workspace: Workspace, site: SandboxServer
) -> None:
    workspace.write_config(url="http://127.0.0.1:9")  # the discard port: nothing listens
    try:
        outcome = workspace.run("status", "--json")
    finally:
        workspace.write_config()
    assert outcome.exit_code == 0, outcome
    assert len(outcome.json["key_results"]) == 11


def test_history_lists_the_recorded_points_oldest_first(
    synced: Outcome, workspace: Workspace, site: SandboxServer
) -> None:
    earlier = workspace.run("sync", "--as-of", "2027-02-01")
    assert earlier.exit_code == 0, earlier
    # It pushes the values of that day: the field of OKR-12 shows 59.4 again.
    assert site.state.get("OKR-12").custom["customfield_10100"] == 59.4
    again = workspace.run("sync")
    assert again.exit_code == 0, again
    assert site.state.get("OKR-12").custom["customfield_10100"] == 75.5

    site.reset_log()
    history = workspace.run("history", "ship-one-click")
    assert history.exit_code == 0, history
    header, *rows = table_rows(history.stdout, "as of")
    assert header[0] == "as of (CET)"
    source = header.index("source")
    # The first sync back-filled the days of the cycle so far; the runs are told apart.
    assert len([row for row in rows if row[source] == "back-filled"]) == 46, history
    # The end of Jan 1 in Berlin.
    assert rows[0][0] == "2027-01-02 00:00" and rows[0][source] == "back-filled"
    points = [row for row in rows if row[source] == "run"]
    assert len(points) == 3, history
    # Times in Berlin, values rounded for people (one decimal above 10).
    assert points[0][:2] == ["2027-02-01 23:59", f"{SHIP_FEB_1:.1f}%"]
    for point in points[1:]:
        assert point[0].startswith("2027-02-16 17:") and point[1] == f"{SHIP_NOW:.1f}%"
    assert len(site.log) == 0

    unknown = workspace.run("history", "ship-one-clik")
    assert unknown.exit_code == 1, unknown
    assert unknown.stderr.strip() == (
        "error: no key result has the id 'ship-one-clik' (did you mean 'ship-one-click'?)"
    )


def test_explain_shows_each_item_and_the_arithmetic(
    synced: Outcome, workspace: Workspace, site: SandboxServer
) -> None:
    site.reset_log()
    outcome = workspace.run("explain", "ship-one-click")
    assert outcome.exit_code == 0, outcome
    text = outcome.stdout
    # key, status at T, category, done, contribution (DATASET.md; 106 and 113 have no
    # estimate and count at the average 4.14286).
    expected_rows = [
        ("SHOP-103", "Done", "done", "yes", "5"),
        ("SHOP-104", "Done", "done", "yes", "8"),
        ("SHOP-105", "Done", "done", "yes", "3"),
        ("SHOP-106", "Done", "done", "yes", "4.14286"),
        ("SHOP-108", "Done", "done", "yes", "3"),
        ("SHOP-111", "Done", "done", "yes", "2"),
        ("SHOP-112", "In Review", "in_progress", "", "0"),
        ("SHOP-113", "To Do", "todo", "", "0"),
        ("SHOP-116", "Done", "done", "yes", "3"),
    ]
    header, *rows = table_rows(text, "key")
    assert header[:5] == ["key", "status at T", "category", "done", "contributes"]
    assert [tuple(row[:5]) for row in rows] == expected_rows
    assert "value = done 28.1429 / total 37.2857 story_points × 100 = 75.48%" in text
    assert "progress = (value 75.4789 − baseline 0) / (target 100 − baseline 0) = 0.7548" in text
    assert "2 unestimated items counted at the average story_points of 4.14" in text
    assert len(site.log) == 0  # evaluated from the store
