"""A run that gives up says what it did and what not (on stderr and in its record), and
``okrsync runs`` lists the recent runs for whoever reads the cron mail."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from e2e_harness import Workspace, writes_of
from okrsync_sandbox import SandboxServer

from okrsync.store import Store
from tests.table_text import table_rows

# The shared one-KR mapping, and what this file adds to it.
TWO_QUERIES = (
    (Path(__file__).parents[1] / "data" / "one_click_kr.yaml").read_text()
    + """\
      - id: shop-items
        title: Items of SHOP
        select: {query: project = = SHOP}
        measure: count
        target: 20
"""
)
PROPERTY = "/rest/api/3/issue/OKR-11/properties/okrsync"


def runs_json(workspace: Workspace, *args: str) -> list[dict[str, Any]]:
    outcome = workspace.run("runs", "--json", *args)
    assert outcome.exit_code == 0, outcome
    runs = outcome.json["runs"]
    assert isinstance(runs, list)
    return runs


def test_a_pull_with_a_rejected_query_stores_the_other_and_is_partial(
    site: SandboxServer, tmp_path: Path
) -> None:
    workspace = Workspace(tmp_path, site.url)
    path = workspace.use_mapping("checkout.yaml", TWO_QUERIES)

    pulled = workspace.run("pull")

    assert pulled.exit_code == 1, pulled
    assert pulled.stdout.startswith("pulled 9 changed items (1 query"), pulled
    failure, summary = pulled.stderr.splitlines()
    # shop-items' query is on line 14 of the file, its value at column 25.
    assert failure.startswith(
        f"{path}:14:25: error: KR shop-items: jira: Jira rejected the query: "
    ), pulled
    assert summary.startswith("run 1 (pull) is partial: 1 key result failed"), pulled
    # The other query went in.
    assert workspace.sql("SELECT count(*) FROM items") == [(9,)]
    assert workspace.sql("SELECT query FROM cursors") == [("parent = SHOP-100",)]

    (run,) = runs_json(workspace)
    assert (run["id"], run["command"], run["status"]) == (1, "pull", "partial")
    assert run["errors"] == [failure]
    assert run["pulled"] == {
        "queries": 1,
        "items_fetched": 9,
        "requests": run["pulled"]["requests"],
        "metrics": 0,
        "failures": [
            {
                "kr": "shop-items",
                "where": f"{path}:14:25",
                "error": failure.split("error: KR shop-items: ", 1)[1],
            }
        ],
    }
    assert run["did"] == "pulled 9 items from 1 query"


def test_an_apply_that_fails_midway_says_which_writes_were_made(
    fresh: Workspace, fresh_site: SandboxServer
) -> None:
    """The example mappings plan 10 writes (see test_e2e_apply); the 8th, the property
    of OKR-11, fails every time it is tried."""
    fresh_site.faults.server_error(PROPERTY, method="PUT", times=100)

    failed = fresh.run("apply")

    assert failed.exit_code == 1, failed
    error, summary = failed.stderr.splitlines()
    assert error.startswith("error: jira: ")
    assert summary == (
        "run 1 (apply) failed while applying: 10 of 10 queries stored; 7 of 10 planned "
        "writes made (not made: OKR-11 property, OKR-5 field KR Progress, OKR-5 comment)"
    )
    assert fresh.sql("SELECT count(*) FROM writes WHERE run_id = 1") == [(7,)]
    (run,) = runs_json(fresh)
    assert run["status"] == "failed" and run["writes"] == 7
    assert run["pulled"]["stopped_while"] == "applying"
    assert (run["pulled"]["writes_planned"], run["pulled"]["writes_made"]) == (10, 7)
    assert run["pulled"]["writes_not_made"] == [
        "OKR-11 property",
        "OKR-5 field KR Progress",
        "OKR-5 comment",
    ]
    assert run["did"].endswith("; 7 of 10 planned writes made")

    # The next run makes exactly the writes that were not made.
    fresh_site.faults.clear()
    fresh_site.reset_log()
    resumed = fresh.run("apply")
    assert resumed.exit_code == 0, resumed
    assert writes_of(fresh_site) == [
        ("PUT", PROPERTY),
        ("PUT", "/rest/api/3/issue/OKR-5"),
        ("POST", "/rest/api/3/issue/OKR-5/comment"),
    ]


def test_runs_lists_the_latest_runs_without_the_network(
    site: SandboxServer, tmp_path: Path
) -> None:
    workspace = Workspace(tmp_path, site.url)
    workspace.use_mapping("checkout.yaml", TWO_QUERIES)
    assert workspace.run("pull").exit_code == 1
    workspace.use_mapping("checkout.yaml", TWO_QUERIES.replace("= = SHOP", "= SHOP"))
    assert workspace.run("plan").exit_code == 0
    workspace.write_config(url="http://127.0.0.1:9")  # Jira is unreachable from here on
    site.reset_log()

    table = workspace.run("runs")

    assert table.exit_code == 0, table
    header, *cells = table_rows(table.stdout, "run")
    assert header[2].startswith("started (CE")  # in the config's time zone, named
    assert [row[:2] for row in cells] == [["2", "plan"], ["1", "pull"]]
    status = header.index("status")
    assert [row[status] for row in cells] == ["ok", "partial"]
    # A long error is cut to the row, not folded onto lines of its own; the whole of it
    # is in the JSON.
    assert cells[1][-1].endswith("…"), table
    assert len(table.stdout.splitlines()) == 5  # title, header, rule and the two runs
    failed = runs_json(workspace)[1]["error"]
    assert "error: KR shop-items: jira: Jira rejected the query:" in failed
    assert len(site.log) == 0
    assert [run["id"] for run in runs_json(workspace, "--limit", "1")] == [2]
    # A limit no database integer holds is a usage error, not an overflow.
    huge = workspace.run("runs", "--limit", str(10**21))
    assert huge.exit_code == 64, huge
    assert "100000" in huge.stderr and "Traceback" not in huge.stderr + huge.stdout


def test_a_second_run_exits_clearly_or_waits_with_wait(site: SandboxServer, tmp_path: Path) -> None:
    workspace = Workspace(tmp_path, site.url)
    workspace.use_mapping("checkout.yaml", TWO_QUERIES.replace("= = SHOP", "= SHOP"))
    holder = Store.open(f"sqlite:///{workspace.db}")
    outcomes: list[Any] = []
    try:
        with holder.run_lock():
            refused = workspace.run("pull")
            assert refused.exit_code == 1, refused
            assert "another okrsync run is using this store" in refused.stderr

            waiting = threading.Thread(
                target=lambda: outcomes.append(workspace.run("--wait", "pull"))
            )
            waiting.start()
            waiting.join(timeout=1.0)
            assert waiting.is_alive(), "--wait must not start while another run holds the store"
        waiting.join(timeout=60)
    finally:
        holder.close()
    (waited,) = outcomes
    assert waited.exit_code == 0, waited
    assert workspace.sql("SELECT count(*) FROM cursors") == [(2,)]
