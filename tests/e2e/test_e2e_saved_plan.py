"""``apply --plan FILE`` re-reads every target before writing: a target that already
holds the plan's value is current (no request, no write counted); a target that changed
since the plan was made refuses the whole plan, as a stale saved plan in Terraform."""

from __future__ import annotations

from typing import Any

from e2e_harness import Workspace, writes_of
from okrsync_sandbox import SandboxServer

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
        push: [{to: jira, issue: OKR-12, field: KR Progress, comment: true}]
      - id: shop-items
        title: SHOP tracks 30 items
        select: {query: project = SHOP}
        measure: count
        target: 30
        push: [{to: jira, issue: OKR-9, field: {name: KR Progress, value: current}}]
"""
FIELD = "customfield_10100"  # KR Progress
# What the plan writes: 7 of the 9 one-click items are done (77.8%), SHOP has 17 items.
PLANNED = [
    ("PUT", "/rest/api/3/issue/OKR-12"),
    ("POST", "/rest/api/3/issue/OKR-12/comment"),
    ("PUT", "/rest/api/3/issue/OKR-9"),
]


def saved_plan(workspace: Workspace) -> str:
    path = workspace.folder / "plan.json"
    planned = workspace.run("plan", "--out", str(path))
    assert planned.exit_code == 2, planned
    return str(path)


def latest_run(workspace: Workspace) -> dict[str, Any]:
    listed = workspace.run("runs", "--json", "--limit", "1")
    assert listed.exit_code == 0, listed
    run: dict[str, Any] = listed.json["runs"][0]
    return run


def test_a_stale_saved_plan_is_refused_and_nothing_is_written(
    fresh: Workspace, fresh_site: SandboxServer
) -> None:
    fresh.use_mapping("checkout.yaml", MAPPING)
    saved = saved_plan(fresh)
    # Someone sets KR Progress of OKR-12 by hand after the plan was reviewed.
    fresh_site.state.set_field("OKR-12", "KR Progress", 12.0)
    fresh_site.reset_log()

    refused = fresh.run("apply", "--plan", saved)

    assert refused.exit_code == 1, refused
    assert refused.stdout == ""
    assert refused.stderr.splitlines() == [
        f"error: plan file {saved} is stale: 1 target changed since it was made "
        "(OKR-12 field KR Progress: held nothing when planned, holds 12 now); nothing was "
        f"written: make a fresh plan with 'okrsync plan --out {saved}' and apply that",
        "run 2 (apply) failed while checking the plan: no write made",
    ]
    assert fresh_site.writes == []
    assert fresh.sql("SELECT count(*) FROM writes") == [(0,)]
    assert fresh_site.state.get("OKR-12").custom[FIELD] == 12.0
    run = latest_run(fresh)
    assert (run["command"], run["status"], run["writes"]) == ("apply", "failed", 0)

    # The command it names makes a plan that applies: from 12 to 77.8.
    fresh_site.reset_log()
    applied = fresh.run("apply", "--plan", saved_plan(fresh))
    assert applied.exit_code == 0, applied
    assert writes_of(fresh_site) == PLANNED
    assert "3 writes made" in applied.stdout
    # The ledger keeps what each target held (JSON: null for an empty field) and got.
    ledger = "SELECT target, old_value, new_value FROM writes WHERE what = 'field'"
    assert fresh.sql(ledger) == [("OKR-12", 12.0, 77.8), ("OKR-9", "null", 17.0)]


def test_targets_already_current_are_no_writes(fresh: Workspace, fresh_site: SandboxServer) -> None:
    fresh.use_mapping("checkout.yaml", MAPPING)
    saved = saved_plan(fresh)
    # Another apply made the plan's writes meanwhile.
    first = fresh.run("apply")
    assert first.exit_code == 0, first
    assert writes_of(fresh_site) == PLANNED
    fresh_site.reset_log()

    again = fresh.run("apply", "--plan", saved)

    assert again.exit_code == 0, again
    assert fresh_site.writes == []
    assert "3 targets already current" in again.stdout
    assert "no write made: every target already holds the plan's value" in again.stdout
    assert "writes made" not in again.stdout
    assert fresh.sql("SELECT count(*) FROM writes") == [(3,)]  # the first apply's alone
    run = latest_run(fresh)
    assert (run["status"], run["writes"], run["pulled"]["writes_current"]) == ("ok", 0, 3)

    # OKR-9's field is emptied again, as it was when the plan was made: that one target
    # gets its write, the other two are still current.
    fresh_site.state.set_field("OKR-9", "KR Progress", None)
    fresh_site.reset_log()
    partly = fresh.run("apply", "--plan", saved)
    assert partly.exit_code == 0, partly
    assert writes_of(fresh_site) == [("PUT", "/rest/api/3/issue/OKR-9")]
    assert "1 write made" in partly.stdout
    assert "2 targets already current" in partly.stdout
    assert fresh.sql("SELECT count(*) FROM writes") == [(4,)]
    assert fresh_site.state.get("OKR-9").custom[FIELD] == 17.0
