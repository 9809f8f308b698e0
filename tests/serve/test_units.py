"""Sync units: ``okrsync sync --unit FILE`` pulls, scores, records and pushes one
mapping file's KRs, and records the objectives they count towards (the unit locks are
tested in tests/store/test_store_units.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_harness import EXAMPLE_MAPPINGS, Workspace, sandbox_site, writes_of
from okrsync_sandbox import SandboxServer

CHECKOUT_KRS = [
    "checkout-velocity",
    "median-cycle-time",
    "one-click-committed",
    "ship-one-click",
    "zero-double-charges",
]


@pytest.fixture
def site() -> Iterator[SandboxServer]:
    with sandbox_site() as jira:
        yield jira


@pytest.fixture
def workspace(site: SandboxServer, tmp_path: Path) -> Workspace:
    return Workspace(tmp_path, site.url)


def test_a_unit_run_syncs_its_own_file_only(workspace: Workspace, site: SandboxServer) -> None:
    site.reset_log()
    outcome = workspace.run("sync", "--unit", str(EXAMPLE_MAPPINGS / "checkout.yaml"))
    assert outcome.exit_code == 0, outcome
    unit = str((EXAMPLE_MAPPINGS / "checkout.yaml").resolve())
    assert workspace.sql("SELECT command, status, unit FROM runs") == [("sync", "ok", unit)]
    recorded = "SELECT DISTINCT kr_id FROM kr_results WHERE NOT backfilled ORDER BY kr_id"
    assert [kr for (kr,) in workspace.sql(recorded)] == CHECKOUT_KRS
    backfilled = "SELECT DISTINCT kr_id FROM kr_results WHERE backfilled ORDER BY kr_id"
    assert [kr for (kr,) in workspace.sql(backfilled)] == CHECKOUT_KRS
    # Its objective, and the company objective it aligns to: re-scored with it.
    objectives = "SELECT objective_id FROM objective_results ORDER BY objective_id"
    assert workspace.sql(objectives) == [("faster-checkout",), ("grow-revenue",)]
    # Pushed to checkout's issues only (OKR-12, OKR-3, OKR-8, and OKR-13 that
    # checkout-velocity creates), never to payments' OKR-5 or the company's OKR-11.
    writes = writes_of(site)
    issues = {path.split("/")[5] for _method, path in writes if path.count("/") >= 5}
    assert issues == {"OKR-12", "OKR-3", "OKR-8", "OKR-13"}
    assert writes.count(("POST", "/rest/api/3/issue")) == 1
    # Its queries only: nothing of payments' PAY project was searched.
    searches = [r.body["jql"] for r in site.log.entries("POST", "/rest/api/3/search/jql")]
    pulled = [jql for jql in searches if "okrsync-kr-" not in jql]  # not the create's lookup
    assert pulled and all("SHOP" in jql and "PAY" not in jql for jql in pulled)


def test_a_unit_named_wrongly_is_a_usage_error_naming_the_units(workspace: Workspace) -> None:
    outcome = workspace.run("sync", "--unit", "mappings/checkuot.yaml")
    assert outcome.exit_code == 1, outcome
    assert "'mappings/checkuot.yaml' is not one of the mapping files" in outcome.stderr
    assert not workspace.db.exists()  # nothing written


def test_runs_shows_which_unit_a_run_synced(workspace: Workspace) -> None:
    assert workspace.run("sync", "--unit", str(EXAMPLE_MAPPINGS / "payments.yaml")).exit_code == 0
    listed = workspace.run("runs", "--json")
    assert listed.exit_code == 0, listed
    (run,) = listed.json["runs"]
    assert run["unit"] == str((EXAMPLE_MAPPINGS / "payments.yaml").resolve())
    assert run["did"].startswith(f"unit {run['unit']}; pulled ")
