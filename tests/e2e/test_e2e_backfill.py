"""Back-fill: the first sync gives a KR added mid-cycle a daily history from the cycle
start, and ``okrsync backfill`` rebuilds it on demand, from the store alone.

"one-click-done" counts the done items under SHOP-100 (DATASET.md), at the end of each
Berlin day (23:00 UTC in January and February):

    SHOP-103 done before the cycle        1 from Jan 1
    SHOP-106 done Jan 5 12:00             2 from Jan 5
    SHOP-105 done Jan 7 15:00             3 from Jan 7
    SHOP-105 re-opened Jan 9 10:00        2 on Jan 9
    SHOP-104 done Jan 10 14:00            3 on Jan 10
    SHOP-111 done Jan 11 17:00            4 from Jan 11
    SHOP-105 done again Jan 13 16:00      5 from Jan 13
    SHOP-108 done Feb 3 15:00             6 from Feb 3 to Feb 15
    SHOP-116 done Feb 16 15:00            7 now (Feb 16 16:00)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_harness import Workspace
from okrsync_sandbox import SandboxServer

from tests.table_text import table_rows

HEADER = (Path(__file__).parents[1] / "data" / "one_click_kr.yaml").read_text()
ADDED = """\
      - id: one-click-done
        title: Finish the one-click items
        select: {query: parent = SHOP-100}
        measure: done
        target: 9
"""
DAILY = [1] * 4 + [2] * 2 + [3] * 2 + [2, 3] + [4] * 2 + [5] * 21 + [6] * 13


@pytest.fixture
def workspace(site: SandboxServer, tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path, site.url)
    workspace.use_mapping("checkout.yaml", HEADER)
    return workspace


def points(workspace: Workspace, kr_id: str) -> list[tuple[str, float, int]]:
    """(day, value, run) of the KR's back-filled points, oldest first."""
    rows = workspace.sql(
        "SELECT substr(as_of, 1, 16), value, run_id FROM kr_results "
        "WHERE kr_id = ? AND backfilled ORDER BY as_of",
        kr_id,
    )
    return [(day, value, run) for day, value, run in rows]


def test_a_kr_added_mid_cycle_gets_its_history_at_the_next_sync(workspace: Workspace) -> None:
    first = workspace.run("sync")
    assert first.exit_code == 0, first
    assert "back-filled the daily history of 1 key result from" in first.stdout
    before = points(workspace, "ship-one-click")
    assert len(before) == 46  # Jan 1 .. Feb 15

    workspace.use_mapping("checkout.yaml", HEADER + ADDED)
    second = workspace.run("sync")
    assert second.exit_code == 0, second
    assert "back-filled the daily history of 1 key result from" in second.stdout

    added = points(workspace, "one-click-done")
    assert [day for day, _, _ in added][:2] == ["2027-01-01 23:00", "2027-01-02 23:00"]
    assert added[-1][0] == "2027-02-15 23:00"
    assert [value for _, value, _ in added] == DAILY
    assert {run for _, _, run in added} == {2}  # recorded under the second sync
    assert points(workspace, "ship-one-click") == before  # not back-filled again

    # The run's own point, after the last day's end, is the live value.
    live = workspace.run("plan", "--no-pull", "--json")
    (kr,) = [k for k in live.json["key_results"] if k["id"] == "one-click-done"]
    assert kr["value"] == 7
    history = workspace.run("history", "one-click-done")
    assert history.exit_code == 0, history
    header, *rows = table_rows(history.stdout, "as of")
    assert len(rows) == 47
    source = header.index("source")
    assert all(row[source] == "back-filled" for row in rows[:-1])
    # The run's point, at the run's instant in Berlin.
    assert rows[-1][source] == "run" and rows[-1][1] == "7 items"
    assert rows[-1][0].startswith("2027-02-16 17:")


def test_the_backfill_command_rebuilds_on_demand(workspace: Workspace, site: SandboxServer) -> None:
    workspace.use_mapping("checkout.yaml", HEADER + ADDED)
    assert workspace.run("pull").exit_code == 0
    site.reset_log()

    # Up to the end of Jan 10: the ends of Jan 1..9, then that instant.
    outcome = workspace.run("backfill", "one-click-done", "--as-of", "2027-01-10")
    assert outcome.exit_code == 0, outcome
    (row,) = table_rows(outcome.stdout, "key result")[1:]
    # The first point: the end of Jan 1 in the config's time zone (Berlin).
    assert row[:4] == ["one-click-done", "10", "2027-01-02 00:00", "3 items"]
    assert [value for _, value, _ in points(workspace, "one-click-done")] == DAILY[:10]
    assert len(site.log) == 0  # from the store alone

    # Every KR, up to now: a new back-fill replaces the earlier one.
    everything = workspace.run("backfill")
    assert everything.exit_code == 0, everything
    rows = {cells[0]: cells[1] for cells in table_rows(everything.stdout, "key result")[1:]}
    assert rows == {"ship-one-click": "47", "one-click-done": "47"}
    assert [value for _, value, _ in points(workspace, "one-click-done")] == [*DAILY, 7]
    runs = workspace.sql("SELECT command, status FROM runs ORDER BY id")
    assert runs == [("pull", "ok"), ("backfill", "ok"), ("backfill", "ok")]

    unknown = workspace.run("backfill", "one-click-dnoe")
    assert unknown.exit_code == 1, unknown
    assert unknown.stderr.strip() == (
        "error: no key result has the id 'one-click-dnoe' (did you mean 'one-click-done'?)"
    )
